package forwarder

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

type recorder struct{ calls []int }

func (r *recorder) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	r.calls = append(r.calls, len(in.Entries))
	return &eventbridge.PutEventsOutput{Entries: make([]types.PutEventsResultEntry, len(in.Entries))}, nil
}

func message(id string, padding int) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: `{"id":"` + id + `","type":"customer.updated","time":"2026-06-30T10:00:00Z","data":{"pad":"` + strings.Repeat("x", padding) + `"}}`}
}

func TestBatchesStayWithinTenEntriesAnd256KiB(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n, size int
		want    []int
	}{
		{"small", 25, 100, []int{10, 10, 5}},
		{"large", 7, 100 * 1024, []int{2, 2, 2, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{}
			f := &Forwarder{EventBridge: r, BusName: "bus", Source: "src", Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}
			var batch events.SQSEvent
			for i := range tc.n {
				batch.Records = append(batch.Records, message(string(rune('a'+i)), tc.size))
			}
			resp, _ := f.Handle(context.Background(), batch)
			if len(resp.BatchItemFailures) != 0 {
				t.Errorf("failures %v", resp.BatchItemFailures)
			}
			if len(r.calls) != len(tc.want) {
				t.Fatalf("calls %v, want %v", r.calls, tc.want)
			}
			for i := range tc.want {
				if r.calls[i] != tc.want[i] {
					t.Errorf("calls %v, want %v", r.calls, tc.want)
				}
			}
		})
	}
}

func TestUnreadableMessagesAreReportedAlone(t *testing.T) {
	f := &Forwarder{EventBridge: &recorder{}, BusName: "bus", Source: "src", Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	resp, _ := f.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		message("good", 10), {MessageId: "bad", Body: "not json"}, {MessageId: "empty", Body: "{}"},
	}})
	var got []string
	for _, f := range resp.BatchItemFailures {
		got = append(got, f.ItemIdentifier)
	}
	if strings.Join(got, ",") != "bad,empty" {
		t.Errorf("failures %v, want bad and empty", got)
	}
}
