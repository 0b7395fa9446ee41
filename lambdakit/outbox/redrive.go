package outbox

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// StreamsAPI is the part of the DynamoDB Streams client Redrive uses.
type StreamsAPI interface {
	GetShardIterator(context.Context, *dynamodbstreams.GetShardIteratorInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(context.Context, *dynamodbstreams.GetRecordsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

// QueueAPI is the part of the SQS client Redrive uses.
type QueueAPI interface {
	ReceiveMessage(context.Context, *sqs.ReceiveMessageInput, ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(context.Context, *sqs.DeleteMessageInput, ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
}

// FailedBatch is the message Lambda's on-failure destination receives for
// a stream batch that exhausted its retries or its maximum age: pointers
// into the stream, not the records. They stay readable for the stream's
// retention (24 hours for DynamoDB Streams) from the records' creation.
type FailedBatch struct {
	DDBStreamBatchInfo struct {
		ShardID             string `json:"shardId"`
		StartSequenceNumber string `json:"startSequenceNumber"`
		EndSequenceNumber   string `json:"endSequenceNumber"`
		StreamARN           string `json:"streamArn"`
	} `json:"DDBStreamBatchInfo"`
}

// RedriveReport counts what a redrive did.
type RedriveReport struct {
	Batches, Records int
}

// Redrive re-reads from the stream every batch a dead-letter queue points
// at and publishes its events; each message is deleted once its records are
// published, so a redrive that stops part-way can be run again. Events are
// idempotent by id, so records published twice are harmless.
func (p *Publisher) Redrive(ctx context.Context, streams StreamsAPI, queue QueueAPI, queueURL string) (RedriveReport, error) {
	var report RedriveReport
	for {
		out, err := queue.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queueURL, MaxNumberOfMessages: 10, VisibilityTimeout: 300})
		if err != nil {
			return report, fmt.Errorf("receive from %s: %w", queueURL, err)
		}
		if len(out.Messages) == 0 {
			return report, nil
		}
		for _, m := range out.Messages {
			var batch FailedBatch
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &batch); err != nil || batch.DDBStreamBatchInfo.ShardID == "" {
				return report, fmt.Errorf("message %s is not a stream batch failure: %s", aws.ToString(m.MessageId), aws.ToString(m.Body))
			}
			recs, err := readBatch(ctx, streams, batch)
			if err != nil {
				return report, err
			}
			for _, rec := range recs {
				evs, err := p.Map(rec)
				if err == nil {
					err = p.publish(ctx, evs)
				}
				if err != nil {
					return report, fmt.Errorf("record %s: %w", rec.Change.SequenceNumber, err)
				}
			}
			if _, err := queue.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &queueURL, ReceiptHandle: m.ReceiptHandle}); err != nil {
				return report, fmt.Errorf("delete message %s: %w", aws.ToString(m.MessageId), err)
			}
			report.Batches++
			report.Records += len(recs)
		}
	}
}

// readBatch returns the records from the batch's start to its end sequence
// number, as Lambda would have delivered them.
func readBatch(ctx context.Context, streams StreamsAPI, b FailedBatch) ([]events.DynamoDBEventRecord, error) {
	info := b.DDBStreamBatchInfo
	it, err := streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
		StreamArn: &info.StreamARN, ShardId: &info.ShardID,
		ShardIteratorType: streamtypes.ShardIteratorTypeAtSequenceNumber, SequenceNumber: &info.StartSequenceNumber,
	})
	if err != nil {
		return nil, fmt.Errorf("read shard %s from %s (past the stream's retention?): %w", info.ShardID, info.StartSequenceNumber, err)
	}
	var out []events.DynamoDBEventRecord
	for iter := it.ShardIterator; iter != nil; {
		page, err := streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			return nil, fmt.Errorf("read shard %s: %w", info.ShardID, err)
		}
		for _, r := range page.Records {
			rec := lambdaRecord(r, info.StreamARN)
			if seqAfter(rec.Change.SequenceNumber, info.EndSequenceNumber) {
				return out, nil
			}
			out = append(out, rec)
		}
		if len(page.Records) == 0 {
			break
		}
		iter = page.NextShardIterator
	}
	return out, nil
}

// seqAfter compares two sequence numbers, which are decimal strings.
func seqAfter(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

// lambdaRecord is a stream record as Lambda delivers it to a handler.
func lambdaRecord(r streamtypes.Record, streamARN string) events.DynamoDBEventRecord {
	rec := events.DynamoDBEventRecord{
		EventID: aws.ToString(r.EventID), EventName: string(r.EventName), EventSource: aws.ToString(r.EventSource),
		EventVersion: aws.ToString(r.EventVersion), AWSRegion: aws.ToString(r.AwsRegion), EventSourceArn: streamARN,
	}
	if d := r.Dynamodb; d != nil {
		rec.Change = events.DynamoDBStreamRecord{
			Keys: image(d.Keys), NewImage: image(d.NewImage), OldImage: image(d.OldImage),
			SequenceNumber: aws.ToString(d.SequenceNumber), SizeBytes: aws.ToInt64(d.SizeBytes),
			StreamViewType: string(d.StreamViewType),
		}
		if d.ApproximateCreationDateTime != nil {
			rec.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: *d.ApproximateCreationDateTime}
		}
	}
	return rec
}

func image(m map[string]streamtypes.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = attribute(v)
	}
	return out
}

func attribute(v streamtypes.AttributeValue) events.DynamoDBAttributeValue {
	switch v := v.(type) {
	case *streamtypes.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *streamtypes.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *streamtypes.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *streamtypes.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *streamtypes.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *streamtypes.AttributeValueMemberM:
		return events.NewMapAttribute(image(v.Value))
	case *streamtypes.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, x := range v.Value {
			l[i] = attribute(x)
		}
		return events.NewListAttribute(l)
	case *streamtypes.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value)
	}
	return events.NewNullAttribute() // the SDK has no other kinds
}
