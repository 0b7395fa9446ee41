// Package outbox publishes a DynamoDB table's stream as business events on
// an SNS topic. The stream is the outbox: a change is committed once, in the
// table, and its events follow from the stream, so no event is lost to a
// failure between a write and a publish. Records are processed in order; the
// first record that cannot be published is reported as a batch-item failure,
// so Lambda retries from it and nothing after it is skipped.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/acme/customers-api/lambdakit/envelope"
	"github.com/acme/customers-api/lambdakit/envvars"
	"github.com/acme/customers-api/lambdakit/lambdaenv"
)

// SNSAPI is the part of the SNS client the publisher uses.
type SNSAPI interface {
	PublishBatch(context.Context, *sns.PublishBatchInput, ...func(*sns.Options)) (*sns.PublishBatchOutput, error)
}

// Mapper turns one stream record into its events (none for records that
// are not business changes).
type Mapper func(events.DynamoDBEventRecord) ([]envelope.Event, error)

// Attributes are the SNS message attributes of an event, for subscription
// filter policies. "eventType" is always set.
type Attributes func(envelope.Event) map[string]string

// Publisher is the stream handler.
type Publisher struct {
	SNS        SNSAPI
	TopicARN   string
	Map        Mapper
	Attributes Attributes
	Logger     *slog.Logger
}

// Handle publishes the batch's events and reports the first record that
// failed, if any.
func (p *Publisher) Handle(ctx context.Context, batch events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	published := 0
	for _, rec := range batch.Records {
		evs, err := p.Map(rec)
		if err == nil {
			err = p.publish(ctx, evs)
		}
		if err != nil {
			p.Logger.Error("publish failed; retrying from this record",
				"eventId", rec.EventID, "sequenceNumber", rec.Change.SequenceNumber, "error", err.Error())
			return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{
				{ItemIdentifier: rec.Change.SequenceNumber},
			}}, nil
		}
		published += len(evs)
	}
	p.Logger.Info("published", "records", len(batch.Records), "events", published)
	return events.DynamoDBEventResponse{}, nil
}

// Publish sends events to the topic, at most ten at a time, as the stream
// handler does; recovery tools use it to re-send events rebuilt elsewhere.
func (p *Publisher) Publish(ctx context.Context, evs []envelope.Event) error {
	for batch := range slices.Chunk(evs, 10) {
		if err := p.publish(ctx, batch); err != nil {
			return err
		}
	}
	return nil
}

// publish sends one record's events (at most a few) in one batch call.
func (p *Publisher) publish(ctx context.Context, evs []envelope.Event) error {
	if len(evs) == 0 {
		return nil
	}
	entries := make([]types.PublishBatchRequestEntry, len(evs))
	for i, ev := range evs {
		body, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("encode event %s: %w", ev.ID, err)
		}
		attrs := map[string]types.MessageAttributeValue{"eventType": stringAttr(ev.Type)}
		if p.Attributes != nil {
			for k, v := range p.Attributes(ev) {
				attrs[k] = stringAttr(v)
			}
		}
		entries[i] = types.PublishBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), Message: aws.String(string(body)), MessageAttributes: attrs}
	}
	out, err := p.SNS.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: &p.TopicARN, PublishBatchRequestEntries: entries})
	if err != nil {
		return fmt.Errorf("publish to SNS: %w", err)
	}
	if n := len(out.Failed); n > 0 {
		return fmt.Errorf("SNS refused %d of %d events: %s", n, len(evs), aws.ToString(out.Failed[0].Code))
	}
	return nil
}

func stringAttr(v string) types.MessageAttributeValue {
	return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
}

// Main is the body of a publisher's main: it builds the SNS client once per
// container from the environment (TOPIC_ARN and the AWS variables) and starts
// the Lambda runtime.
func Main(m Mapper, attrs Attributes) {
	logger, env, cfg := lambdaenv.Start(envvars.TopicARN)
	p := &Publisher{SNS: sns.NewFromConfig(cfg), TopicARN: env[envvars.TopicARN], Map: m, Attributes: attrs, Logger: logger}
	lambda.Start(p.Handle)
}
