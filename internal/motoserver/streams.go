package motoserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// StreamRecords returns every record in a table's stream so far, in order,
// as Lambda delivers them to a stream handler.
func (s *Server) StreamRecords(ctx context.Context, table string) ([]events.DynamoDBEventRecord, error) {
	desc, err := dynamodb.NewFromConfig(s.Config()).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		return nil, err
	}
	return NewStreamReader(s.Config(), aws.ToString(desc.Table.LatestStreamArn)).Next(ctx)
}

// StreamReader reads a DynamoDB stream from its start, as Lambda's event
// source mapping does: each Next returns the records written since the
// previous one. GetRecords answers in the same JSON as Lambda's event
// records, so the raw answers are decoded.
type StreamReader struct {
	arn     string
	raw     *rawBodies
	streams *dynamodbstreams.Client
	region  string
	// last is the sequence number of the last record read, by shard id.
	last map[string]string
}

// NewStreamReader reads the stream with this ARN through cfg.
func NewStreamReader(cfg aws.Config, streamARN string) *StreamReader {
	raw := &rawBodies{next: http.DefaultClient}
	cfg.HTTPClient = raw
	return &StreamReader{arn: streamARN, raw: raw, streams: dynamodbstreams.NewFromConfig(cfg), region: cfg.Region, last: map[string]string{}}
}

// Next returns the records written since the last call, shard by shard.
func (r *StreamReader) Next(ctx context.Context) ([]events.DynamoDBEventRecord, error) {
	stream, err := r.streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: &r.arn})
	if err != nil {
		return nil, err
	}
	var out []events.DynamoDBEventRecord
	for _, shard := range stream.StreamDescription.Shards {
		// A fresh iterator after the last record on every call: moto's
		// transaction rollback replaces a table's stream shard, and an
		// iterator kept from before reads the old shard, with the rolled
		// back write in it and none of the later ones.
		in := &dynamodbstreams.GetShardIteratorInput{StreamArn: &r.arn, ShardId: shard.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon}
		if last, ok := r.last[*shard.ShardId]; ok {
			in.ShardIteratorType, in.SequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, &last
		}
		it, err := r.streams.GetShardIterator(ctx, in)
		if err != nil {
			return nil, err
		}
		iter := it.ShardIterator
		for iter != nil {
			page, err := r.streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				return nil, err
			}
			var body struct{ Records []events.DynamoDBEventRecord }
			if err := json.Unmarshal(r.raw.last, &body); err != nil {
				return nil, fmt.Errorf("decode GetRecords: %w", err)
			}
			for _, rec := range body.Records {
				rec.EventSourceArn, rec.AWSRegion = r.arn, r.region
				out = append(out, rec)
				r.last[*shard.ShardId] = rec.Change.SequenceNumber
			}
			if len(page.Records) == 0 {
				break
			}
			iter = page.NextShardIterator
		}
	}
	return out, nil
}

// rawBodies keeps the body of the last response it passed on.
type rawBodies struct {
	next *http.Client
	last []byte
}

func (r *rawBodies) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.next.Do(req)
	if err != nil {
		return nil, err
	}
	r.last, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(r.last))
	return resp, err
}
