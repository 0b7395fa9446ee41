// Package forwarder moves events from an SQS queue (fed by an SNS topic
// with raw delivery) to an EventBridge bus. Entries are sent in PutEvents
// calls of at most 10 entries and 256 KiB; entries that EventBridge reports
// as failed are retried alone, and messages whose entries still fail are
// reported as batch-item failures so that only they return to the queue.
package forwarder

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/acme/customers-api/lambdakit/envelope"
	"github.com/acme/customers-api/lambdakit/envvars"
	"github.com/acme/customers-api/lambdakit/lambdaenv"
)

// PutEvents limits.
const (
	MaxEntries    = 10
	MaxBatchBytes = 256 * 1024
)

// EventBridgeAPI is the part of the EventBridge client the forwarder uses.
type EventBridgeAPI interface {
	PutEvents(context.Context, *eventbridge.PutEventsInput, ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Forwarder is the SQS handler.
type Forwarder struct {
	EventBridge EventBridgeAPI
	BusName     string
	// Source is the EventBridge source of every entry, e.g. "com.acme.customers".
	Source string
	// Attempts is how often a failing entry is sent (default 3).
	Attempts int
	Logger   *slog.Logger
}

type pending struct {
	messageID string
	entry     types.PutEventsRequestEntry
	size      int
}

// Handle forwards the batch and reports the messages that could not be.
func (f *Forwarder) Handle(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
	var (
		failed []string
		todo   []pending
	)
	for _, m := range batch.Records {
		p, err := f.entry(m)
		if err != nil {
			f.Logger.Error("unreadable message", "messageId", m.MessageId, "error", err.Error())
			failed = append(failed, m.MessageId)
			continue
		}
		todo = append(todo, p)
	}
	for _, chunk := range chunks(todo) {
		failed = append(failed, f.send(ctx, chunk)...)
	}
	resp := events.SQSEventResponse{}
	for _, id := range failed {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
	}
	f.Logger.Info("forwarded", "messages", len(batch.Records), "failed", len(failed))
	return resp, nil
}

func (f *Forwarder) entry(m events.SQSMessage) (pending, error) {
	var ev envelope.Event
	if err := json.Unmarshal([]byte(m.Body), &ev); err != nil || ev.ID == "" || ev.Type == "" {
		return pending{}, fmt.Errorf("not an event envelope: %v", err)
	}
	e := types.PutEventsRequestEntry{
		EventBusName: aws.String(f.BusName),
		Source:       aws.String(f.Source),
		DetailType:   aws.String(ev.Type),
		Detail:       aws.String(m.Body),
		Time:         aws.Time(ev.Time),
	}
	if ev.TraceParent != "" {
		e.TraceHeader = aws.String(ev.TraceParent)
	}
	// EventBridge counts an entry as its source, detail type, detail and
	// time (14 bytes).
	size := len(f.Source) + len(ev.Type) + len(m.Body) + 14
	if size > MaxBatchBytes {
		return pending{}, fmt.Errorf("event %s is %d bytes, over EventBridge's %d", ev.ID, size, MaxBatchBytes)
	}
	return pending{messageID: m.MessageId, entry: e, size: size}, nil
}

// chunks groups entries into PutEvents calls within both limits.
func chunks(all []pending) [][]pending {
	var (
		out  [][]pending
		cur  []pending
		size int
	)
	for _, p := range all {
		if len(cur) == MaxEntries || size+p.size > MaxBatchBytes {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, p)
		size += p.size
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// send puts a chunk, retrying only the entries that failed, and returns the
// message ids that still failed after the last attempt.
func (f *Forwarder) send(ctx context.Context, chunk []pending) []string {
	attempts := f.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	for attempt := 1; ; attempt++ {
		entries := make([]types.PutEventsRequestEntry, len(chunk))
		for i, p := range chunk {
			entries[i] = p.entry
		}
		out, err := f.EventBridge.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
		var retry []pending
		switch {
		case err != nil:
			f.Logger.Warn("PutEvents failed", "attempt", attempt, "entries", len(chunk), "error", err.Error())
			retry = chunk
		default:
			for i, r := range out.Entries {
				if r.ErrorCode != nil {
					f.Logger.Warn("entry failed", "attempt", attempt, "messageId", chunk[i].messageID, "errorCode", aws.ToString(r.ErrorCode))
					retry = append(retry, chunk[i])
				}
			}
		}
		if len(retry) == 0 {
			return nil
		}
		if attempt == attempts || ctx.Err() != nil {
			ids := make([]string, len(retry))
			for i, p := range retry {
				ids[i] = p.messageID
			}
			return ids
		}
		chunk = retry
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
	}
}

// Main is the body of a forwarder's main: it builds the EventBridge client
// once per container from the environment (EVENT_BUS_NAME, EVENT_SOURCE and
// the AWS variables) and starts the Lambda runtime.
func Main() {
	logger, env, cfg := lambdaenv.Start(envvars.EventBusName, envvars.EventSource)
	f := &Forwarder{EventBridge: eventbridge.NewFromConfig(cfg), BusName: env[envvars.EventBusName], Source: env[envvars.EventSource], Logger: logger}
	lambda.Start(f.Handle)
}
