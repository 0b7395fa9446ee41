package eventfanout_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/eventfanout"
	"github.com/acme/customers-api/constructs/table"
	"github.com/acme/customers-api/internal/testenv/cdkmain"
)

func TestMain(m *testing.M) { cdkmain.Run(m) }

func fanout(t *testing.T, change func(*eventfanout.Props)) awscdk.Stack {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{"aws:cdk:bundling-stacks": []string{}}})
	stack := awscdk.NewStack(app, jsii.String("S"), nil)
	tbl := table.New(stack, "T", table.Props{PartitionKey: "pk", Stream: true, LogicalID: "Things"}).Table
	p := eventfanout.Props{Name: "things-dev", Table: tbl, Settings: eventfanout.Settings{
		ItemType: "thing", EventSource: "com.example.things", ArchiveRetentionDays: 7,
		PublisherEntry: "constructs/gofunction/testdata/hello", ForwarderEntry: "constructs/gofunction/testdata/hello",
		Rules: []eventfanout.Rule{{Name: "all"}},
	}}
	if change != nil {
		change(&p)
	}
	eventfanout.New(stack, "Events", p)
	return stack
}

// Every queue is encrypted, refuses plain-text transport and has a
// dead-letter queue or is one; the stream mapping keeps failures.
func TestNothingIsLostOnTheWay(t *testing.T) {
	tmpl := assertions.Template_FromStack(fanout(t, nil), nil)
	queues := *tmpl.FindResources(jsii.String("AWS::SQS::Queue"), nil)
	policies, _ := json.Marshal(tmpl.FindResources(jsii.String("AWS::SQS::QueuePolicy"), nil))
	for id, q := range queues {
		p, _ := (*q)["Properties"].(map[string]any)
		if p["SqsManagedSseEnabled"] != true {
			t.Errorf("queue %s is not encrypted: %v", id, p)
		}
		if !strings.Contains(string(policies), id) {
			t.Errorf("queue %s has no policy refusing plain-text transport", id)
		}
		if _, redrive := p["RedrivePolicy"]; !redrive && !strings.Contains(id, "DLQ") {
			t.Errorf("queue %s has no dead-letter queue", id)
		}
	}
	if !strings.Contains(string(policies), `"aws:SecureTransport":"false"`) {
		t.Errorf("no queue policy denies insecure transport: %s", policies)
	}
	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
		"BisectBatchOnFunctionError": true, "FunctionResponseTypes": []any{"ReportBatchItemFailures"},
		"MaximumRecordAgeInSeconds": eventfanout.PublisherMaxRecordAge.Seconds(),
		"DestinationConfig":         map[string]any{"OnFailure": map[string]any{"Destination": assertions.Match_AnyValue()}},
	})
}

func TestInvalidPropsAreAnnotationErrors(t *testing.T) {
	for name, c := range map[string]struct {
		change func(*eventfanout.Props)
		want   string
	}{
		"no stream": {func(p *eventfanout.Props) {
			p.Table = awsdynamodb.Table_FromTableName(p.Table.Stack(), jsii.String("X"), jsii.String("x"))
		}, "Table with a stream"},
		"no item type": {func(p *eventfanout.Props) { p.ItemType = "" }, "are required"},
		"no retention": {func(p *eventfanout.Props) { p.ArchiveRetentionDays = 0 }, "ArchiveRetentionDays"},
	} {
		t.Run(name, func(t *testing.T) {
			errs := assertions.Annotations_FromStack(fanout(t, c.change)).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(c.want)))
			if len(*errs) != 1 {
				t.Errorf("%d errors matching %q, want 1", len(*errs), c.want)
			}
		})
	}
}

// A bus made apart (NewBus, in a stack that outlives the pipeline) takes
// its archive with it: the pipeline then creates neither and needs no
// archive retention.
func TestABusGivenToThePipelineKeepsItsArchiveApart(t *testing.T) {
	app := awscdk.NewApp(nil)
	data := awscdk.NewStack(app, jsii.String("Data"), nil)
	eventfanout.NewBus(data, "Events", eventfanout.BusProps{Name: "things-dev", EventSource: "com.example.things", ArchiveRetentionDays: 7, Retain: true})
	dataTmpl := assertions.Template_FromStack(data, nil)
	dataTmpl.ResourceCountIs(jsii.String("AWS::Events::EventBus"), jsii.Number(1))
	dataTmpl.HasResource(jsii.String("AWS::Events::Archive"), map[string]any{
		"DeletionPolicy": "Retain", "Properties": map[string]any{"RetentionDays": 7},
	})
	stack := fanout(t, func(p *eventfanout.Props) {
		p.Bus = awsevents.EventBus_FromEventBusName(awscdk.Stack_Of(p.Table), jsii.String("Bus"), jsii.String("things-dev"))
		p.ArchiveRetentionDays = 0
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.ResourceCountIs(jsii.String("AWS::Events::EventBus"), jsii.Number(0))
	tmpl.ResourceCountIs(jsii.String("AWS::Events::Archive"), jsii.Number(0))
	if errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_AnyValue()); len(*errs) != 0 {
		t.Errorf("errors with a given bus: %v", *errs)
	}
	if errs := assertions.Annotations_FromStack(data).FindError(jsii.String("*"), assertions.Match_AnyValue()); len(*errs) != 0 {
		t.Errorf("errors in the bus's stack: %v", *errs)
	}
}
