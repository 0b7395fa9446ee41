package test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/cdktest"
	"github.com/acme/customers-api/stacks"
)

// mustBeAlarmed are the resource types that each need an alarm.
var mustBeAlarmed = []string{"AWS::Lambda::Function", "AWS::SQS::Queue", "AWS::Events::Rule", "AWS::DynamoDB::Table", "AWS::ApiGateway::Stage"}

// Every alarm says what to check first; only the composite notifies, on
// alarm and on recovery, so that an incident pages once.
func TestEveryResourceHasAnAlarmAndOnlyTheCompositePages(t *testing.T) {
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
			alarms := 0
			for _, stack := range s.Stacks() {
				for _, typ := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"} {
					for id, a := range *template(stack).FindResources(jsii.String(typ), nil) {
						alarms++
						p := props(a)
						pages := len(asList(p["AlarmActions"])) == 1 && len(asList(p["OKActions"])) == 1
						notifies := len(asList(p["AlarmActions"]))+len(asList(p["OKActions"]))+len(asList(p["InsufficientDataActions"])) > 0
						if composite := typ == "AWS::CloudWatch::CompositeAlarm"; composite && !pages || !composite && notifies {
							t.Errorf("%s %s: alarm actions %v, OK actions %v; only the composite pages, on alarm and on OK", typ, id, p["AlarmActions"], p["OKActions"])
						}
						if d, _ := p["AlarmDescription"].(string); !strings.Contains(d, "Check first") {
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

func TestTheCompositeAlarmCoversEveryAlarm(t *testing.T) {
	for _, s := range services {
		tmpl := template(s.Api.Stack)
		composite := *tmpl.FindResources(jsii.String("AWS::CloudWatch::CompositeAlarm"), nil)
		if len(composite) != 1 {
			t.Fatalf("%d composite alarms, want 1", len(composite))
		}
		rule, _ := json.Marshal(composite)
		for id := range *tmpl.FindResources(jsii.String("AWS::CloudWatch::Alarm"), nil) {
			if !strings.Contains(string(rule), `"`+id+`"`) {
				t.Errorf("%s: alarm %s is not in the composite", s.Env.Name, id)
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
			if s.Env.WAF != strings.Contains(got, "WAF requests") {
				t.Errorf("WAF is %v but the dashboard's WAF panel is not there or should not be", s.Env.WAF)
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
