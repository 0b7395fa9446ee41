package test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/cdktest/alarmsim"
	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/stacks"
)

// isAlias reports whether a template value names a function's live alias
// (a Ref to an AWS::Lambda::Alias), not the function itself.
func isAlias(aliases map[string]bool, v any) bool {
	b, _ := json.Marshal(v)
	for id := range aliases {
		if strings.Contains(string(b), `"`+id+`"`) {
			return true
		}
	}
	return false
}

// Every caller reaches a function through its live alias: API methods,
// event source mappings and invoke permissions.
func TestNothingInvokesAFunctionUnqualified(t *testing.T) {
	for _, s := range services {
		tmpl := template(s.Api.Stack)
		aliases := map[string]bool{}
		for id, a := range *tmpl.FindResources(jsii.String("AWS::Lambda::Alias"), nil) {
			if props(a)["Name"] != gofunction.AliasName {
				t.Errorf("%s: alias %s is %v", s.Env.Name, id, props(a)["Name"])
			}
			aliases[id] = true
		}
		if len(s.Api.Customers.SmokeChecks) != len(s.Api.Customers.Functions) {
			t.Errorf("%s: %d smoke checks for %d operations", s.Env.Name, len(s.Api.Customers.SmokeChecks), len(s.Api.Customers.Functions))
		}
		if want := 7 + len(s.Api.Customers.SmokeChecks); len(aliases) != want {
			t.Fatalf("%s: %d aliases, want one per function (%d)", s.Env.Name, len(aliases), want)
		}
		for id, m := range *tmpl.FindResources(jsii.String("AWS::ApiGateway::Method"), nil) {
			// MOCK integrations (CORS preflights, the 405 answers) invoke
			// no function.
			if integration := props(m)["Integration"].(map[string]any); integration["Type"] != "MOCK" && !isAlias(aliases, integration) {
				t.Errorf("%s: method %s integrates %v, not an alias", s.Env.Name, id, integration)
			}
		}
		for id, m := range *tmpl.FindResources(jsii.String("AWS::Lambda::EventSourceMapping"), nil) {
			if !isAlias(aliases, props(m)["FunctionName"]) {
				t.Errorf("%s: event source mapping %s invokes %v, not an alias", s.Env.Name, id, props(m)["FunctionName"])
			}
		}
		for id, p := range *tmpl.FindResources(jsii.String("AWS::Lambda::Permission"), nil) {
			if !isAlias(aliases, props(p)["FunctionName"]) {
				t.Errorf("%s: permission %s lets %v invoke %v unqualified", s.Env.Name, id, props(p)["Principal"], props(p)["FunctionName"])
			}
		}
	}
}

// Each function's deployment group shifts traffic as its environment says,
// rolls back on a failed or stopped deployment and on its alarms, and those
// alarms fire for a new version that fails 5% of its requests.
func TestEveryFunctionDeploysGraduallyAndRollsBackWhenANewVersionFails(t *testing.T) {
	configs := map[string]string{"dev": "CodeDeployDefault.LambdaAllAtOnce", "staging": "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
		"prod": "CodeDeployDefault.LambdaCanary10Percent5Minutes"}
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			sc := newScenarios(t, s)
			sim := sc.simulator(t)
			var doc struct {
				Resources map[string]struct{ Properties map[string]any }
			}
			raw, _ := json.Marshal(template(s.Api.Stack).ToJSON())
			json.Unmarshal(raw, &doc)
			alarmName := func(ref any) string {
				id, _ := ref.(map[string]any)["Ref"].(string)
				name, _ := doc.Resources[id].Properties["AlarmName"].(string)
				return name
			}
			groups := s.Api.Customers.Deployments
			if len(groups) != 7 {
				t.Fatalf("%d deployment groups, want 7", len(groups))
			}
			for name, g := range groups {
				p := doc.Resources[logicalID(g)].Properties
				if p["DeploymentConfigName"] != configs[s.Env.Name] {
					t.Errorf("%s: deployment config %v, want %s", name, p["DeploymentConfigName"], configs[s.Env.Name])
				}
				rollback, _ := json.Marshal(p["AutoRollbackConfiguration"])
				for _, event := range []string{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"} {
					if !strings.Contains(string(rollback), event) {
						t.Errorf("%s: no rollback on %s: %s", name, event, rollback)
					}
				}
				var watched []string
				for _, a := range asList(p["AlarmConfiguration"].(map[string]any)["Alarms"]) {
					watched = append(watched, alarmName(a.(map[string]any)["Name"]))
				}
				want := []string{sc.prefix + name + "Errors", sc.prefix + name + "Throttles"}
				if _, api := s.Api.Customers.Functions[name]; api {
					want = append(want, sc.prefix+"Api5xxRate")
				}
				for _, w := range want {
					if !slices.Contains(watched, w) {
						t.Errorf("%s: rollback does not watch %s (watches %v)", name, w, watched)
					}
				}
				// A new version that fails 5% of its requests.
				f := fault{name: name + " new version fails 5%", kind: "bad-version", target: resourceKey(functionNamed(s, name)), alarm: name + "Errors"}
				if _, api := s.Api.Customers.Functions[name]; api {
					f.apiShare = 1.0 / float64(len(s.Api.Customers.Functions))
				}
				run, _, err := sc.run(sim, healthyRate(s.Env), &f, t0.Add(warmUp+time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				fired := false
				for _, w := range watched {
					if at, ok := run.First(w, alarmsim.Alarm, t0.Add(warmUp)); ok && at.Sub(t0.Add(warmUp)) <= 5*time.Minute {
						fired = true
					}
				}
				if !fired {
					t.Errorf("%s: no rollback alarm fired within 5 minutes of a version failing 5%% of requests", name)
				}
			}
		})
	}
}

// functionNamed is the Lambda function of an operation or of the event
// pipeline ("publisher", "forwarder").
func functionNamed(s *stacks.Deployment, name string) constructs.IConstruct {
	switch name {
	case "publisher":
		return s.Api.Customers.Events.Publisher.Function
	case "forwarder":
		return s.Api.Customers.Events.Forwarder.Function
	}
	return s.Api.Customers.Functions[name].Function
}

// Before any traffic shifts to a new version of an API function, CodeDeploy
// runs its smoke check, which may invoke that version and nothing else.
func TestAPIFunctionsAreSmokeCheckedBeforeTrafficShifts(t *testing.T) {
	for _, s := range services {
		var doc struct {
			Resources map[string]struct {
				Type         string
				Properties   map[string]any
				UpdatePolicy map[string]any
			}
		}
		raw, _ := json.Marshal(template(s.Api.Stack).ToJSON())
		json.Unmarshal(raw, &doc)
		for name, fn := range s.Api.Customers.Functions {
			hook := s.Api.Customers.SmokeChecks[name]
			policy, _ := json.Marshal(doc.Resources[logicalID(fn.Alias)].UpdatePolicy)
			if !strings.Contains(string(policy), "BeforeAllowTrafficHook") || !strings.Contains(string(policy), logicalID(hook.Alias)) {
				t.Errorf("%s: %s's alias runs no smoke check before traffic shifts: %s", s.Env.Name, name, policy)
			}
			env, _ := json.Marshal(doc.Resources[logicalID(hook.Function)].Properties["Environment"])
			if !strings.Contains(string(env), `"SMOKE_OPERATION":"`+name+`"`) || !strings.Contains(string(env), "SMOKE_TARGET_VERSION") {
				t.Errorf("%s: %s's smoke check has environment %s", s.Env.Name, name, env)
			}
		}
	}
}
