// Package pumps runs the event source mappings of the templates as Lambda
// runs them (DynamoDB streams and SQS queues polled, batches delivered to
// the function, batch item failures and on-failure destinations honoured),
// and collects what EventBridge rules deliver to their SQS targets.
package pumps

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/acme/customers-api/internal/motoserver"
	"github.com/acme/customers-api/localapi/internal/provision"
	"github.com/acme/customers-api/localapi/internal/template"
)

// mapping is an AWS::Lambda::EventSourceMapping from a DynamoDB stream or
// an SQS queue to a function.
type mapping struct {
	id, function, source string
	batchSize            int
	partial              bool      // ReportBatchItemFailures
	filters              []pattern // FilterCriteria; a record passes when one matches
	onFailure            string    // SQS queue URL for stream batches that keep failing
	queueURL             string    // the source queue of an SQS mapping
	stream               *motoserver.StreamReader
}

// Options configure New.
type Options struct {
	// AWS sends the SDK to moto.
	AWS aws.Config
	// Invoke calls a function by ARN; Has says whether it is one of the
	// functions Invoke runs.
	Invoke func(ctx context.Context, function string, event any) ([]byte, error)
	Has    func(function string) bool
	// PollInterval is how often a mapping polls its source and a target
	// queue is drained.
	PollInterval time.Duration
	// Logs receives the failures of batches.
	Logs io.Writer
}

// Pumps are the event source mappings and rule targets of the templates.
type Pumps struct {
	assembly   *template.Assembly
	opts       Options
	sqs        *sqs.Client
	motoConfig aws.Config
	mappings   []*mapping
	targets    []provision.Target
	wg         sync.WaitGroup

	eventsMu sync.Mutex
	events   map[string][]json.RawMessage // by rule logical id
}

// New reads the templates' event source mappings; targets are the rule
// targets whose events Events returns. A mapping whose source or function
// the local environment does not run, or whose filter it does not model, is
// an error.
func New(a *template.Assembly, targets []provision.Target, opts Options) (*Pumps, error) {
	e := &Pumps{assembly: a, opts: opts, sqs: sqs.NewFromConfig(opts.AWS), motoConfig: opts.AWS, targets: targets, events: map[string][]json.RawMessage{}}
	var err error
	if e.mappings, err = e.load(); err != nil {
		return nil, err
	}
	return e, nil
}

// Start polls every mapping's source and drains every target queue until
// ctx ends; Wait waits for them to stop.
func (e *Pumps) Start(ctx context.Context) {
	for _, m := range e.mappings {
		e.wg.Go(func() { e.pump(ctx, m) })
	}
	for _, t := range e.targets {
		e.wg.Go(func() { e.collect(ctx, t) })
	}
}

// Wait waits until the goroutines of Start have stopped.
func (e *Pumps) Wait() { e.wg.Wait() }

func (e *Pumps) invokeFunction(ctx context.Context, function string, event any) ([]byte, error) {
	return e.opts.Invoke(ctx, function, event)
}

func (e *Pumps) logf(format string, args ...any) {
	fmt.Fprintf(e.opts.Logs, format+"\n", args...)
}

func (e *Pumps) load() ([]*mapping, error) {
	a := e.assembly
	var out []*mapping
	for _, r := range a.Resources("AWS::Lambda::EventSourceMapping") {
		m := &mapping{id: r.LogicalID, batchSize: 10}
		fn, err := a.String(r.Stack, r.Properties["FunctionName"])
		if err != nil {
			return nil, fmt.Errorf("localapi: %s: %w", r.LogicalID, err)
		}
		m.function = a.FunctionARN(fn)
		if !e.opts.Has(m.function) {
			return nil, fmt.Errorf("localapi: %s: function %s is not a Go function of the templates", r.LogicalID, fn)
		}
		if m.source, err = a.String(r.Stack, r.Properties["EventSourceArn"]); err != nil {
			return nil, fmt.Errorf("localapi: %s: %w", r.LogicalID, err)
		}
		if b, ok := r.Properties["BatchSize"].(float64); ok {
			m.batchSize = int(b)
		}
		var types []string
		if err := a.Decode(r, "FunctionResponseTypes", &types); err != nil {
			return nil, err
		}
		m.partial = len(types) == 1 && types[0] == "ReportBatchItemFailures"
		var criteria struct{ Filters []struct{ Pattern string } }
		if err := a.Decode(r, "FilterCriteria", &criteria); err != nil {
			return nil, err
		}
		for _, f := range criteria.Filters {
			p, err := parsePattern(f.Pattern)
			if err != nil {
				return nil, fmt.Errorf("localapi: %s: %w", r.LogicalID, err)
			}
			m.filters = append(m.filters, p)
		}
		var dest struct{ OnFailure struct{ Destination string } }
		if err := a.Decode(r, "DestinationConfig", &dest); err != nil {
			return nil, err
		}
		m.onFailure = e.assembly.QueueURL(dest.OnFailure.Destination)
		switch {
		case strings.HasPrefix(m.source, "arn:aws:dynamodb:"):
			m.stream = motoserver.NewStreamReader(e.motoConfig, m.source)
		case strings.HasPrefix(m.source, "arn:aws:sqs:"):
			if m.queueURL = e.assembly.QueueURL(m.source); m.queueURL == "" {
				return nil, fmt.Errorf("localapi: %s: queue %s is not in the templates", r.LogicalID, m.source)
			}
		default:
			return nil, fmt.Errorf("localapi: %s: event source %s is not modelled", r.LogicalID, m.source)
		}
		out = append(out, m)
	}
	return out, nil
}

// pump polls the mapping's source until ctx ends and invokes the function
// with each batch, as Lambda's event source mappings do.
func (e *Pumps) pump(ctx context.Context, m *mapping) {
	for ctx.Err() == nil {
		var err error
		if m.stream != nil {
			err = e.pumpStream(ctx, m)
		} else {
			err = e.pumpQueue(ctx, m)
		}
		if err != nil && ctx.Err() == nil {
			e.logf("local: event source mapping %s: %v", m.id, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(e.opts.PollInterval):
		}
	}
}

// pumpStream delivers the stream's new records that pass the filters, in
// batches. A batch that fails three times goes to the on-failure
// destination, so that the mapping moves on as Lambda's does once the
// retries are spent.
func (e *Pumps) pumpStream(ctx context.Context, m *mapping) error {
	records, err := m.stream.Next(ctx)
	if err != nil {
		return err
	}
	var kept []events.DynamoDBEventRecord
	for _, r := range records {
		if m.matches(r) {
			kept = append(kept, r)
		}
	}
	for len(kept) > 0 {
		n := min(len(kept), m.batchSize)
		batch := events.DynamoDBEvent{Records: kept[:n]}
		kept = kept[n:]
		var lastErr error
		for range 3 {
			payload, err := e.invokeFunction(ctx, m.function, batch)
			if err == nil && m.partial {
				var resp events.DynamoDBEventResponse
				json.Unmarshal(payload, &resp)
				if len(resp.BatchItemFailures) > 0 {
					err = fmt.Errorf("%d records failed", len(resp.BatchItemFailures))
				}
			}
			if lastErr = err; err == nil {
				break
			}
		}
		if lastErr != nil {
			e.logf("local: %s: a batch of %d records failed three times: %v", m.id, len(batch.Records), lastErr)
			if m.onFailure != "" {
				body, _ := json.Marshal(map[string]any{"mapping": m.id, "error": lastErr.Error(), "records": len(batch.Records)})
				e.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &m.onFailure, MessageBody: aws.String(string(body))})
			}
		}
	}
	return nil
}

// pumpQueue receives a batch from the queue, invokes the function and
// deletes the messages that did not fail; failed ones return after their
// visibility timeout and reach the queue's dead-letter queue by its
// redrive policy.
func (e *Pumps) pumpQueue(ctx context.Context, m *mapping) error {
	out, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &m.queueURL, MaxNumberOfMessages: int32(min(m.batchSize, 10)),
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"}})
	if err != nil || len(out.Messages) == 0 {
		return err
	}
	event := events.SQSEvent{}
	for _, msg := range out.Messages {
		attrs := map[string]events.SQSMessageAttribute{}
		for k, v := range msg.MessageAttributes {
			attrs[k] = events.SQSMessageAttribute{DataType: aws.ToString(v.DataType), StringValue: v.StringValue}
		}
		event.Records = append(event.Records, events.SQSMessage{MessageId: aws.ToString(msg.MessageId), ReceiptHandle: aws.ToString(msg.ReceiptHandle),
			Body: aws.ToString(msg.Body), Attributes: msg.Attributes, MessageAttributes: attrs, EventSource: "aws:sqs", EventSourceARN: m.source,
			AWSRegion: e.assembly.Region, Md5OfBody: aws.ToString(msg.MD5OfBody)})
	}
	payload, err := e.invokeFunction(ctx, m.function, event)
	if err != nil {
		return err // every message returns after its visibility timeout
	}
	failed := map[string]bool{}
	if m.partial {
		var resp events.SQSEventResponse
		json.Unmarshal(payload, &resp)
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
	}
	for _, msg := range out.Messages {
		if !failed[aws.ToString(msg.MessageId)] {
			e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &m.queueURL, ReceiptHandle: msg.ReceiptHandle})
		}
	}
	return nil
}

func (m *mapping) matches(r events.DynamoDBEventRecord) bool {
	if len(m.filters) == 0 {
		return true
	}
	b, _ := json.Marshal(r)
	var doc map[string]any
	json.Unmarshal(b, &doc)
	for _, f := range m.filters {
		if f.matches(doc) {
			return true
		}
	}
	return false
}

// Events returns the events delivered so far to each rule's SQS target,
// by the rule's logical id, oldest first. The local environment drains the
// target queues to keep them.
func (e *Pumps) Events() map[string][]json.RawMessage {
	e.eventsMu.Lock()
	defer e.eventsMu.Unlock()
	out := map[string][]json.RawMessage{}
	for k, v := range e.events {
		out[k] = append([]json.RawMessage(nil), v...)
	}
	return out
}

func (e *Pumps) collect(ctx context.Context, t provision.Target) {
	for ctx.Err() == nil {
		out, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &t.Queue, MaxNumberOfMessages: 10})
		if err == nil {
			for _, m := range out.Messages {
				e.eventsMu.Lock()
				e.events[t.Rule] = append(e.events[t.Rule], json.RawMessage(aws.ToString(m.Body)))
				e.eventsMu.Unlock()
				e.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &t.Queue, ReceiptHandle: m.ReceiptHandle})
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(e.opts.PollInterval):
		}
	}
}
