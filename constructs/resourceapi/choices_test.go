package resourceapi_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/cdktest"
	"github.com/acme/customers-api/cdktest/alarmsim"
	"github.com/acme/customers-api/constructs/monitoring"
	"github.com/acme/customers-api/constructs/resourceapi"
	"github.com/acme/customers-api/constructs/restapi"
	"github.com/acme/customers-api/lambdakit/envvars"
)

// deletionPolicies counts the template's resources of typ by their
// DeletionPolicy.
func deletionPolicies(tmpl assertions.Template, typ string) map[string]int {
	out := map[string]int{}
	for _, r := range *tmpl.FindResources(jsii.String(typ), nil) {
		policy, _ := (*r)["DeletionPolicy"].(string)
		out[policy]++
	}
	return out
}

// With the props of the README (no Retain anywhere), the table keeps its
// data and deletion protection, and no log group or queue is deleted with
// the stack; Disposable deletes them, and a "-prod" name cannot be
// Disposable (see the props test).
func TestStatefulResourcesAreRetainedUnlessDisposable(t *testing.T) {
	for _, disposable := range []bool{false, true} {
		stack := newStack()
		p := things(stack)
		p.NewTable.Stream = true
		p.Events = events()
		p.Disposable = disposable
		resourceapi.New(stack, "Things", p)
		tmpl := assertions.Template_FromStack(stack, nil)
		want := "Retain"
		if disposable {
			want = "Delete"
		}
		for _, typ := range []string{"AWS::DynamoDB::Table", "AWS::Logs::LogGroup", "AWS::SQS::Queue", "AWS::KMS::Key"} {
			policies := deletionPolicies(tmpl, typ)
			if len(policies) != 1 || policies[want] == 0 {
				t.Errorf("Disposable %v: %s deletion policies %v, want all %s", disposable, typ, policies, want)
			}
		}
		tmpl.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{"DeletionProtectionEnabled": !disposable})
	}
}

// An operation's own memory, timeout and throttle reach its function, its
// duration alarm and the stage's method settings; the other operation
// keeps the shared settings.
func TestAnOperationsOwnMemoryTimeoutAndThrottleReachTheTemplate(t *testing.T) {
	stack := newStack()
	p := things(stack)
	list := p.Operations[0]
	list.Name, list.Path, list.PathSchema = "list", "/things", nil
	list.MemoryMB, list.Timeout, list.Throttle = 1024, 20*time.Second, &restapi.Throttle{RateLimit: 2, BurstLimit: 4}
	p.Operations = append(p.Operations, list)
	resourceapi.New(stack, "Things", p)
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{"Description": "things-dev: GET /things", "MemorySize": 1024, "Timeout": 20})
	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{"Description": "things-dev: GET /things/{id}", "MemorySize": 256, "Timeout": 10})
	// p99 duration at 80% of the timeout (monitoring.Defaults).
	tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{"AlarmName": "things-dev-listDurationNearTimeout", "Threshold": 16000})
	tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{"AlarmName": "things-dev-getDurationNearTimeout", "Threshold": 8000})
	tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{"MethodSettings": assertions.Match_ArrayWith(&[]any{
		assertions.Match_ObjectLike(&map[string]any{"ResourcePath": "/~1things", "HttpMethod": "GET", "ThrottlingRateLimit": 2, "ThrottlingBurstLimit": 4}),
	})})
}

// The stage's name reaches the stage and the alarms that name it; the
// problem-type base reaches the gateway's problem documents and, through
// envvars.ProblemTypeBase, the handlers.
func TestTheStageNameAndProblemTypeBaseReachTheTemplate(t *testing.T) {
	stack := newStack()
	p := things(stack)
	p.API.StageName, p.API.ProblemTypeBase = "live", "https://errors.example.com/things/"
	resourceapi.New(stack, "Things", p)
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{"StageName": "live"})
	tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{"AlarmName": "things-dev-ApiLatencyP99",
		"Dimensions": assertions.Match_ArrayWith(&[]any{map[string]any{"Name": "Stage", "Value": "live"}})})
	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
		envvars.ProblemTypeBase: "https://errors.example.com/things/",
	})}})
	for _, r := range *tmpl.FindResources(jsii.String("AWS::ApiGateway::GatewayResponse"), nil) {
		body, _ := json.Marshal((*r)["Properties"].(map[string]any)["ResponseTemplates"])
		if !strings.Contains(string(body), `\"type\":\"https://errors.example.com/things/`) || strings.Contains(string(body), restapi.ProblemTypeBase) {
			t.Errorf("gateway response template %s does not use the configured base", body)
		}
	}
}

// A consumer's own alarm, paged from MoreAlarms, joins a paging composite
// and Unhealthy: simulated, a surge of requests to get fires it, its
// composite pages the alarm topic (as the built-in composites do), and
// Unhealthy follows. And the function error threshold is the consumer's:
// with FunctionErrorsPer5Min 5, four failures in 5 minutes page nobody,
// six do.
func TestAConsumersAlarmPagesThroughTheCompositesAndTheErrorThresholdHolds(t *testing.T) {
	stack := newStack()
	p := things(stack)
	p.Alarms.Thresholds = monitoring.Thresholds{FunctionErrorsPer5Min: 5}
	p.MoreAlarms = func(r *resourceapi.ResourceAPI) {
		surge := awscloudwatch.NewAlarm(stack, jsii.String("Surge"), &awscloudwatch.AlarmProps{
			AlarmName: jsii.String("things-dev-getSurge"),
			Metric: r.Functions["get"].Function.MetricInvocations(&awscloudwatch.MetricOptions{
				Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Sum"),
			}),
			Threshold: jsii.Number(1000), EvaluationPeriods: jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		r.Monitoring.Page("surge", surge)
	}
	resourceapi.New(stack, "Things", p)
	sim, err := alarmsim.New(map[string][]byte{"Things": cdktest.Template(stack)})
	if err != nil {
		t.Fatal(err)
	}
	// per5Min invocations of get every 5 minutes, errors of them failing.
	traffic := func(per5Min, errors float64) alarmsim.Source {
		return func(m alarmsim.Metric, from, to time.Time) []alarmsim.Sample {
			share := to.Sub(from).Minutes() / 5 // of 5 minutes' traffic
			switch m.Namespace + "/" + m.Name {
			case "AWS/Lambda/Invocations":
				return []alarmsim.Sample{{Value: 1, Count: per5Min * share}}
			case "AWS/Lambda/Errors":
				return []alarmsim.Sample{{Value: 1, Count: errors * share}, {Value: 0, Count: (per5Min - errors) * share}}
			}
			return nil
		}
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(time.Hour)
	for _, tc := range []struct {
		name            string
		per5Min, errors float64
		want            map[string]alarmsim.State
	}{
		{"normal traffic", 500, 0, map[string]alarmsim.State{"things-dev-getSurge": alarmsim.OK, "things-dev-surge-unhealthy": alarmsim.OK, "things-dev-getErrors": alarmsim.OK, "things-dev-unhealthy": alarmsim.OK}},
		{"a surge", 2000, 0, map[string]alarmsim.State{"things-dev-getSurge": alarmsim.Alarm, "things-dev-surge-unhealthy": alarmsim.Alarm, "things-dev-get-unhealthy": alarmsim.OK, "things-dev-unhealthy": alarmsim.Alarm}},
		{"four failures in 5 minutes", 500, 4, map[string]alarmsim.State{"things-dev-getErrors": alarmsim.OK, "things-dev-get-unhealthy": alarmsim.OK}},
		{"six failures in 5 minutes", 500, 6, map[string]alarmsim.State{"things-dev-getErrors": alarmsim.Alarm, "things-dev-get-unhealthy": alarmsim.Alarm, "things-dev-surge-unhealthy": alarmsim.OK}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run, err := sim.Run(traffic(tc.per5Min, tc.errors), start, end)
			if err != nil {
				t.Fatal(err)
			}
			for alarm, want := range tc.want {
				if got := run.StateAt(alarm, end); got != want {
					t.Errorf("%s is %s, want %s", alarm, got, want)
				}
			}
		})
	}
	// The surge's composite pages the topic the built-in composites page.
	run, err := sim.Run(traffic(2000, 6), start, end)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string][]string{}
	for _, tr := range run.Transitions {
		if tr.To == alarmsim.Alarm && strings.HasSuffix(tr.Alarm, "-unhealthy") {
			actions[tr.Alarm] = tr.Actions
		}
	}
	surge, get := actions["things-dev-surge-unhealthy"], actions["things-dev-get-unhealthy"]
	if len(surge) != 1 || len(get) != 1 || surge[0] != get[0] {
		t.Errorf("pages: the surge's composite ran %v, get's %v; want the same alarm topic", surge, get)
	}
}
