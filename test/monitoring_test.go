package test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/cdktest"
	"github.com/acme/customers-api/cdktest/alarmsim"
	"github.com/acme/customers-api/stacks"
)

// mustBeAlarmed are the resource types that each need an alarm.
var mustBeAlarmed = []string{"AWS::Lambda::Function", "AWS::SQS::Queue", "AWS::Events::Rule", "AWS::DynamoDB::Table", "AWS::ApiGateway::Stage"}

// Every resource has an alarm and every alarm says what to check first;
// each subsystem's composite pages, on alarm and on recovery, the
// notify-only alarms send tickets, and every other alarm notifies nobody
// (the README's incident model).
func TestEveryResourceHasAnAlarmAndPagesOrNotifiesAsTheIncidentModelSays(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			// A resource is alarmed when an alarm's metric dimension names it,
			// by reference, import, SSM-published name or physical name.
			sim := newScenarios(t, s).simulator(t)
			alarmed := map[string]bool{}
			for _, a := range sim.Alarms() {
				for _, m := range a.Metrics {
					for dim := range m.Dimensions {
						if r, ok := sim.Dimension(m, dim); ok {
							alarmed[r.Key()] = true
						}
					}
				}
			}
			sc := newScenarios(t, s)
			page, notify := sc.topics(sim)
			alarms := 0
			for _, a := range sim.Alarms() {
				alarms++
				var want []string // what the README's incident model says it notifies
				switch {
				case a.Composite && a.Name != sc.prefix+"unhealthy":
					want = []string{page}
				case sc.notifyOnly(a.Name):
					want = []string{notify}
				}
				for _, state := range []alarmsim.State{alarmsim.Alarm, alarmsim.OK} {
					if !slices.Equal(a.Actions[state], want) {
						t.Errorf("%s: %s actions %v, want %v", a.Name, state, a.Actions[state], want)
					}
				}
				if len(a.Actions[alarmsim.InsufficientData]) > 0 {
					t.Errorf("%s notifies on INSUFFICIENT_DATA", a.Name)
				}
				if !a.Composite && !sc.notifyOnly(a.Name) && sc.subsystem(sim, a.Name) == "" {
					t.Errorf("%s neither pages (through a subsystem's composite) nor notifies", a.Name)
				}
			}
			for _, stack := range s.Stacks() {
				for _, typ := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"} {
					for id, a := range *template(stack).FindResources(jsii.String(typ), nil) {
						if d, _ := props(a)["AlarmDescription"].(string); !strings.Contains(d, "Check first") {
							t.Errorf("alarm %s does not say what to check first: %q", id, d)
						}
					}
				}
			}
			checked := 0
			for _, stack := range s.Stacks() {
				for _, typ := range mustBeAlarmed {
					for id := range *template(stack).FindResources(jsii.String(typ), nil) {
						checked++
						if !alarmed[*stack.ArtifactId()+"/"+id] {
							t.Errorf("%s %s (%s) has no alarm", typ, id, *stack.StackName())
						}
					}
				}
			}
			if checked < 15 || alarms < 40 {
				t.Errorf("checked %d resources and %d alarms; the walk found too little", checked, alarms)
			}
		})
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// Every dimension of every alarm's metrics holds the identifier its
// service publishes metrics under (alarmsim.CheckDimensions, which follows
// each namespace's documented dimensions): an alarm on any other value
// watches a metric that never has data, and with notBreaching stays OK
// whatever happens.
func TestEveryAlarmDimensionIsWhatItsServicePublishesMetricsUnder(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			sim := newScenarios(t, s).simulator(t)
			checked := 0
			for _, a := range sim.Alarms() {
				for _, m := range a.Metrics {
					checked += len(m.Dimensions)
					if err := sim.CheckDimensions(m); err != nil {
						t.Errorf("alarm %s: %v", a.Name, err)
					}
				}
			}
			if checked == 0 {
				t.Error("no alarm dimension was checked")
			}
		})
	}
}

// Unhealthy covers every subsystem's composite, and each paging alarm is
// in exactly one subsystem.
func TestUnhealthyCoversEverySubsystemAndEachAlarmIsInOne(t *testing.T) {
	for _, s := range services {
		sc := newScenarios(t, s)
		sim := sc.simulator(t)
		unhealthy := sim.Alarm(sc.prefix + "unhealthy")
		if unhealthy == nil {
			t.Fatalf("%s: no %sunhealthy", s.Env.Name, sc.prefix)
		}
		in := map[string]int{}
		for _, a := range sim.Alarms() {
			if !a.Composite || a == unhealthy {
				continue
			}
			if !slices.Contains(unhealthy.Children, a.Name) {
				t.Errorf("%s: %s is not in %s", s.Env.Name, a.Name, unhealthy.Name)
			}
			for _, c := range a.Children {
				in[c]++
			}
		}
		for _, a := range sim.Alarms() {
			if !a.Composite && !sc.notifyOnly(a.Name) && in[a.Name] != 1 {
				t.Errorf("%s: %s is in %d subsystems, want 1", s.Env.Name, a.Name, in[a.Name])
			}
		}
	}
}

// dashboardBody renders a dashboard's body with each CloudFormation
// reference shown as ${...}, indented, for reading and the golden file.
func dashboardBody(t *testing.T, s *stacks.Deployment) string {
	t.Helper()
	dashboards := *template(s.Api.Stack).FindResources(jsii.String("AWS::CloudWatch::Dashboard"), nil)
	if len(dashboards) != 1 {
		t.Fatalf("%d dashboards, want 1", len(dashboards))
	}
	var body strings.Builder
	for _, d := range dashboards {
		join := props(d)["DashboardBody"].(map[string]any)["Fn::Join"].([]any)
		for _, part := range join[1].([]any) {
			switch p := part.(type) {
			case string:
				body.WriteString(p)
			case map[string]any:
				b, _ := json.Marshal(p)
				body.WriteString("${" + strings.NewReplacer(`"`, "", "{", "", "}", "").Replace(string(b)) + "}")
			}
		}
	}
	var doc any
	if err := json.Unmarshal([]byte(body.String()), &doc); err != nil {
		t.Fatalf("dashboard body is not JSON: %v", err)
	}
	return string(cdktest.Mask(doc))
}

func TestTheDashboardIsReadableAndHasNoHardCodedAccountOrRegion(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			got := dashboardBody(t, s)
			for _, literal := range []string{s.Env.Account, s.Env.Region} {
				if strings.Contains(got, literal) {
					t.Errorf("dashboard body contains %q", literal)
				}
			}
			for _, title := range []string{"Requests", "Error rates", "Latency percentiles", "p99 latency by route", "duration and cold starts",
				"DynamoDB consumed capacity", "DynamoDB throttles", "Event pipeline lag", "Dead-letter queue depth", "Alarm status"} {
				if !strings.Contains(got, title) {
					t.Errorf("dashboard has no %q widget", title)
				}
			}
			if s.Env.API.WAF != strings.Contains(got, "WAF requests") {
				t.Errorf("WAF is %v but the dashboard's WAF panel is not there or should not be", s.Env.API.WAF)
			}
			cdktest.Golden(t, []byte(got), filepath.Join("testdata", fmt.Sprintf("Customers-%s-dashboard.json", s.Env.Name)), *update)
		})
	}
}

func TestSavedLogQueriesExist(t *testing.T) {
	for _, s := range services {
		for _, name := range []string{"errors by route", "slowest requests"} {
			template(s.Api.Stack).HasResourceProperties(jsii.String("AWS::Logs::QueryDefinition"), map[string]any{
				"Name": "customers-" + s.Env.Name + "/" + name,
			})
		}
	}
}
