package eventflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/internal/customers"
	"github.com/acme/customers-api/internal/customers/changes"
	"github.com/acme/customers-api/lambdakit/envelope"
)

// lifecycle creates, renames, suspends and deletes one customer through the
// handlers, as a client would.
func (p *pipeline) lifecycle() customers.Customer {
	c := p.change(p.api.Create(), "POST", "", `{"name":"Ada","email":"ada@example.com"}`, nil, 201)
	p.change(p.api.Update(), "PUT", c.ID, `{"name":"Ada Lovelace","email":"ada@example.com","status":"ACTIVE"}`, map[string]string{"If-Match": `"1"`}, 200)
	p.change(p.api.Update(), "PUT", c.ID, `{"name":"Ada Lovelace","email":"ada@example.com","status":"SUSPENDED"}`, map[string]string{"If-Match": `"2"`}, 200)
	p.change(p.api.Delete(), "DELETE", c.ID, "", nil, 204)
	return c
}

func TestChangesReachTheRuleTargetsWithTheDocumentedEnvelope(t *testing.T) {
	p := newPipeline(t)
	c := p.lifecycle()
	recs := p.records()
	// The e-mail claim items are in the stream too; only customer items
	// make events.
	if failed := p.publish(recs, 100); len(failed) > 0 {
		t.Fatalf("publisher failures: %v", failed)
	}
	if failed := p.forward(); len(failed) > 0 {
		t.Fatalf("forwarder failures: %v", failed)
	}

	analytics := p.delivered(p.analyticsQ)
	want := []string{changes.Created, changes.Updated, changes.Updated, changes.StatusChanged, changes.Deleted}
	if diff := cmp.Diff(want, types(analytics)); diff != "" {
		t.Errorf("analytics received (-want +got):\n%s", diff)
	}
	crm := p.delivered(p.crmQ)
	if diff := cmp.Diff([]string{changes.Created, changes.StatusChanged}, types(crm)); diff != "" {
		t.Errorf("CRM received (-want +got):\n%s", diff)
	}
	for _, ev := range analytics {
		if ev.Subject != c.ID || ev.Source != changes.Source || ev.SpecVersion != envelope.SpecVersion || ev.DataSchema != changes.DataSchema {
			t.Errorf("envelope %+v", ev)
		}
	}
	var first, rename changes.Data
	mustJSON(t, analytics[0].Data, &first)
	mustJSON(t, analytics[1].Data, &rename)
	if first.Customer.Email != "ada@example.com" || first.Customer.Version != 1 {
		t.Errorf("created data %+v", first)
	}
	if diff := cmp.Diff([]string{"name"}, rename.ChangedFields); diff != "" {
		t.Errorf("changed fields (-want +got):\n%s", diff)
	}
	var status changes.Data
	mustJSON(t, analytics[3].Data, &status)
	if status.PreviousStatus != customers.Active || status.Customer.Status != customers.Suspended {
		t.Errorf("status-changed data %+v", status)
	}
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := jsonUnmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// failingSNS passes the first `pass` calls on, then fails until healed.
type failingSNS struct {
	next interface {
		PublishBatch(context.Context, *sns.PublishBatchInput, ...func(*sns.Options)) (*sns.PublishBatchOutput, error)
	}
	pass, calls int
	healed      bool
}

func (f *failingSNS) PublishBatch(ctx context.Context, in *sns.PublishBatchInput, opts ...func(*sns.Options)) (*sns.PublishBatchOutput, error) {
	f.calls++
	if f.calls > f.pass && !f.healed {
		return nil, errors.New("sns: service unavailable")
	}
	return f.next.PublishBatch(ctx, in, opts...)
}

func TestAFailedPublishIsRetriedFromThatRecordAndNothingIsLost(t *testing.T) {
	p := newPipeline(t)
	p.lifecycle()
	recs := p.records()
	sns := &failingSNS{next: p.sns, pass: 1}
	p.publisher.SNS = sns

	resp, err := p.publisher.Handle(p.ctx, events.DynamoDBEvent{Records: recs})
	must(t, err)
	if len(resp.BatchItemFailures) != 1 {
		t.Fatalf("failures %v, want exactly the first unpublished record", resp.BatchItemFailures)
	}
	failedAt := slices.IndexFunc(recs, func(r events.DynamoDBEventRecord) bool {
		return r.Change.SequenceNumber == resp.BatchItemFailures[0].ItemIdentifier
	})
	if failedAt < 1 {
		t.Fatalf("reported record %d; the first publish succeeded", failedAt)
	}

	// Lambda retries from the reported record; SNS is back.
	sns.healed = true
	if failed := p.publish(recs[failedAt:], 100); len(failed) > 0 {
		t.Fatalf("retry failed: %v", failed)
	}
	p.forward()
	ids := map[string]bool{}
	for _, ev := range p.delivered(p.analyticsQ) {
		ids[ev.ID] = true
	}
	if len(ids) != 5 {
		t.Errorf("%d distinct events delivered, want all 5 changes' events", len(ids))
	}
}

// partialEventBridge fails the given entry positions of the first call and
// records every call's entry count.
type partialEventBridge struct {
	next  *eventbridge.Client
	fail  []int
	calls [][]string
}

func (e *partialEventBridge) PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	var ids []string
	for _, en := range in.Entries {
		ids = append(ids, aws.ToString(en.DetailType)+" "+aws.ToString(en.Detail)[:50])
	}
	e.calls = append(e.calls, ids)
	if len(e.calls) > 1 {
		return e.next.PutEvents(ctx, in, opts...)
	}
	var pass []int
	for i := range in.Entries {
		if !slices.Contains(e.fail, i) {
			pass = append(pass, i)
		}
	}
	sub := &eventbridge.PutEventsInput{}
	for _, i := range pass {
		sub.Entries = append(sub.Entries, in.Entries[i])
	}
	out, err := e.next.PutEvents(ctx, sub, opts...)
	if err != nil {
		return nil, err
	}
	full := &eventbridge.PutEventsOutput{FailedEntryCount: int32(len(e.fail))}
	for i := range in.Entries {
		if slices.Contains(e.fail, i) {
			full.Entries = append(full.Entries, ebEntryFailed())
		} else {
			full.Entries = append(full.Entries, out.Entries[slices.Index(pass, i)])
		}
	}
	return full, nil
}

func TestOnlyTheEntriesEventBridgeRejectedAreRetried(t *testing.T) {
	p := newPipeline(t)
	p.lifecycle()
	p.publish(p.records(), 100)
	eb := &partialEventBridge{next: p.eb, fail: []int{1, 3}}
	p.forwarder.EventBridge = eb
	if failed := p.forward(); len(failed) > 0 {
		t.Fatalf("messages failed after retries: %v", failed)
	}
	if len(eb.calls) != 2 || len(eb.calls[0]) != 5 || len(eb.calls[1]) != 2 {
		t.Fatalf("PutEvents calls with %v entries, want 5 then the 2 rejected", lens(eb.calls))
	}
	if eb.calls[1][0] != eb.calls[0][1] || eb.calls[1][1] != eb.calls[0][3] {
		t.Errorf("the retry sent other entries than the rejected ones")
	}
	if n := len(p.delivered(p.analyticsQ)); n != 5 {
		t.Errorf("%d events delivered, want 5", n)
	}
}

func lens(calls [][]string) []int {
	var out []int
	for _, c := range calls {
		out = append(out, len(c))
	}
	return out
}

func TestReplayingAStreamBatchGivesTheSameEventIDs(t *testing.T) {
	p := newPipeline(t)
	p.lifecycle()
	recs := p.records()
	p.publish(recs, 100)
	p.publish(recs, 100) // Lambda delivers the batch again
	p.forward()
	got := p.delivered(p.analyticsQ)
	if len(got) != 10 {
		t.Fatalf("%d events delivered, want each of the 5 twice", len(got))
	}
	count := map[string]int{}
	for _, ev := range got {
		count[ev.ID]++
	}
	if len(count) != 5 {
		t.Errorf("%d distinct ids, want 5: a replay must repeat the ids", len(count))
	}
	for id, n := range count {
		if n != 2 {
			t.Errorf("id %s delivered %d times", id, n)
		}
	}
}

// TestEveryChangeOfAThousandIsDelivered makes 1,000 changes: 10 creates and
// 990 renames, one event each. (moto's transactional writes slow down as
// its table grows, so a thousand creates would measure moto, not this code.)
func TestEveryChangeOfAThousandIsDelivered(t *testing.T) {
	p := newPipeline(t)
	const customersN, n = 10, 1000
	var ids []string
	for i := range customersN {
		c := p.change(p.api.Create(), "POST", "", fmt.Sprintf(`{"name":"C%d","email":"c%d@example.com"}`, i, i), nil, 201)
		ids = append(ids, c.ID)
	}
	for i := range n - customersN {
		id, version := ids[i%customersN], i/customersN+1
		p.change(p.api.Update(), "PUT", id, fmt.Sprintf(`{"name":"N%d","email":"c%d@example.com","status":"ACTIVE"}`, i, i%customersN),
			map[string]string{"If-Match": fmt.Sprintf(`"%d"`, version)}, 200)
	}
	// The pipeline runs continuously: each stream batch is published,
	// forwarded and consumed before the next (moto scans a whole queue on
	// every receive, so letting 1,000 messages pile up would only time moto).
	var got []envelope.Event
	for batch := range slices.Chunk(p.records(), 100) {
		if failed := p.publish(batch, 100); len(failed) > 0 {
			t.Fatalf("publisher failures: %v", failed)
		}
		if failed := p.forward(); len(failed) > 0 {
			t.Fatalf("forwarder failures: %v", failed)
		}
		got = append(got, p.delivered(p.analyticsQ)...)
	}
	ids2 := map[string]bool{}
	for _, ev := range got {
		ids2[ev.ID] = true
	}
	if len(got) != n || len(ids2) != n {
		t.Errorf("delivered %d events with %d distinct ids for %d changes", len(got), len(ids2), n)
	}
}
