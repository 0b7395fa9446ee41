package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/acme/customers-api/internal/testenv/moto"
	"github.com/acme/customers-api/lambdakit/envelope"
	"github.com/acme/customers-api/lambdakit/outbox"
)

var srv *moto.Server

func TestMain(m *testing.M) { moto.TestMain(m, &srv) }

// topicToQueue is an SNS topic with an SQS queue subscribed (raw delivery).
func topicToQueue(t *testing.T) (*sns.Client, string, *sqs.Client, string) {
	t.Helper()
	ctx := context.Background()
	snsc, sqsc := sns.NewFromConfig(srv.Config()), sqs.NewFromConfig(srv.Config())
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(t.Name())})
	if err != nil {
		t.Fatal(err)
	}
	q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(t.Name())})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:sqs:eu-west-1:123456789012:" + t.Name()
	if _, err := snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: &arn,
		Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	return snsc, *topic.TopicArn, sqsc, *q.QueueUrl
}

func record(seq string) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{EventID: "e" + seq, Change: events.DynamoDBStreamRecord{SequenceNumber: seq}}
}

// mapper makes one event per record, and fails on the record "bad".
func mapper(rec events.DynamoDBEventRecord) ([]envelope.Event, error) {
	if rec.Change.SequenceNumber == "bad" {
		return nil, errors.New("cannot map")
	}
	ev, err := envelope.New(envelope.ID(rec.Change.SequenceNumber), "thing.created", "/things", "thing/"+rec.Change.SequenceNumber,
		"urn:things:v1", time.Unix(0, 0), "", map[string]string{"seq": rec.Change.SequenceNumber})
	return []envelope.Event{ev}, err
}

func received(t *testing.T, sqsc *sqs.Client, url string) []string {
	t.Helper()
	out, err := sqsc.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10,
		MessageAttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, m := range out.Messages {
		var ev envelope.Event
		if err := json.Unmarshal([]byte(*m.Body), &ev); err != nil {
			t.Fatalf("message is not an event: %s", *m.Body)
		}
		if got := aws.ToString(m.MessageAttributes["eventType"].StringValue); got != ev.Type {
			t.Errorf("eventType attribute %q, event type %q", got, ev.Type)
		}
		subjects = append(subjects, ev.Subject)
	}
	return subjects
}

// A record that cannot be published is reported as the batch's first
// failure, so Lambda retries from it; the records before it are published
// once and the ones after it not yet.
func TestAFailedRecordStopsTheBatchAndIsReported(t *testing.T) {
	snsc, topic, sqsc, url := topicToQueue(t)
	p := &outbox.Publisher{SNS: snsc, TopicARN: topic, Map: mapper, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	resp, err := p.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{record("1"), record("bad"), record("3")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "bad" {
		t.Errorf("failures %+v, want the record bad", resp.BatchItemFailures)
	}
	if got := received(t, sqsc, url); len(got) != 1 || got[0] != "thing/1" {
		t.Errorf("delivered %v, want thing/1 only", got)
	}
}

func TestAPublishFailureIsReportedNotLost(t *testing.T) {
	snsc, _, _, _ := topicToQueue(t)
	p := &outbox.Publisher{SNS: snsc, TopicARN: "arn:aws:sns:eu-west-1:123456789012:no-such-topic", Map: mapper,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	resp, err := p.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{record("1")}})
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "1" {
		t.Errorf("got %+v, %v; want record 1 reported as failed", resp, err)
	}
}
