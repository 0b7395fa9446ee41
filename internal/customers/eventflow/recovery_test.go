package eventflow

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/acme/customers-api/internal/customers/changes"
	"github.com/acme/customers-api/internal/customers/recovery"
	"github.com/acme/customers-api/internal/customers/store"
	"github.com/acme/customers-api/lambdakit/outbox"
)

// failToDLQ plays the event source mapping while SNS is down: each batch
// of n records fails every retry, and Lambda sends the batch's stream
// pointers, not its records, to the on-failure queue.
func (p *pipeline) failToDLQ(recs []events.DynamoDBEventRecord, n int, dlq string) {
	p.publisher.SNS = &failingSNS{next: p.sns}
	for batch := range slices.Chunk(recs, n) {
		resp, err := p.publisher.Handle(p.ctx, events.DynamoDBEvent{Records: batch})
		must(p.t, err)
		if len(resp.BatchItemFailures) == 0 {
			p.t.Fatal("a batch was published while SNS was down")
		}
		var msg outbox.FailedBatch
		info := &msg.DDBStreamBatchInfo
		info.ShardID = shardOf(p, batch[0])
		info.StartSequenceNumber, info.EndSequenceNumber = batch[0].Change.SequenceNumber, batch[len(batch)-1].Change.SequenceNumber
		info.StreamARN = batch[0].EventSourceArn
		body, _ := json.Marshal(msg)
		_, err = p.sqs.SendMessage(p.ctx, &sqs.SendMessageInput{QueueUrl: &dlq, MessageBody: aws.String(string(body))})
		must(p.t, err)
	}
	p.publisher.SNS = p.sns
}

// shardOf is the shard holding rec (the test table's stream has one).
func shardOf(p *pipeline, rec events.DynamoDBEventRecord) string {
	desc, err := dynamodbstreams.NewFromConfig(srv.Config()).DescribeStream(p.ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: &rec.EventSourceArn})
	must(p.t, err)
	if len(desc.StreamDescription.Shards) != 1 {
		p.t.Fatalf("%d shards", len(desc.StreamDescription.Shards))
	}
	return *desc.StreamDescription.Shards[0].ShardId
}

// countByID counts the events a rule target received, by id.
func countByID(p *pipeline) map[string]int {
	p.forward()
	n := map[string]int{}
	for _, ev := range p.delivered(p.analyticsQ) {
		n[ev.ID]++
	}
	return n
}

// With the publisher down, every change's batch fails to the DLQ; the
// redrive delivers every event exactly once, and a reconciliation of the
// same hours re-sends only ids already delivered (each customer's current
// version), which consumers drop as duplicates.
func TestRecoveryDeliversEveryEventAfterThePublisherWasDown(t *testing.T) {
	p := newPipeline(t)
	start := time.Now().Add(-time.Minute)
	deleted := p.lifecycle() // created, renamed, suspended, deleted
	kept := p.change(p.api.Create(), "POST", "", `{"name":"Grace","email":"grace@example.com"}`, nil, 201)
	p.change(p.api.Update(), "PUT", kept.ID, `{"name":"Grace Hopper","email":"grace@example.com","status":"ACTIVE"}`, map[string]string{"If-Match": `"1"`}, 200)
	p.change(p.api.Create(), "POST", "", `{"name":"Edsger","email":"edsger@example.com"}`, nil, 201)
	recs := p.records()
	want := map[string]bool{}
	for _, r := range recs {
		evs, err := changes.Map(r)
		must(t, err)
		for _, ev := range evs {
			want[ev.ID] = true
		}
	}
	dlq := p.queue("publisher-dlq-" + t.Name())
	p.failToDLQ(recs, 3, dlq)
	if got := countByID(p); len(got) != 0 {
		t.Fatalf("events delivered while the publisher was down: %v", got)
	}

	report, err := p.publisher.Redrive(p.ctx, dynamodbstreams.NewFromConfig(srv.Config()), p.sqs, dlq)
	must(t, err)
	got := countByID(p)
	if report.Records != len(recs) || len(got) != len(want) {
		t.Errorf("redrove %d of %d records; delivered %d distinct events of %d", report.Records, len(recs), len(got), len(want))
	}
	for id, n := range got {
		if !want[id] || n != 1 {
			t.Errorf("event %s delivered %d times (expected: %v)", id, n, want[id])
		}
	}
	t.Logf("redrove %d batches, %d stream records: %d events delivered, each once", report.Batches, report.Records, len(got))
	if left := p.drain(dlq); len(left) != 0 {
		t.Errorf("%d messages left in the DLQ", len(left))
	}

	sent, err := recovery.Reconcile(p.ctx, p.publisher, p.db, p.table, start, time.Now().Add(time.Minute))
	must(t, err)
	again := countByID(p)
	if sent != 2 || len(again) != 2 {
		t.Errorf("reconciliation sent %d events, delivered %d; want the current version of the 2 live customers", sent, len(again))
	}
	t.Logf("reconciliation re-sent %d events, all ids already delivered", sent)
	for id := range again {
		if !want[id] {
			t.Errorf("reconciliation made event %s, which the stream never had: it would not be a duplicate", id)
		}
	}
	if _, err := store.New(p.db, p.table).Get(p.ctx, deleted.ID); err == nil {
		t.Error("the deleted customer is back")
	}
}
