package pumps

import (
	"github.com/acme/customers-api/localapi/internal/template/templatetest"

	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/acme/customers-api/internal/testenv/moto"
	"github.com/acme/customers-api/localapi/internal/provision"
)

var srv *moto.Server

func TestMain(m *testing.M) { moto.TestMain(m, &srv) }

// A queue mapping with ReportBatchItemFailures deletes the messages the
// function handled and leaves the ones it reported failed, which return
// after their visibility timeout (here 0 s) as on Lambda ("Handling errors
// for an SQS event source", Lambda developer guide).
func TestAQueueBatchDeletesOnlyTheMessagesThatDidNotFail(t *testing.T) {
	ctx := context.Background()
	a := templatetest.Load(t, `{"Resources": {
	  "Source": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 0}},
	  "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": "worker",
	    "EventSourceArn": {"Fn::GetAtt": ["Source", "Arn"]}, "BatchSize": 10, "FunctionResponseTypes": ["ReportBatchItemFailures"]}}
	}}`)
	if _, err := provision.Provision(ctx, a, srv.Config()); err != nil {
		t.Fatal(err)
	}
	var invoked []string
	worker := func(_ context.Context, fn string, event any) ([]byte, error) {
		invoked = append(invoked, fn)
		var resp events.SQSEventResponse
		for _, m := range event.(events.SQSEvent).Records {
			if m.Body == "fail" {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			}
		}
		return json.Marshal(resp)
	}
	p, err := New(a, nil, Options{AWS: srv.Config(), Invoke: worker, Has: func(string) bool { return true }, Logs: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	queue := a.QueueURL(p.mappings[0].source)
	client := sqs.NewFromConfig(srv.Config())
	for _, b := range []string{"ok", "fail"} {
		if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &queue, MessageBody: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.pumpQueue(ctx, p.mappings[0]); err != nil {
		t.Fatal(err)
	}
	if len(invoked) != 1 || invoked[0] != a.FunctionARN("worker") {
		t.Fatalf("invoked %v, want worker once", invoked)
	}
	left, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queue, MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, m := range left.Messages {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	if len(bodies) != 1 || bodies[0] != "fail" {
		t.Errorf("left in the queue: %v, want only the failed message", bodies)
	}
}

func TestAMappingToAFunctionTheEnvironmentDoesNotRunIsAnError(t *testing.T) {
	a := templatetest.Load(t, `{"Resources": {"Source": {"Type": "AWS::SQS::Queue", "Properties": {}},
	  "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": "python-fn",
	    "EventSourceArn": {"Fn::GetAtt": ["Source", "Arn"]}}}}}`)
	if _, err := New(a, nil, Options{AWS: srv.Config(), Has: func(string) bool { return false }, Logs: io.Discard}); err == nil {
		t.Error("New accepted a mapping to a function it cannot run")
	}
}
