package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/internal/customers/handlers"
	"github.com/acme/customers-api/internal/customers/store/storetest"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/internal/testenv/ddbmeter"
	"github.com/acme/customers-api/lambdakit/ddb"
	"github.com/acme/customers-api/lambdakit/httpx"
)

// meteredAPI is handlers whose DynamoDB client (wrapped by wrap, if any)
// counts its calls, and calls returns the operations each request made.
func meteredAPI(t *testing.T, wrap func(handlers.DB) handlers.DB) (*api, func() []string) {
	plain, table := storetest.NewTable(t, srv)
	meter := ddbmeter.New(plain, []string{td.PartitionKey, td.SortKey})
	cfg := srv.Config()
	meter.AddTo(&cfg)
	var db handlers.DB = ddb.New(cfg)
	if wrap != nil {
		db = wrap(db)
	}
	log := &testenv.Buffer{}
	a := &api{t: t, log: log, db: plain, table: table, h: handlers.New(handlers.Deps{DB: db, Table: table, Logger: slog.New(slog.NewJSONHandler(log, nil))})}
	return a, func() []string {
		s, err := ddbmeter.Summarize(meter.Take())
		if err != nil {
			t.Fatal(err)
		}
		return s.Operations
	}
}

func wantCalls(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: DynamoDB calls (-want +got):\n%s", what, diff)
	}
}

// Ten creates with one key at once: one customer, ten identical answers,
// and each request one TransactWriteItems: the losers replay the winner's
// record from the cancellation, without reading it.
func TestConcurrentDuplicatesOfAKeyedCreateEachMakeOneTransaction(t *testing.T) {
	a, calls := meteredAPI(t, nil)
	var (
		mu        sync.Mutex
		responses []httpx.Response
	)
	parallel(10, func(int) httpx.Response {
		resp := a.create("A", "a@example.com", map[string]string{"Idempotency-Key": "dup"})
		mu.Lock()
		responses = append(responses, resp)
		mu.Unlock()
		return resp
	})
	replays := 0
	for _, r := range responses {
		wantStatus(t, r, http.StatusCreated)
		if r.Body != responses[0].Body || r.Headers["ETag"] != responses[0].Headers["ETag"] || r.Headers["Location"] != responses[0].Headers["Location"] {
			t.Errorf("answers differ: %s vs %s", r.Body, responses[0].Body)
		}
		if r.Headers["Idempotent-Replayed"] == "true" {
			replays++
		}
	}
	if replays != 9 {
		t.Errorf("%d replays, want 9 (one request created the customer)", replays)
	}
	wantCalls(t, "ten duplicates", calls(), slices.Repeat([]string{"TransactWriteItems"}, 10)...)
	if found := lookup(a, "a@example.com"); len(found) != 1 {
		t.Errorf("the address is held by %d customers", len(found))
	}
}

// A create that committed but whose answer was lost (503): the retry
// replays the stored 201 in one round trip, naming the customer that
// exists.
func TestTheRetryOfACreateWhoseAnswerWasLostReplaysItInOneRoundTrip(t *testing.T) {
	armed := &atomic.Bool{}
	armed.Store(true)
	a, calls := meteredAPI(t, func(db handlers.DB) handlers.DB { return committedButLost{db, armed} })
	key := map[string]string{"Idempotency-Key": "lost"}
	wantStatus(t, a.create("A", "a@example.com", key), http.StatusServiceUnavailable)
	calls()
	retry := a.create("A", "a@example.com", key)
	wantStatus(t, retry, http.StatusCreated)
	wantCalls(t, "the retry", calls(), "TransactWriteItems")
	if retry.Headers["Idempotent-Replayed"] != "true" {
		t.Error("the retry was not a replay of the committed create")
	}
	if found := lookup(a, "a@example.com"); len(found) != 1 || found[0].ID != decode[customer](t, retry).ID {
		t.Errorf("the retry answered %s, the table holds %+v", retry.Body, found)
	}
}

// retriedTransactions applies every TransactWriteItems twice and answers
// with the second result, as the SDK does when a transaction's response is
// lost and it retries (moto does not honour ClientRequestToken).
type retriedTransactions struct{ handlers.DB }

func (r retriedTransactions) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	r.DB.TransactWriteItems(ctx, in, opts...)
	return r.DB.TransactWriteItems(ctx, in, opts...)
}

// The SDK's own retry of a keyed create that committed finds its own
// record: the first answer, not a replay and not a 409 for its address.
func TestAnSDKRetryOfAKeyedCreateRecognizesItsOwnRecord(t *testing.T) {
	a := newAPIWith(t, func(db handlers.DB) handlers.DB { return retriedTransactions{db} })
	resp := a.create("A", "a@example.com", map[string]string{"Idempotency-Key": "sdk-retry"})
	wantStatus(t, resp, http.StatusCreated)
	if resp.Headers["Idempotent-Replayed"] != "" {
		t.Error("the first answer is marked as a replay")
	}
	if found := lookup(a, "a@example.com"); len(found) != 1 || found[0].ID != decode[customer](t, resp).ID {
		t.Errorf("answered %s, the table holds %+v", resp.Body, found)
	}
}

// A keyed create whose address is taken answers 409 and stores it (one
// put after the cancelled transaction): a retry gets the same 409 in one
// round trip, even once the address is free, and creates nothing.
func TestAKeyedCreateAnswered409IsReplayedEvenAfterTheAddressIsFreed(t *testing.T) {
	a, calls := meteredAPI(t, nil)
	holder := a.mustCreate("Holder", "a@example.com")
	calls()
	key := map[string]string{"Idempotency-Key": "taken"}
	first := a.create("A", "a@example.com", key)
	wantStatus(t, first, http.StatusConflict)
	wantCalls(t, "the 409", calls(), "TransactWriteItems", "PutItem")
	wantStatus(t, a.do(req{method: "DELETE", path: "/customers/" + holder.ID}), http.StatusNoContent)
	calls()
	retry := a.create("A", "a@example.com", key)
	wantStatus(t, retry, http.StatusConflict)
	wantCalls(t, "the retry", calls(), "TransactWriteItems")
	if retry.Headers["Idempotent-Replayed"] != "true" || retry.Body != first.Body {
		t.Errorf("the retry was not the stored 409: %v %s", retry.Headers, retry.Body)
	}
	if found := lookup(a, "a@example.com"); len(found) != 0 {
		t.Errorf("the replayed 409 created %+v", found)
	}
}

// A duplicate that meets the first request's transaction in progress waits
// for it without reading, and answers 409 with Retry-After before its own
// deadline; once the first commits, a retry replays it in one round trip.
func TestADuplicateWaitingOnATransactionInProgressAnswers409BeforeItsDeadline(t *testing.T) {
	gate := &gatedDB{started: make(chan struct{}), release: make(chan struct{})}
	a, calls := meteredAPI(t, func(db handlers.DB) handlers.DB { gate.DB = db; return gate })
	key := map[string]string{"Idempotency-Key": "in-progress"}
	first := make(chan httpx.Response)
	go func() { first <- a.create("A", "a@example.com", key) }()
	<-gate.started

	const deadline = 1500 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	resp := a.doCtx(ctx, req{method: "POST", path: "/customers", headers: key, body: `{"name":"A","email":"a@example.com"}`})
	if elapsed := time.Since(start); elapsed >= deadline {
		t.Errorf("answered after %v, past the deadline of %v", elapsed, deadline)
	}
	wantStatus(t, resp, http.StatusConflict)
	if resp.Headers["Retry-After"] == "" {
		t.Error("409 without Retry-After")
	}
	for _, op := range calls() {
		if op != "TransactWriteItems" {
			t.Errorf("the waiting duplicate made a %s", op)
		}
	}
	close(gate.release)
	wantStatus(t, <-first, http.StatusCreated)
	calls()
	replay := a.create("A", "a@example.com", key)
	wantStatus(t, replay, http.StatusCreated)
	wantCalls(t, "the retry after the commit", calls(), "TransactWriteItems")
}

// An update keeping the e-mail is one conditional UpdateItem whatever its
// outcome; changing the address adds the transaction that moves the claim.
func TestAnUpdateKeepingTheEmailIsOneConditionalWrite(t *testing.T) {
	a, calls := meteredAPI(t, nil)
	c := a.mustCreate("A", "a@example.com")
	body := func(name, email string) string {
		return `{"name":"` + name + `","email":"` + email + `","status":"ACTIVE"}`
	}
	for _, step := range []struct {
		name, ifMatch, body string
		status              int
		version             int64
		calls               []string
	}{
		{"a rename", `"1"`, body("A2", "a@example.com"), http.StatusOK, 2, []string{"UpdateItem"}},
		{"the same values again", `"2"`, body("A2", "a@example.com"), http.StatusOK, 2, []string{"UpdateItem"}},
		{"a stale version", `"1"`, body("A3", "a@example.com"), http.StatusPreconditionFailed, 0, []string{"UpdateItem"}},
		{"a list naming the version", `"9", "2"`, body("A3", "a@example.com"), http.StatusOK, 3, []string{"UpdateItem"}},
		{"any version", `*`, body("A4", "a@example.com"), http.StatusOK, 4, []string{"UpdateItem"}},
		{"a new address", `"4"`, body("A4", "b@example.com"), http.StatusOK, 5, []string{"UpdateItem", "TransactWriteItems"}},
		{"a weak tag", `W/"5"`, body("A5", "b@example.com"), http.StatusPreconditionFailed, 0, []string{"GetItem"}},
	} {
		calls()
		resp := a.put(c.ID, step.ifMatch, step.body)
		wantStatus(t, resp, step.status)
		wantCalls(t, step.name, calls(), step.calls...)
		if step.status == http.StatusOK {
			if got := decode[customer](t, resp); got.Version != step.version || resp.Headers["ETag"] != httpx.ETag(step.version) {
				t.Errorf("%s: version %d, ETag %s; want %d", step.name, got.Version, resp.Headers["ETag"], step.version)
			}
		}
	}
	wantStatus(t, a.put("CUST-01ARZ3NDEKTSV4RRFFQ69G5FAV", `"1"`, body("X", "x@example.com")), http.StatusNotFound)
	wantCalls(t, "an unknown id", calls(), "UpdateItem")
	if found := lookup(a, "b@example.com"); len(found) != 1 || found[0].Name != "A4" {
		t.Errorf("b@example.com finds %+v", found)
	}
	if found := lookup(a, "a@example.com"); len(found) != 0 {
		t.Errorf("the old address is still claimed by %+v", found)
	}
}
