package eventflow

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/acme/customers-api/internal/customers"
	"github.com/acme/customers-api/internal/customers/changes"
	"github.com/acme/customers-api/internal/customers/handlers"
	"github.com/acme/customers-api/internal/customers/schemas"
	"github.com/acme/customers-api/internal/customers/store/storetest"
	"github.com/acme/customers-api/internal/testenv/moto"
	"github.com/acme/customers-api/lambdakit/ddb"
	"github.com/acme/customers-api/lambdakit/envelope"
	"github.com/acme/customers-api/lambdakit/forwarder"
	"github.com/acme/customers-api/lambdakit/outbox"
	"github.com/acme/customers-api/lambdakit/validate"
)

var srv *moto.Server

func TestMain(m *testing.M) { moto.TestMain(m, &srv) }

const eventSource = "com.acme.customers"

// pipeline is one environment's event path in moto.
type pipeline struct {
	t                          *testing.T
	ctx                        context.Context
	table                      string
	db                         *dynamodb.Client
	api                        *handlers.Handlers
	sns                        *sns.Client
	sqs                        *sqs.Client
	eb                         *eventbridge.Client
	topic                      string
	forwardQ, analyticsQ, crmQ string
	bus                        string
	publisher                  *outbox.Publisher
	forwarder                  *forwarder.Forwarder
}

var quiet = slog.New(slog.NewJSONHandler(io.Discard, nil))

func newPipeline(t *testing.T) *pipeline {
	cfg := srv.Config()
	ctx := context.Background()
	p := &pipeline{t: t, ctx: ctx, sns: sns.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg), eb: eventbridge.NewFromConfig(cfg)}
	db := ddb.New(cfg)
	p.db = db
	p.table = fmt.Sprintf("customers-%s", t.Name())
	must(t, storetest.CreateTable(ctx, db, p.table))
	p.api = handlers.New(handlers.Deps{DB: db, Table: p.table, Logger: quiet})

	topic, err := p.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events-" + t.Name())})
	must(t, err)
	p.topic = *topic.TopicArn
	p.forwardQ = p.queue("forward-" + t.Name())
	_, err = p.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &p.topic, Protocol: aws.String("sqs"),
		Endpoint: aws.String(p.queueARN(p.forwardQ)), Attributes: map[string]string{"RawMessageDelivery": "true"}})
	must(t, err)

	p.bus = "customers-" + t.Name()
	_, err = p.eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: &p.bus})
	must(t, err)
	p.analyticsQ = p.queue("analytics-" + t.Name())
	p.crmQ = p.queue("crm-" + t.Name())
	p.rule("analytics", `{"source":["`+eventSource+`"]}`, p.analyticsQ)
	p.rule("crm", `{"source":["`+eventSource+`"],"detail-type":["customer.created","customer.status-changed"]}`, p.crmQ)

	p.publisher = &outbox.Publisher{SNS: p.sns, TopicARN: p.topic, Map: changes.Map, Attributes: changes.Attributes, Logger: quiet}
	p.forwarder = &forwarder.Forwarder{EventBridge: p.eb, BusName: p.bus, Source: eventSource, Logger: quiet}
	return p
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (p *pipeline) queue(name string) string {
	q, err := p.sqs.CreateQueue(p.ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	must(p.t, err)
	return *q.QueueUrl
}

func (p *pipeline) queueARN(url string) string {
	a, err := p.sqs.GetQueueAttributes(p.ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	must(p.t, err)
	return a.Attributes["QueueArn"]
}

func (p *pipeline) rule(name, pattern, queue string) {
	_, err := p.eb.PutRule(p.ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventBusName: &p.bus, EventPattern: &pattern})
	must(p.t, err)
	_, err = p.eb.PutTargets(p.ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), EventBusName: &p.bus,
		Targets: []ebtypes.Target{{Id: aws.String(name), Arn: aws.String(p.queueARN(queue))}}})
	must(p.t, err)
}

// change sends a request through a handler and checks its status.
func (p *pipeline) change(fn func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error),
	method, id, body string, headers map[string]string, want int) customers.Customer {
	p.t.Helper()
	req := events.APIGatewayProxyRequest{HTTPMethod: method, Path: "/customers", Body: body,
		Headers: map[string]string{"Content-Type": "application/json"}}
	for k, v := range headers {
		req.Headers[k] = v
	}
	if id != "" {
		req.PathParameters = map[string]string{"id": id}
	}
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	resp, _ := fn(ctx, req)
	if resp.StatusCode != want {
		p.t.Fatalf("%s %s = %d %s, want %d", method, id, resp.StatusCode, resp.Body, want)
	}
	var c customers.Customer
	json.Unmarshal([]byte(resp.Body), &c)
	return c
}

// records reads the table's stream as Lambda would deliver it.
func (p *pipeline) records() []events.DynamoDBEventRecord {
	recs, err := srv.StreamRecords(p.ctx, p.table)
	must(p.t, err)
	return recs
}

// publish runs the publisher on records in batches of size n, as Lambda
// does, and returns the failures it reported.
func (p *pipeline) publish(recs []events.DynamoDBEventRecord, n int) []string {
	var failed []string
	for batch := range slices.Chunk(recs, n) {
		resp, err := p.publisher.Handle(p.ctx, events.DynamoDBEvent{Records: batch})
		must(p.t, err)
		for _, f := range resp.BatchItemFailures {
			failed = append(failed, f.ItemIdentifier)
		}
	}
	return failed
}

// drain receives every message in a queue, deleting them.
func (p *pipeline) drain(queue string) []string {
	var bodies []string
	for empty := 0; empty < 2; {
		out, err := p.sqs.ReceiveMessage(p.ctx, &sqs.ReceiveMessageInput{QueueUrl: &queue, MaxNumberOfMessages: 10})
		must(p.t, err)
		if len(out.Messages) == 0 {
			empty++
			continue
		}
		for _, m := range out.Messages {
			bodies = append(bodies, *m.Body)
		}
		p.deleteAll(queue, out.Messages)
	}
	return bodies
}

// forward moves the forwarding queue's messages through the forwarder in
// batches of 10, as the event source mapping does, and returns failures.
func (p *pipeline) forward() []string {
	var failed []string
	for {
		out, err := p.sqs.ReceiveMessage(p.ctx, &sqs.ReceiveMessageInput{QueueUrl: &p.forwardQ, MaxNumberOfMessages: 10})
		must(p.t, err)
		if len(out.Messages) == 0 {
			return failed
		}
		batch := events.SQSEvent{}
		for _, m := range out.Messages {
			batch.Records = append(batch.Records, events.SQSMessage{MessageId: *m.MessageId, Body: *m.Body})
		}
		resp, err := p.forwarder.Handle(p.ctx, batch)
		must(p.t, err)
		for _, f := range resp.BatchItemFailures {
			failed = append(failed, f.ItemIdentifier)
		}
		p.deleteAll(p.forwardQ, out.Messages)
	}
}

// deleteAll deletes received messages in one call.
func (p *pipeline) deleteAll(queue string, msgs []sqstypes.Message) {
	var entries []sqstypes.DeleteMessageBatchRequestEntry
	for _, m := range msgs {
		entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: m.MessageId, ReceiptHandle: m.ReceiptHandle})
	}
	_, err := p.sqs.DeleteMessageBatch(p.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &queue, Entries: entries})
	must(p.t, err)
}

// delivered returns the envelopes a rule target received.
func (p *pipeline) delivered(queue string) []envelope.Event {
	var out []envelope.Event
	for _, body := range p.drain(queue) {
		var ebEvent struct {
			Source     string          `json:"source"`
			DetailType string          `json:"detail-type"`
			Detail     json.RawMessage `json:"detail"`
		}
		must(p.t, json.Unmarshal([]byte(body), &ebEvent))
		var ev envelope.Event
		must(p.t, json.Unmarshal(ebEvent.Detail, &ev))
		if ebEvent.Source != eventSource || ebEvent.DetailType != ev.Type {
			p.t.Errorf("EventBridge source %q detail-type %q for a %s event", ebEvent.Source, ebEvent.DetailType, ev.Type)
		}
		if err := eventSchema.Decode(ebEvent.Detail, new(any)); err != nil {
			p.t.Errorf("event %s does not match customer-event.schema.json: %v", ev.ID, err)
		}
		out = append(out, ev)
	}
	return out
}

var eventSchema = validate.MustCompile(schemas.FS, schemas.Event)

func types(evs []envelope.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func ebEntryFailed() ebtypes.PutEventsResultEntry {
	return ebtypes.PutEventsResultEntry{ErrorCode: aws.String("InternalFailure"), ErrorMessage: aws.String("injected")}
}
