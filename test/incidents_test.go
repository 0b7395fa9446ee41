package test

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme/customers-api/cdktest/alarmsim"
	"github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/stacks"
)

var incidentTable = flag.String("incident-table", "", "write prod's pairwise incident table (Markdown) to this file")

// The incident model (README, "Incidents"): an incident is a subsystem
// becoming unhealthy; it pages once. These tests drive prod's alarms
// through normal weeks and pairs of failures and check who is paged.

// weekly is realistic prod traffic as requests per second: the usage
// plans' combined steady rate at the weekday peak (09:00-17:00 UTC), a
// morning ramp, a third of it in the evening, a quiet night with no
// requests at all from 01:00 to 05:00, and a quarter of each at weekends.
func weekly(env config.Environment) func(time.Time) float64 {
	peak := healthyRate(env)
	return func(t time.Time) float64 {
		h := float64(t.Hour()) + float64(t.Minute())/60
		var f float64
		switch {
		case h < 1:
			f = 0.1
		case h < 5:
			f = 0 // the quiet night
		case h < 9:
			f = 0.05 + 0.95*(h-5)/4
		case h < 17:
			f = 1
		case h < 22:
			f = 0.3
		default:
			f = 0.1
		}
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
			f /= 4
		}
		return peak * f
	}
}

// consumerQueues are the keys of the queues that other teams consume:
// nothing in our templates drains them, so in normal operation their
// oldest message only ages.
func consumerQueues(s *stacks.Deployment) map[string]bool {
	out := map[string]bool{}
	for _, t := range s.Api.Customers.Events.Targets {
		out[resourceKey(t.Queue)] = true
	}
	return out
}

func prod(t *testing.T) *stacks.Deployment {
	t.Helper()
	for _, s := range services {
		if s.Env.Name == "prod" {
			return s
		}
	}
	t.Fatal("no prod environment")
	return nil
}

// pagesIn are the ALARM pages sent in [from, to), by the composite that
// sent them.
func pagesIn(run *alarmsim.Run, page string, from, to time.Time) []string {
	var out []string
	for _, n := range run.Notifications(page, from, to) {
		if n.To == alarmsim.Alarm {
			out = append(out, n.Alarm)
		}
	}
	return out
}

// A week of prod traffic, with quiet nights, the weekend and the consumer
// queues that nobody drains in our templates, pages nobody. The traffic
// drop on each quiet night and the undrained consumer queues send
// tickets.
func TestAWeekOfProdTrafficPagesNobody(t *testing.T) {
	s := prod(t)
	sc := newScenarios(t, s)
	sim := sc.simulator(t)
	if t0.Weekday() != time.Monday {
		t.Fatalf("t0 is a %s; the week starts on a Monday", t0.Weekday())
	}
	end := t0.Add(7 * 24 * time.Hour)
	w := &world{sim: sim, env: s.Env, rate: weekly(s.Env), unconsumed: consumerQueues(s), start: t0, unknown: map[string]bool{}}
	run, err := sim.Run(w.source, t0, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.unknown) > 0 {
		t.Fatalf("the scenario world has no model of %v", w.unknown)
	}
	page, notify := sc.topics(sim)
	if pages := pagesIn(run, page, t0, end); len(pages) > 0 {
		t.Errorf("a normal week paged %d times: %v", len(pages), pages)
	}
	tickets := map[string]int{}
	for _, n := range run.Notifications(notify, t0, end) {
		if n.To == alarmsim.Alarm {
			tickets[strings.TrimPrefix(n.Alarm, sc.prefix)]++
		}
	}
	if tickets["ApiTrafficDrop"] < 7 {
		t.Errorf("tickets %v: want the traffic drop on each of the 7 quiet nights", tickets)
	}
	t.Logf("tickets in a normal week: %v", tickets)
}

// representatives is one paging fault per subsystem and, where the
// subsystem has another, a second one (for a second failure in an
// ongoing incident), by subsystem composite.
func (sc *scenarios) representatives(sim *alarmsim.Simulator) (first, second map[string]fault, order []string) {
	first, second = map[string]fault{}, map[string]fault{}
	for _, f := range sc.faults {
		sub := sc.subsystem(sim, sc.prefix+f.alarm)
		switch {
		case sub == "":
			continue // notify-only
		case first[sub].name == "":
			first[sub] = f
			order = append(order, sub)
		case second[sub].name == "" && f.target != first[sub].target:
			second[sub] = f
		}
	}
	slices.Sort(order)
	return first, second, order
}

// For every pair of failures, A then B, B pages exactly when the README's
// model says: always once A has recovered; while A is ongoing, only when B
// is in another subsystem.
func TestEveryNewIncidentPagesWhileAnotherIsOngoingOrAfterItRecovered(t *testing.T) {
	s := prod(t)
	sc := newScenarios(t, s)
	sim := sc.simulator(t)
	page, _ := sc.topics(sim)
	first, second, subs := sc.representatives(sim)
	if len(subs) < 5 {
		t.Fatalf("only %d subsystems have a failure scenario: %v", len(subs), subs)
	}
	span := func(f fault) time.Duration {
		a := sim.Alarm(sc.prefix + f.alarm)
		return f.lead + time.Duration(a.EvaluationPeriods)*a.Period
	}
	rows := []string{"| A (first failure) | B (second failure) | B while A ongoing | B after A recovered |", "|---|---|---|---|"}
	for _, subA := range subs {
		for _, subB := range subs {
			a, b := first[subA], first[subB]
			if subA == subB {
				if b = second[subB]; b.name == "" {
					continue
				}
			}
			cells := []string{}
			for _, ongoing := range []bool{true, false} {
				aFrom := t0.Add(warmUp)
				aTo := aFrom.Add(span(a))
				bFrom := aTo.Add(30 * time.Minute) // A's alarm has fired (ongoing) or A has recovered
				if !ongoing {
					bFrom = aTo.Add(90 * time.Minute)
				}
				bTo := bFrom.Add(span(b))
				if ongoing {
					aTo = bTo.Add(time.Hour) // A lasts past B
				}
				w := &world{sim: sim, env: s.Env, rps: healthyRate(s.Env), fault: &a, from: aFrom, to: aTo,
					also: []window{{&b, bFrom, bTo}}, unconsumed: consumerQueues(s), start: t0, unknown: map[string]bool{}}
				run, err := sim.Run(w.source, t0, bTo.Add(2*time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				if len(w.unknown) > 0 {
					t.Fatalf("the scenario world has no model of %v", w.unknown)
				}
				if got := pagesIn(run, page, aFrom, bFrom); !slices.Equal(got, []string{subA}) {
					t.Errorf("%s: pages %v before B, want one from %s", a.name, got, subA)
				}
				got := pagesIn(run, page, bFrom, bTo.Add(time.Minute))
				want := []string{subB}
				if ongoing && subA == subB {
					want = nil // the same incident: its composite is already in ALARM
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s then %s (A ongoing: %v): B paged %v, want %v", a.name, b.name, ongoing, got, want)
				}
				cells = append(cells, map[bool]string{true: "pages (" + strings.TrimPrefix(subB, sc.prefix) + ")", false: "no page: same incident"}[len(got) > 0])
			}
			rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s |", a.name, b.name, cells[0], cells[1]))
		}
	}
	if *incidentTable != "" {
		if err := os.WriteFile(*incidentTable, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
