package test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/acme/customers-api/cdktest/alarmsim"
	"github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/internal/customers/tabledesign"
	"github.com/acme/customers-api/stacks"
)

var scenarioTable = flag.String("scenario-table", "", "write the prod alarm × scenario table (Markdown) to this file")

// The alarm scenarios drive the synthesized alarms of each environment
// through the alarm simulator with the metrics a real service would send:
// healthy traffic, a quiet night, and one failure at a time. A failure is
// twice its configured threshold (or, for ages, grows from the moment the
// consumer stops), so an alarm whose threshold was raised tenfold misses
// it, and one that points the wrong way fires while healthy.

// fault is one thing that breaks, the metric it shows in, and the alarm
// that must page for it.
type fault struct {
	name   string
	kind   string // what the world changes, see world.source
	target string // resource token, or an index or WAF metric name
	alarm  string // alarm name without the "customers-<env>-" prefix
	// lead is how long the fault takes to cross its threshold (ages grow
	// from zero); the alarm must fire within lead + its window.
	lead time.Duration
	// apiShare is the part of API requests the target function serves.
	apiShare float64
}

// world is what CloudWatch would receive from one environment.
type world struct {
	sim *alarmsim.Simulator
	env config.Environment
	rps float64 // API requests per second; 0 is a quiet night
	// rate, when set, gives the requests per second at each time instead.
	rate  func(time.Time) float64
	fault *fault
	from  time.Time // the fault's start
	to    time.Time // the fault's end
	// also are further faults, each with its own window.
	also []window
	// unconsumed are the keys of queues that nothing drains: their oldest
	// message ages from the start of the simulation.
	unconsumed map[string]bool
	start      time.Time
	unknown    map[string]bool
}

// window is a fault from one time to another.
type window struct {
	f        *fault
	from, to time.Time
}

// began is when the fault of this kind on target that overlaps [from, to)
// began.
func (w *world) began(kind, target string, from, to time.Time) (time.Time, bool) {
	for _, x := range append([]window{{w.fault, w.from, w.to}}, w.also...) {
		if x.f != nil && x.f.kind == kind && x.f.target == target && from.Before(x.to) && to.After(x.from) {
			return x.from, true
		}
	}
	return time.Time{}, false
}

func (w *world) faulty(kind, target string, from, to time.Time) bool {
	_, ok := w.began(kind, target, from, to)
	return ok
}

// rpsAt is the API's requests per second at t.
func (w *world) rpsAt(t time.Time) float64 {
	if w.rate != nil {
		return w.rate(t)
	}
	return w.rps
}

// dim is the key ("Stack/LogicalID") of the resource a metric dimension
// names, or the dimension's value where it names none.
func (w *world) dim(m alarmsim.Metric, name string) string {
	if r, ok := w.sim.Dimension(m, name); ok {
		return r.Key()
	}
	return m.Dimensions[name]
}

// counter is n events of which bad failed, as CloudWatch receives per-event
// 0/1 samples; no events is no data.
func counter(n, bad float64) []alarmsim.Sample {
	if n <= 0 {
		return nil
	}
	return []alarmsim.Sample{{Value: 1, Count: bad}, {Value: 0, Count: n - bad}}
}

func (w *world) source(m alarmsim.Metric, from, to time.Time) []alarmsim.Sample {
	secs := to.Sub(from).Seconds()
	requests := w.rpsAt(from) * secs
	a := w.env.Alarms.Thresholds
	event := func(kind, target string) []alarmsim.Sample { // reported only when it happens
		if w.faulty(kind, target, from, to) {
			return []alarmsim.Sample{{Value: 2, Count: 1}}
		}
		return nil
	}
	age := func(kind, target string, healthy float64, unit time.Duration) []alarmsim.Sample {
		if began, ok := w.began(kind, target, from, to); ok {
			return []alarmsim.Sample{{Value: float64(to.Sub(began) / unit), Count: 1}}
		}
		if w.unconsumed[target] {
			return []alarmsim.Sample{{Value: float64(to.Sub(w.start) / unit), Count: 1}}
		}
		return []alarmsim.Sample{{Value: healthy, Count: 1}}
	}
	switch m.Namespace + "/" + m.Name {
	case "AWS/ApiGateway/Count":
		if w.faulty("traffic-drop", "api", from, to) {
			return nil
		}
		return counter(requests, requests)
	case "AWS/ApiGateway/5XXError":
		rate := 0.001
		if w.faulty("5xx", "api", from, to) {
			rate = 2 * a.API5xxPercent / 100
		}
		if w.fault != nil && w.fault.kind == "bad-version" && from.Before(w.to) && to.After(w.from) {
			rate += 0.05 * w.fault.apiShare // the failing version's share of API requests
		}
		return counter(requests, requests*rate)
	case "AWS/ApiGateway/4XXError":
		rate := 0.02
		if w.faulty("4xx", "api", from, to) {
			rate = 2 * a.API4xxPercent / 100
		}
		return counter(requests, requests*rate)
	case "AWS/ApiGateway/Latency":
		if requests == 0 {
			return nil
		}
		// Whole requests: 2.5% take 150 ms and 0.5% (2% when slow) twice
		// the p99 threshold; the rest 40 ms.
		slow, mid := math.Floor(0.005*requests), math.Floor(0.025*requests)
		if w.faulty("latency", "api", from, to) {
			slow = math.Floor(0.02 * requests)
		}
		return []alarmsim.Sample{{Value: 40, Count: requests - mid - slow}, {Value: 150, Count: mid},
			{Value: 2 * float64(a.APILatencyP99.Milliseconds()), Count: slow}}
	case "AWS/Lambda/Errors", "AWS/Lambda/Throttles":
		fn := w.dim(m, "FunctionName")
		kind := strings.ToLower(m.Name)
		bad := 0.0
		switch {
		case w.faulty(kind, fn, from, to):
			bad = 2
		case kind == "errors" && w.faulty("bad-version", fn, from, to):
			bad = 0.05 * requests / 5 // a new version failing 5% of its invocations
		}
		return counter(requests/5, bad)
	case "AWS/Lambda/Duration":
		fn, n := w.dim(m, "FunctionName"), requests/5
		if n == 0 {
			return nil
		}
		slow := 0.0
		if w.faulty("slow", fn, from, to) {
			slow = 0.05 * n
		}
		timeoutMs := float64(w.env.Functions.Timeout.Milliseconds())
		return []alarmsim.Sample{{Value: 30, Count: 0.995*n - slow}, {Value: 250, Count: 0.005 * n}, {Value: 0.95 * timeoutMs, Count: slow}}
	case "AWS/Lambda/ConcurrentExecutions":
		if requests == 0 {
			return nil
		}
		peak := w.rpsAt(from) * 0.05
		if w.faulty("concurrency", w.dim(m, "FunctionName"), from, to) {
			peak = 0.95 * float64(a.ConcurrencyLimit)
		}
		return []alarmsim.Sample{{Value: peak, Count: 1}}
	case "AWS/Lambda/IteratorAge":
		return age("stuck", w.dim(m, "FunctionName"), 500, time.Millisecond)
	case "AWS/SQS/ApproximateNumberOfMessagesVisible":
		if w.faulty("message", w.dim(m, "QueueName"), from, to) {
			return []alarmsim.Sample{{Value: 1, Count: 1}}
		}
		return []alarmsim.Sample{{Value: 0, Count: 1}}
	case "AWS/SQS/ApproximateAgeOfOldestMessage":
		return age("message", w.dim(m, "QueueName"), 1, time.Second)
	case "AWS/SNS/NumberOfNotificationsFailed":
		return event("delivery", w.dim(m, "TopicName"))
	case "AWS/Events/FailedInvocations":
		return event("rule-failed", w.dim(m, "RuleName"))
	case "AWS/Events/InvocationsFailedToBeSentToDlq":
		return event("rule-lost", w.dim(m, "RuleName"))
	case "AWS/DynamoDB/ReadThrottleEvents", "AWS/DynamoDB/WriteThrottleEvents":
		target := m.Dimensions["GlobalSecondaryIndexName"]
		if target == "" {
			target = w.dim(m, "TableName")
		}
		return event(strings.TrimSuffix(m.Name, "Events"), target)
	case "AWS/DynamoDB/SystemErrors":
		if m.Dimensions["Operation"] == "GetItem" {
			return event("system-errors", w.dim(m, "TableName"))
		}
		return nil
	case "AWS/WAFV2/BlockedRequests":
		if w.faulty("blocked", m.Dimensions["WebACL"], from, to) {
			return []alarmsim.Sample{{Value: 1, Count: 2 * float64(a.WAFBlockedPer5Min)}}
		}
		return counter(requests/1000, requests/1000)
	}
	w.unknown[m.String()] = true
	return nil
}

// resourceKey is the key ("Stack/LogicalID") of a construct's CloudFormation
// resource.
func resourceKey(c constructs.IConstruct) string {
	stack := awscdk.Stack_Of(c)
	el := c
	if child := c.Node().DefaultChild(); child != nil {
		el = child
	}
	id := stack.Resolve(el.(awscdk.CfnElement).LogicalId()).(string)
	return *stack.ArtifactId() + "/" + id
}

// logicalID is a construct's CloudFormation logical id.
func logicalID(c constructs.IConstruct) string {
	return strings.SplitN(resourceKey(c), "/", 2)[1]
}

// faults lists every failure the environment's alarms must page for.
func faults(s *stacks.Deployment) []fault {
	c, env := s.Api.Customers, s.Env
	var out []fault
	functions := map[string]constructs.IConstruct{"publisher": c.Events.Publisher.Function, "forwarder": c.Events.Forwarder.Function}
	for name, fn := range c.Functions {
		functions[name] = fn.Function
	}
	for name, hook := range c.SmokeChecks {
		functions[name+"SmokeCheck"] = hook.Function
	}
	for name, fn := range functions {
		out = append(out,
			fault{name: name + " fails", kind: "errors", target: resourceKey(fn), alarm: name + "Errors"},
			fault{name: name + " is throttled", kind: "throttles", target: resourceKey(fn), alarm: name + "Throttles"},
			fault{name: name + " runs near its timeout", kind: "slow", target: resourceKey(fn), alarm: name + "DurationNearTimeout"},
			fault{name: name + " nears the concurrency limit", kind: "concurrency", target: resourceKey(fn), alarm: name + "Concurrency"},
		)
	}
	out = append(out,
		fault{name: "publisher stops reading the stream", kind: "stuck", target: resourceKey(c.Events.Publisher.Function), alarm: "PublisherIteratorAge",
			lead: env.Alarms.Thresholds.IteratorAge},
		fault{name: "5XX spike", kind: "5xx", target: "api", alarm: "Api5xxRate"},
		fault{name: "4XX spike", kind: "4xx", target: "api", alarm: "Api4xxRate"},
		fault{name: "slow responses", kind: "latency", target: "api", alarm: "ApiLatencyP99"},
		fault{name: "event topic cannot deliver", kind: "delivery", target: resourceKey(c.Events.Topic), alarm: "EventTopicFailedNotifications"},
	)
	if env.Alarms.Thresholds.MinRequestsPer5Min > 0 {
		out = append(out, fault{name: "traffic stops", kind: "traffic-drop", target: "api", alarm: "ApiTrafficDrop"})
	}
	dlqs := map[string]constructs.IConstruct{"PublisherDLQ": c.Events.PublisherDLQ, "ForwardDLQ": c.Events.ForwardDLQ}
	for sub, q := range c.Events.SubscriptionDLQs {
		dlqs["Subscription"+strings.ToUpper(sub[:1])+sub[1:]+"DLQ"] = q
	}
	if c.Monitoring.EmailDLQ != nil {
		dlqs["AlarmEmailDLQ"] = c.Monitoring.EmailDLQ
	}
	if c.Monitoring.NotifyTopic.EmailDLQ != nil {
		dlqs["NotifyEmailDLQ"] = c.Monitoring.NotifyTopic.EmailDLQ
	}
	queues := map[string]constructs.IConstruct{"ForwardQueue": c.Events.ForwardQueue}
	for name, t := range c.Events.Targets {
		dlqs["Target"+name+"DLQ"] = t.DLQ
		queues["Target"+name] = t.Queue
		out = append(out,
			fault{name: "rule " + name + " cannot deliver", kind: "rule-failed", target: resourceKey(t.Rule), alarm: "Rule" + name + "FailedInvocations"},
			fault{name: "rule " + name + " loses events", kind: "rule-lost", target: resourceKey(t.Rule), alarm: "Rule" + name + "DLQDeliveryFailed"})
	}
	for name, q := range dlqs {
		out = append(out, fault{name: "a message in " + name, kind: "message", target: resourceKey(q), alarm: name + "NotEmpty"})
	}
	for name, q := range queues {
		out = append(out, fault{name: name + " is not drained", kind: "message", target: resourceKey(q), alarm: name + "OldestMessage",
			lead: env.Alarms.Thresholds.QueueAge})
	}
	table := resourceKey(s.Data.Table)
	out = append(out,
		fault{name: "table read throttles", kind: "ReadThrottle", target: table, alarm: "TableReadThrottles"},
		fault{name: "table write throttles", kind: "WriteThrottle", target: table, alarm: "TableWriteThrottles"},
		fault{name: "DynamoDB system errors", kind: "system-errors", target: table, alarm: "TableSystemErrors"})
	for _, ix := range []string{tabledesign.ListIndex, tabledesign.StatusIndex} {
		out = append(out,
			fault{name: "index " + ix + " read throttles", kind: "ReadThrottle", target: ix, alarm: "TableIndex" + ix + "ReadThrottles"},
			fault{name: "index " + ix + " write throttles", kind: "WriteThrottle", target: ix, alarm: "TableIndex" + ix + "WriteThrottles"})
	}
	if c.API.WebACL != nil {
		out = append(out, fault{name: "WAF blocks a flood", kind: "blocked", target: c.API.WebACL.MetricName, alarm: "WafBlocked"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].alarm < out[j].alarm })
	return out
}

// healthyRate is the traffic of every usage plan at its steady rate.
func healthyRate(env config.Environment) float64 {
	rps := 0.0
	for _, p := range env.API.UsagePlans {
		rps += p.Throttle.RateLimit
	}
	return rps
}

// scenarios holds what the scenario checks need for one environment.
type scenarios struct {
	s      *stacks.Deployment
	prefix string
	raw    map[string][]byte
	faults []fault
}

func newScenarios(t *testing.T, s *stacks.Deployment) *scenarios {
	t.Helper()
	raw := map[string][]byte{}
	for _, stack := range s.Stacks() {
		b, err := os.ReadFile(templateFile(stack))
		if err != nil {
			t.Fatal(err)
		}
		raw[*stack.ArtifactId()] = b
	}
	return &scenarios{s: s, prefix: "customers-" + s.Env.Name + "-", raw: raw, faults: faults(s)}
}

var t0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

const warmUp = 30 * time.Minute

func (sc *scenarios) run(sim *alarmsim.Simulator, rps float64, f *fault, end time.Time) (*alarmsim.Run, *world, error) {
	w := &world{sim: sim, env: sc.s.Env, rps: rps, fault: f, start: t0, unknown: map[string]bool{}}
	if f != nil {
		a := sim.Alarm(sc.prefix + f.alarm)
		if a == nil {
			return nil, nil, fmt.Errorf("no alarm %s%s guards %q", sc.prefix, f.alarm, f.name)
		}
		w.from = t0.Add(warmUp)
		w.to = w.from.Add(f.lead + time.Duration(a.EvaluationPeriods)*a.Period)
	}
	run, err := sim.Run(w.source, t0, end)
	if len(w.unknown) > 0 {
		return nil, nil, fmt.Errorf("the scenario world has no model of %v", w.unknown)
	}
	return run, w, err
}

// notifyOnly are the alarms that send a ticket instead of a page, as the
// README's incident model says: conditions that hold in normal operation.
func (sc *scenarios) notifyOnly(alarm string) bool {
	name := strings.TrimPrefix(alarm, sc.prefix)
	return name == "ApiTrafficDrop" || name == "Api4xxRate" || name == "WafBlocked" ||
		strings.HasPrefix(name, "Target") && strings.HasSuffix(name, "OldestMessage")
}

// topics are the ARNs of the paging and the notify-only topics.
func (sc *scenarios) topics(sim *alarmsim.Simulator) (page, notify string) {
	arn := func(c constructs.IConstruct) string {
		r, ok := sim.Templates().Resource(resourceKey(c))
		if !ok {
			return ""
		}
		v, _ := sim.Templates().Ref(r)
		return v
	}
	m := sc.s.Api.Customers.Monitoring
	return arn(m.Topic), arn(m.NotifyTopic.Topic)
}

// subsystem is the paging composite whose rule names alarm, or "".
func (sc *scenarios) subsystem(sim *alarmsim.Simulator, alarm string) string {
	for _, a := range sim.Alarms() {
		if a.Composite && a.Name != sc.prefix+"unhealthy" && slices.Contains(a.Children, alarm) {
			return a.Name
		}
	}
	return ""
}

// healthy checks that steady traffic fires nothing: at the plans' rates,
// and at the quietest normal traffic (twice the traffic-drop minimum, or
// one request a minute).
func (sc *scenarios) healthy(sim *alarmsim.Simulator) []string {
	end := t0.Add(2 * time.Hour)
	var problems []string
	quietest := max(2*float64(sc.s.Env.Alarms.Thresholds.MinRequestsPer5Min)/300, 1.0/60)
	for _, rps := range []float64{healthyRate(sc.s.Env), quietest} {
		run, _, err := sc.run(sim, rps, nil, end)
		if err != nil {
			return []string{err.Error()}
		}
		for _, tr := range run.Transitions {
			if tr.To == alarmsim.Alarm {
				problems = append(problems, fmt.Sprintf("healthy traffic at %.3g/s: %s in ALARM at %s", rps, tr.Alarm, tr.Time.Sub(t0)))
			}
		}
		for _, a := range sim.Alarms() {
			if st := run.StateAt(a.Name, end); st != alarmsim.OK {
				problems = append(problems, fmt.Sprintf("healthy traffic at %.3g/s: %s is %s after 2 hours", rps, a.Name, st))
			}
		}
	}
	return problems
}

// quietNight checks that no traffic at all fires only the traffic-drop
// alarm, where there is one.
func (sc *scenarios) quietNight(sim *alarmsim.Simulator) []string {
	end := t0.Add(8 * time.Hour)
	run, _, err := sc.run(sim, 0, nil, end)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, a := range sim.Alarms() {
		st := run.StateAt(a.Name, end)
		expected := a.Name == sc.prefix+"ApiTrafficDrop"
		if (st == alarmsim.Alarm) != expected {
			problems = append(problems, fmt.Sprintf("quiet night: %s is %s", a.Name, st))
		}
	}
	return problems
}

// failure checks that f trips its alarm and pages once within the alarm's
// window, and that everything is OK again an hour after recovery.
func (sc *scenarios) failure(sim *alarmsim.Simulator, f fault) (*alarmsim.Run, []string) {
	run, w, err := sc.run(sim, healthyRate(sc.s.Env), &f, t0.Add(warmUp+f.lead+2*time.Hour))
	if err != nil {
		return nil, []string{err.Error()}
	}
	name := sc.prefix + f.alarm
	var problems []string
	composite := sc.subsystem(sim, name)
	for _, alarm := range []string{name, composite} {
		if sim.Alarm(alarm) == nil {
			continue // a notify-only alarm, or a simulator of one alarm, has no composite
		}
		if at, ok := run.First(alarm, alarmsim.Alarm, w.from); !ok || at.After(w.to) {
			problems = append(problems, fmt.Sprintf("%s: %s did not reach ALARM by %s after the fault began", f.name, alarm, w.to.Sub(w.from)))
		}
	}
	end := w.to.Add(time.Hour)
	for _, a := range sim.Alarms() {
		if st := run.StateAt(a.Name, end); st != alarmsim.OK {
			problems = append(problems, fmt.Sprintf("%s: %s is %s an hour after recovery", f.name, a.Name, st))
		}
	}
	page, notify := sc.topics(sim)
	if sim.Alarm(composite) != nil || sc.notifyOnly(name) {
		want, got := page, "pages"
		if sc.notifyOnly(name) {
			want, got = notify, "tickets"
		}
		var sent []alarmsim.State
		for _, n := range run.Notifications(want, w.from, end) {
			sent = append(sent, n.To)
		}
		if !slices.Equal(sent, []alarmsim.State{alarmsim.Alarm, alarmsim.OK}) {
			problems = append(problems, fmt.Sprintf("%s: %s %v, want one ALARM and one OK", f.name, got, sent))
		}
	}
	return run, problems
}

func (sc *scenarios) simulator(t *testing.T) *alarmsim.Simulator {
	t.Helper()
	sim, err := alarmsim.New(sc.raw)
	if err != nil {
		t.Fatal(err)
	}
	return sim
}

// inEveryEnvironment runs a scenario check on every environment's alarms.
func inEveryEnvironment(t *testing.T, check func(*scenarios, *alarmsim.Simulator) []string) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			sc := newScenarios(t, s)
			for _, p := range check(sc, sc.simulator(t)) {
				t.Error(p)
			}
		})
	}
}

func TestAlarmsStayQuietOnHealthyTraffic(t *testing.T) {
	inEveryEnvironment(t, (*scenarios).healthy)
}

func TestAQuietNightFiresOnlyTheTrafficDropAlarm(t *testing.T) {
	inEveryEnvironment(t, (*scenarios).quietNight)
}

func TestEveryFailurePagesOnceAndRecovers(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			sc := newScenarios(t, s)
			sim := sc.simulator(t)
			tripped := map[string]bool{}
			var table []string
			for _, f := range sc.faults {
				run, problems := sc.failure(sim, f)
				for _, p := range problems {
					t.Error(p)
				}
				if run == nil {
					continue
				}
				var fired []string
				for _, a := range sim.Alarms() {
					if _, ok := run.First(a.Name, alarmsim.Alarm, t0); ok {
						tripped[a.Name] = true
						fired = append(fired, strings.TrimPrefix(a.Name, sc.prefix))
					}
				}
				table = append(table, fmt.Sprintf("| %s | %s | %s |", f.name, f.alarm, strings.Join(fired, ", ")))
			}
			// Every alarm must be the one that pages for some failure.
			for _, a := range sim.Alarms() {
				if !tripped[a.Name] {
					t.Errorf("no failure scenario trips %s: add the failure it guards to faults()", a.Name)
				}
			}
			if *scenarioTable != "" && s.Env.Name == "prod" {
				doc := "| failure | alarm that must fire | alarms in ALARM during it (then all OK) |\n|---|---|---|\n" + strings.Join(table, "\n") + "\n"
				if err := os.WriteFile(*scenarioTable, []byte(doc), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// mutate returns the templates with one alarm's properties changed.
func (sc *scenarios) mutate(t *testing.T, alarm alarmsim.Resource, change func(props map[string]any)) map[string][]byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(sc.raw[alarm.Stack], &doc); err != nil {
		t.Fatal(err)
	}
	change(doc["Resources"].(map[string]any)[alarm.LogicalID].(map[string]any)["Properties"].(map[string]any))
	b, _ := json.Marshal(doc)
	out := map[string][]byte{}
	for k, v := range sc.raw {
		out[k] = v
	}
	out[alarm.Stack] = b
	return out
}

// TestTheScenariosCatchAnInvertedOrTenfoldAlarm mutates each alarm in turn,
// flipping its comparison or raising its threshold tenfold, and requires
// the scenarios above to fail for every mutant.
func TestTheScenariosCatchAnInvertedOrTenfoldAlarm(t *testing.T) {
	flip := map[string]string{
		"GreaterThanOrEqualToThreshold": "LessThanThreshold", "LessThanThreshold": "GreaterThanOrEqualToThreshold",
		"GreaterThanThreshold": "LessThanOrEqualToThreshold", "LessThanOrEqualToThreshold": "GreaterThanThreshold",
	}
	mutations := map[string]func(p map[string]any){
		"inverted": func(p map[string]any) { p["ComparisonOperator"] = flip[p["ComparisonOperator"].(string)] },
		"tenfold":  func(p map[string]any) { p["Threshold"] = p["Threshold"].(float64) * 10 },
	}
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			sc := newScenarios(t, s)
			guards := map[string][]fault{}
			for _, f := range sc.faults {
				guards[sc.prefix+f.alarm] = append(guards[sc.prefix+f.alarm], f)
			}
			for _, a := range sc.simulator(t).Alarms() {
				if a.Composite {
					continue
				}
				for kind, change := range mutations {
					sim, err := alarmsim.New(sc.mutate(t, a.Resource, change))
					if err != nil {
						t.Fatal(err)
					}
					sim = sim.Only(a.Name)
					problems := append(sc.healthy(sim), sc.quietNight(sim)...)
					for _, f := range guards[a.Name] {
						_, p := sc.failure(sim, f)
						problems = append(problems, p...)
					}
					if len(problems) == 0 {
						t.Errorf("%s %s: no scenario noticed", kind, a.Name)
					}
				}
			}
		})
	}
}
