package handlers_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/internal/customers/handlers"
	"github.com/acme/customers-api/lambdakit/httpx"
	"github.com/acme/customers-api/lambdakit/validate"
)

type customer struct {
	ID          string `json:"customerId"`
	Name        string `json:"name"`
	Email       string `json:"email"`
	Status      string `json:"status"`
	CreatedDate string `json:"createdDate"`
	UpdatedDate string `json:"updatedDate"`
	Version     int64  `json:"version"`
}

type listBody struct {
	Items      []customer `json:"items"`
	NextCursor string     `json:"nextCursor"`
}

var problemSchema = validate.MustCompile(fstest.MapFS{"problem.json": {Data: httpx.ProblemSchema}}, "problem.json")

func decode[T any](t *testing.T, resp httpx.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
		t.Fatalf("body %q: %v", resp.Body, err)
	}
	return v
}

// wantStatus fails unless resp has the status; for errors it also checks
// the problem document.
func wantStatus(t *testing.T, resp httpx.Response, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, status, resp.Body)
	}
	if status < 400 {
		return
	}
	if ct := resp.Headers["Content-Type"]; ct != httpx.ContentTypeProblem {
		t.Errorf("Content-Type = %q, want %s", ct, httpx.ContentTypeProblem)
	}
	if err := problemSchema.Decode([]byte(resp.Body), new(any)); err != nil {
		t.Errorf("problem body %s does not match httpx.ProblemSchema: %v", resp.Body, err)
	}
	p := decode[httpx.Problem](t, resp)
	if p.Status != status || !strings.HasPrefix(p.Type, httpx.ProblemTypeBase) || p.Title == "" || p.Detail == "" || !strings.HasPrefix(p.RequestID, "req-") {
		t.Errorf("incomplete problem document: %+v", p)
	}
}

func (a *api) create(name, email string, headers map[string]string) httpx.Response {
	a.t.Helper()
	return a.do(req{method: "POST", path: "/customers", headers: headers,
		body: fmt.Sprintf(`{"name":%q,"email":%q}`, name, email)})
}

func (a *api) mustCreate(name, email string) customer {
	a.t.Helper()
	resp := a.create(name, email, nil)
	wantStatus(a.t, resp, http.StatusCreated)
	return decode[customer](a.t, resp)
}

func TestCreateReturns201WithLocationAndETag(t *testing.T) {
	a := newAPI(t)
	resp := a.create("  Ada Lovelace ", "Ada@Example.com", nil)
	wantStatus(t, resp, http.StatusCreated)
	c := decode[customer](t, resp)
	if c.Name != "Ada Lovelace" || c.Email != "ada@example.com" || c.Status != "ACTIVE" || c.Version != 1 || !strings.HasPrefix(c.ID, "CUST-") {
		t.Errorf("created %+v", c)
	}
	if got, want := resp.Headers["Location"], "/dev/customers/"+c.ID; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := resp.Headers["ETag"]; got != `"1"` {
		t.Errorf("ETag = %q, want \"1\"", got)
	}
	get := a.do(req{method: "GET", path: "/customers/" + c.ID})
	wantStatus(t, get, http.StatusOK)
	if diff := cmp.Diff(c, decode[customer](t, get)); diff != "" {
		t.Errorf("GET after POST (-created +got):\n%s", diff)
	}
}

func TestCreateRejectsBadRequests(t *testing.T) {
	a := newAPI(t)
	for _, tc := range []struct {
		name   string
		r      req
		status int
	}{
		{"invalid body", req{method: "POST", path: "/customers", body: `{"name":"","email":"x"}`}, 400},
		{"unknown field", req{method: "POST", path: "/customers", body: `{"name":"A","email":"a@b.co","admin":true}`}, 400},
		{"not JSON", req{method: "POST", path: "/customers", body: `name=A`}, 400},
		{"wrong content type", req{method: "POST", path: "/customers", body: `{"name":"A","email":"a@b.co"}`, headers: map[string]string{"Content-Type": "text/plain"}}, 415},
		{"too large", req{method: "POST", path: "/customers", body: `{"name":"` + strings.Repeat("A", 17<<10) + `","email":"a@b.co"}`}, 413},
		{"bad idempotency key", req{method: "POST", path: "/customers", body: `{"name":"A","email":"a@b.co"}`, headers: map[string]string{"Idempotency-Key": "has space"}}, 400},
	} {
		t.Run(tc.name, func(t *testing.T) { wantStatus(t, a.do(tc.r), tc.status) })
	}
	if got := decode[httpx.Problem](t, a.do(req{method: "POST", path: "/customers", body: `{"email":"a@b.co"}`})).Errors; len(got) != 1 || got[0].Pointer != "/name" {
		t.Errorf("validation errors = %+v, want one for /name", got)
	}
}

func TestBase64BodiesAreDecoded(t *testing.T) {
	a := newAPI(t)
	r := req{method: "POST", path: "/customers"}
	e := r.event()
	e.Body = base64.StdEncoding.EncodeToString([]byte(`{"name":"B","email":"b@example.com"}`))
	e.IsBase64Encoded = true
	e.Headers["Content-Type"] = "application/json; charset=utf-8"
	resp, _ := a.h.Create()(context.Background(), e)
	wantStatus(t, resp, http.StatusCreated)
}

func TestDuplicateEmailIs409(t *testing.T) {
	a := newAPI(t)
	a.mustCreate("A", "same@example.com")
	wantStatus(t, a.create("B", "SAME@example.com", nil), http.StatusConflict)
}

func TestIdempotentCreate(t *testing.T) {
	a := newAPI(t)
	key := map[string]string{"Idempotency-Key": "order-42"}
	first := a.create("A", "a@example.com", key)
	wantStatus(t, first, http.StatusCreated)

	again := a.create("A", "a@example.com", key)
	wantStatus(t, again, http.StatusCreated)
	if again.Body != first.Body || again.Headers["Location"] != first.Headers["Location"] {
		t.Errorf("replay differs:\nfirst %s\nagain %s", first.Body, again.Body)
	}
	if again.Headers["Idempotent-Replayed"] != "true" || first.Headers["Idempotent-Replayed"] != "" {
		t.Errorf("replay marker: first %q, again %q", first.Headers["Idempotent-Replayed"], again.Headers["Idempotent-Replayed"])
	}
	wantStatus(t, a.create("Other", "other@example.com", key), http.StatusUnprocessableEntity)

	// Another client may use the same key for its own request.
	other := req{method: "POST", path: "/customers", headers: key, body: `{"name":"C","email":"c@example.com"}`}
	e := other.event()
	e.RequestContext.Authorizer = map[string]any{"claims": map[string]any{"client_id": "another-client"}}
	resp, _ := a.h.Create()(context.Background(), e)
	wantStatus(t, resp, http.StatusCreated)
}

func TestAKeyStillInFlightIs409(t *testing.T) {
	gate := &gatedDB{started: make(chan struct{}), release: make(chan struct{})}
	a := newAPIWith(t, func(db handlers.DB) handlers.DB { gate.DB = db; return gate })
	key := map[string]string{"Idempotency-Key": "slow"}
	first := make(chan httpx.Response)
	go func() { first <- a.create("A", "a@example.com", key) }()
	<-gate.started // the first request holds the key and is writing

	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	resp := a.doCtx(ctx, req{method: "POST", path: "/customers", headers: key, body: `{"name":"A","email":"a@example.com"}`})
	wantStatus(t, resp, http.StatusConflict)
	if resp.Headers["Retry-After"] == "" {
		t.Error("409 in flight has no Retry-After")
	}

	close(gate.release)
	wantStatus(t, <-first, http.StatusCreated)
	replay := a.create("A", "a@example.com", key)
	wantStatus(t, replay, http.StatusCreated)
	if replay.Headers["Idempotent-Replayed"] != "true" {
		t.Error("the retry after completion was not a replay")
	}
}

// gatedDB holds the first transaction in progress until release is
// closed. Meanwhile it answers another transaction on any of the same items
// as DynamoDB does while a transaction is in progress on an item: the
// transaction is cancelled with the reason TransactionConflict for that
// item ("None" for the others), see
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling
// and the CancellationReasons of
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html.
type gatedDB struct {
	handlers.DB
	mu               sync.Mutex
	holding          map[string]bool // keys of the transaction in progress
	started, release chan struct{}
}

func transactKey(it types.TransactWriteItem) string {
	key := map[string]types.AttributeValue{}
	switch {
	case it.Put != nil:
		key = it.Put.Item
	case it.Update != nil:
		key = it.Update.Key
	case it.Delete != nil:
		key = it.Delete.Key
	case it.ConditionCheck != nil:
		key = it.ConditionCheck.Key
	}
	pk, _ := key["pk"].(*types.AttributeValueMemberS)
	sk, _ := key["sk"].(*types.AttributeValueMemberS)
	if pk == nil || sk == nil {
		return ""
	}
	return pk.Value + "\x00" + sk.Value
}

func (g *gatedDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	g.mu.Lock()
	if g.holding == nil { // the first transaction: hold it in progress
		g.holding = map[string]bool{}
		for _, it := range in.TransactItems {
			g.holding[transactKey(it)] = true
		}
		g.mu.Unlock()
		close(g.started)
		<-g.release
		out, err := g.DB.TransactWriteItems(ctx, in, opts...)
		g.mu.Lock()
		g.holding = map[string]bool{}
		g.mu.Unlock()
		return out, err
	}
	reasons, conflict := make([]types.CancellationReason, len(in.TransactItems)), false
	for i, it := range in.TransactItems {
		reasons[i].Code = aws.String("None")
		if g.holding[transactKey(it)] {
			reasons[i].Code, conflict = aws.String("TransactionConflict"), true
		}
	}
	g.mu.Unlock()
	if conflict {
		return nil, &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}
	}
	return g.DB.TransactWriteItems(ctx, in, opts...)
}

func TestGetConditionalAndMissing(t *testing.T) {
	a := newAPI(t)
	c := a.mustCreate("A", "a@example.com")
	resp := a.do(req{method: "GET", path: "/customers/" + c.ID, headers: map[string]string{"If-None-Match": `"1"`}})
	if resp.StatusCode != http.StatusNotModified || resp.Body != "" || resp.Headers["ETag"] != `"1"` {
		t.Errorf("If-None-Match current: %d %q %v, want 304 with ETag and no body", resp.StatusCode, resp.Body, resp.Headers)
	}
	wantStatus(t, a.do(req{method: "GET", path: "/customers/" + c.ID, headers: map[string]string{"If-None-Match": `"0"`}}), http.StatusOK)
	wantStatus(t, a.do(req{method: "GET", path: "/customers/CUST-01ARZ3NDEKTSV4RRFFQ69G5FAV"}), http.StatusNotFound)
	wantStatus(t, a.do(req{method: "GET", path: "/customers/42"}), http.StatusBadRequest)
}

func TestListPagesNewestFirstWithOpaqueCursors(t *testing.T) {
	a := newAPI(t)
	var created []string
	for i := range 25 {
		c := a.mustCreate(fmt.Sprintf("C%d", i), fmt.Sprintf("c%d@example.com", i))
		created = append([]string{c.ID}, created...)
		time.Sleep(2 * time.Millisecond) // distinct creation times
	}
	first := decode[listBody](t, a.do(req{method: "GET", path: "/customers"}))
	if len(first.Items) != 20 || first.NextCursor == "" {
		t.Fatalf("default page: %d items, cursor %q; want 20 and a cursor", len(first.Items), first.NextCursor)
	}
	second := decode[listBody](t, a.do(req{method: "GET", path: "/customers", query: map[string]string{"cursor": first.NextCursor}}))
	if len(second.Items) != 5 || second.NextCursor != "" {
		t.Fatalf("second page: %d items, cursor %q; want 5 and none", len(second.Items), second.NextCursor)
	}
	var got []string
	for _, c := range append(first.Items, second.Items...) {
		got = append(got, c.ID)
	}
	if diff := cmp.Diff(created, got); diff != "" {
		t.Errorf("order (-newest first +got):\n%s", diff)
	}

	tampered := []byte(first.NextCursor)
	tampered[3] ^= 1
	for name, q := range map[string]map[string]string{
		"tampered cursor":         {"cursor": string(tampered)},
		"malformed cursor":        {"cursor": "not-a-cursor"},
		"cursor for other filter": {"cursor": first.NextCursor, "status": "ACTIVE"},
		"limit 0":                 {"limit": "0"},
		"limit 101":               {"limit": "101"},
		"limit not a number":      {"limit": "ten"},
		"unknown status":          {"status": "GONE"},
		"unknown parameter":       {"sort": "name"},
		"email with status":       {"email": "c1@example.com", "status": "ACTIVE"},
		"bad email":               {"email": "nope"},
	} {
		t.Run(name, func(t *testing.T) {
			wantStatus(t, a.do(req{method: "GET", path: "/customers", query: q}), http.StatusBadRequest)
		})
	}
	one := decode[listBody](t, a.do(req{method: "GET", path: "/customers", query: map[string]string{"limit": "1", "status": "ACTIVE"}}))
	if len(one.Items) != 1 || one.NextCursor == "" {
		t.Errorf("limit=1: %d items, cursor %q", len(one.Items), one.NextCursor)
	}
}

func TestLookupByEmail(t *testing.T) {
	a := newAPI(t)
	c := a.mustCreate("A", "a@example.com")
	found := decode[listBody](t, a.do(req{method: "GET", path: "/customers", query: map[string]string{"email": "A@example.com"}}))
	if len(found.Items) != 1 || found.Items[0].ID != c.ID {
		t.Errorf("lookup by e-mail found %+v", found.Items)
	}
	none := a.do(req{method: "GET", path: "/customers", query: map[string]string{"email": "b@example.com"}})
	wantStatus(t, none, http.StatusOK)
	if none.Body != `{"items":[]}` {
		t.Errorf("unknown e-mail body = %s", none.Body)
	}
}

func (a *api) put(id, ifMatch, body string) httpx.Response {
	a.t.Helper()
	headers := map[string]string{}
	if ifMatch != "" {
		headers["If-Match"] = ifMatch
	}
	return a.do(req{method: "PUT", path: "/customers/" + id, headers: headers, body: body})
}

func TestUpdate(t *testing.T) {
	a := newAPI(t)
	c := a.mustCreate("A", "a@example.com")
	a.mustCreate("B", "b@example.com")
	body := `{"name":"A2","email":"a2@example.com","status":"SUSPENDED"}`

	wantStatus(t, a.put(c.ID, "", body), http.StatusPreconditionRequired)
	wantStatus(t, a.put(c.ID, `"7"`, body), http.StatusPreconditionFailed)
	wantStatus(t, a.put("CUST-01ARZ3NDEKTSV4RRFFQ69G5FAV", `"1"`, body), http.StatusNotFound)
	wantStatus(t, a.put(c.ID, `"1"`, `{"name":"A2"}`), http.StatusBadRequest)
	wantStatus(t, a.put(c.ID, `"1"`, `{"name":"A2","email":"b@example.com","status":"ACTIVE"}`), http.StatusConflict)

	resp := a.put(c.ID, `"1"`, body)
	wantStatus(t, resp, http.StatusOK)
	got := decode[customer](t, resp)
	if got.Name != "A2" || got.Email != "a2@example.com" || got.Status != "SUSPENDED" || got.Version != 2 || resp.Headers["ETag"] != `"2"` {
		t.Errorf("updated %+v, ETag %s", got, resp.Headers["ETag"])
	}
	if got.CreatedDate != c.CreatedDate {
		t.Errorf("createdDate changed from %s to %s", c.CreatedDate, got.CreatedDate)
	}
	wantStatus(t, a.put(c.ID, `"1"`, body), http.StatusPreconditionFailed)
	// The old e-mail address is free again.
	a.mustCreate("New A", "a@example.com")
}

func TestDelete(t *testing.T) {
	a := newAPI(t)
	c := a.mustCreate("A", "a@example.com")
	del := func(ifMatch string) httpx.Response {
		headers := map[string]string{}
		if ifMatch != "" {
			headers["If-Match"] = ifMatch
		}
		return a.do(req{method: "DELETE", path: "/customers/" + c.ID, headers: headers})
	}
	wantStatus(t, del(`"9"`), http.StatusPreconditionFailed)
	resp := del(`"1"`)
	if resp.StatusCode != http.StatusNoContent || resp.Body != "" {
		t.Fatalf("DELETE = %d %q, want 204 and no body", resp.StatusCode, resp.Body)
	}
	wantStatus(t, del(""), http.StatusNotFound)
	wantStatus(t, a.do(req{method: "GET", path: "/customers/" + c.ID}), http.StatusNotFound)

	d := a.mustCreate("D", "d@example.com")
	c = d
	if resp := del(""); resp.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE without If-Match = %d", resp.StatusCode)
	}
}

func TestConcurrentUpdatesWithOneETagHaveOneWinner(t *testing.T) {
	a := newAPI(t)
	c := a.mustCreate("A", "a@example.com")
	statuses := parallel(20, func(i int) httpx.Response {
		return a.put(c.ID, `"1"`, fmt.Sprintf(`{"name":"writer %d","email":"a@example.com","status":"ACTIVE"}`, i))
	})
	if statuses[200] != 1 || statuses[412] != 19 || len(statuses) != 2 {
		t.Errorf("statuses %v, want 1×200 and 19×412", statuses)
	}
}

func TestConcurrentCreatesWithOneKeyMakeOneCustomer(t *testing.T) {
	a := newAPI(t)
	var (
		mu        sync.Mutex
		responses []httpx.Response
	)
	parallel(10, func(int) httpx.Response {
		resp := a.create("A", "a@example.com", map[string]string{"Idempotency-Key": "same-key"})
		mu.Lock()
		responses = append(responses, resp)
		mu.Unlock()
		return resp
	})
	for _, r := range responses {
		if r.StatusCode != http.StatusCreated || r.Body != responses[0].Body ||
			r.Headers["Location"] != responses[0].Headers["Location"] || r.Headers["ETag"] != responses[0].Headers["ETag"] {
			t.Errorf("responses differ: %d %s vs %d %s", r.StatusCode, r.Body, responses[0].StatusCode, responses[0].Body)
		}
	}
	list := decode[listBody](t, a.do(req{method: "GET", path: "/customers"}))
	if len(list.Items) != 1 {
		t.Errorf("%d customers exist, want 1", len(list.Items))
	}
}

func TestConcurrentCreatesWithOneEmailHaveOneWinner(t *testing.T) {
	a := newAPI(t)
	statuses := parallel(2, func(i int) httpx.Response {
		return a.create(fmt.Sprintf("Twin %d", i), "twin@example.com", nil)
	})
	if statuses[201] != 1 || statuses[409] != 1 {
		t.Errorf("statuses %v, want one 201 and one 409", statuses)
	}
}

// parallel runs n requests at once and counts their statuses.
func parallel(n int, f func(i int) httpx.Response) map[int]int {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
		start    = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp := f(i)
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return statuses
}

// retriedPuts applies every idempotency PutItem twice and answers with the
// second result, as the SDK does when a put's response is lost and it
// retries: the first attempt wrote the record, the retry finds it.
type retriedPuts struct{ handlers.DB }

func (r retriedPuts) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if pk, ok := in.Item["pk"].(*types.AttributeValueMemberS); ok && strings.HasPrefix(pk.Value, "IDEMPOTENCY#") {
		r.DB.PutItem(ctx, in, opts...)
	}
	return r.DB.PutItem(ctx, in, opts...)
}

func TestARetriedKeyAcquisitionRecognizesItsOwnRecord(t *testing.T) {
	a := newAPIWith(t, func(db handlers.DB) handlers.DB { return retriedPuts{db} })
	key := map[string]string{"Idempotency-Key": "retried"}
	start := time.Now()
	wantStatus(t, a.create("A", "a@example.com", key), http.StatusCreated)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the create took %v: it waited for its own record", d)
	}
	replay := a.create("A", "a@example.com", key)
	wantStatus(t, replay, http.StatusCreated)
	if replay.Headers["Idempotent-Replayed"] != "true" {
		t.Error("the retry after completion was not a replay")
	}
}

// retriedUpdates applies every UpdateItem twice and answers with the second
// result, as the SDK does when an update's response is lost and it retries.
type retriedUpdates struct{ handlers.DB }

func (r retriedUpdates) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.DB.UpdateItem(ctx, in, opts...)
	return r.DB.UpdateItem(ctx, in, opts...)
}

func TestARetriedUpdateThatAlreadyAppliedIsNotA412(t *testing.T) {
	a := newAPIWith(t, func(db handlers.DB) handlers.DB { return retriedUpdates{db} })
	c := a.mustCreate("A", "a@example.com")
	resp := a.put(c.ID, `"1"`, `{"name":"A2","email":"a@example.com","status":"ACTIVE"}`)
	wantStatus(t, resp, http.StatusOK)
	if got := decode[customer](t, resp); got.Version != 2 || got.Name != "A2" {
		t.Errorf("updated %+v", got)
	}
	// A genuinely stale version is still refused.
	wantStatus(t, a.put(c.ID, `"1"`, `{"name":"A3","email":"a@example.com","status":"ACTIVE"}`), http.StatusPreconditionFailed)
}

// API Gateway decodes "+" in a query string as a space, so an address with
// a "+" sent raw arrives with a space: the answer says to send %2B.
func TestARawPlusInTheEmailQueryIsExplained(t *testing.T) {
	a := newAPI(t)
	c := a.mustCreate("A", "ada+news@example.com")
	for _, tc := range []struct {
		name, email string
		status      int
		detail      string
	}{
		{"sent as %2B", "ada+news@example.com", 200, ""},
		{"sent raw, decoded as a space", "ada news@example.com", 400, `holds a space: a "+" in a query string means a space, so send "+" as %2B`},
		{"a raw plus in the domain", "ada@exam ple.com", 400, `holds a space: a "+" in a query string means a space, so send "+" as %2B`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := a.do(req{method: "GET", path: "/customers", query: map[string]string{"email": tc.email}})
			wantStatus(t, resp, tc.status)
			if tc.status == 200 {
				if got := decode[listBody](t, resp).Items; len(got) != 1 || got[0].ID != c.ID {
					t.Errorf("found %+v", got)
				}
				return
			}
			if errs := decode[httpx.Problem](t, resp).Errors; len(errs) != 1 || errs[0].Pointer != "/query/email" || errs[0].Detail != tc.detail {
				t.Errorf("errors %+v, want /query/email: %s", errs, tc.detail)
			}
		})
	}
}
