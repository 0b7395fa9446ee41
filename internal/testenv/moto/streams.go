package moto

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
// as Lambda delivers them to a stream handler. GetRecords answers in the
// same JSON as Lambda's event records, so the raw answers are decoded.
func (s *Server) StreamRecords(ctx context.Context, table string) ([]events.DynamoDBEventRecord, error) {
	cfg := s.Config()
	desc, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		return nil, err
	}
	arn := aws.ToString(desc.Table.LatestStreamArn)
	raw := &rawBodies{next: http.DefaultClient}
	cfg.HTTPClient = raw
	streams := dynamodbstreams.NewFromConfig(cfg)
	stream, err := streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: &arn})
	if err != nil {
		return nil, err
	}
	var out []events.DynamoDBEventRecord
	for _, shard := range stream.StreamDescription.Shards {
		it, err := streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
			StreamArn: &arn, ShardId: shard.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
		})
		if err != nil {
			return nil, err
		}
		for iter := it.ShardIterator; iter != nil; {
			page, err := streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				return nil, err
			}
			var body struct{ Records []events.DynamoDBEventRecord }
			if err := json.Unmarshal(raw.last, &body); err != nil {
				return nil, fmt.Errorf("decode GetRecords: %w", err)
			}
			for _, r := range body.Records {
				r.EventSourceArn, r.AWSRegion = arn, cfg.Region
				out = append(out, r)
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
