package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/acme/customers-api/internal/customers/handlers"
	"github.com/acme/customers-api/internal/customers/store/storetest"
	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/internal/testenv/faults"
	"github.com/acme/customers-api/lambdakit/ddb"
)

// lambdaDeadline is the invocation's deadline in these tests (the handler
// keeps 500ms of it for its answer), and latency what a struggling DynamoDB
// adds to every response: a request's first call answers, its second runs
// into the deadline. A create (with or without a key) and an update keeping
// the e-mail make one call, which slowerLatency makes outlast the deadline
// by itself.
const (
	lambdaDeadline = 3 * time.Second
	latency        = 1400 * time.Millisecond
	slowerLatency  = 2800 * time.Millisecond
)

// throughProxy is handlers whose DynamoDB client (production retry policy)
// reaches moto through a real TCP proxy that the test can slow down.
func throughProxy(t *testing.T) (*api, *faults.Proxy) {
	_, table := storetest.NewTable(t, srv)
	proxy := faults.New(t, srv.Endpoint)
	db := ddb.New(aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(proxy.Endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")})
	log := &testenv.Buffer{}
	return &api{t: t, log: log, db: db, table: table, h: handlers.New(handlers.Deps{
		DB: db, Table: table, Logger: slog.New(slog.NewJSONHandler(log, nil)),
	})}, proxy
}

// slowCall sends r with DynamoDB slow and the Lambda deadline set, and
// checks the answer is a 503 that leaves before the deadline.
func slowCall(t *testing.T, a *api, proxy *faults.Proxy, latency time.Duration, r req) {
	t.Helper()
	proxy.Slow(t, latency)
	defer proxy.Heal()
	ctx, cancel := context.WithTimeout(context.Background(), lambdaDeadline)
	defer cancel()
	start := time.Now()
	resp := a.doCtx(ctx, r)
	elapsed := time.Since(start)
	wantStatus(t, resp, http.StatusServiceUnavailable)
	if elapsed >= lambdaDeadline {
		t.Errorf("answered after %v: past the Lambda deadline of %v", elapsed, lambdaDeadline)
	}
	if resp.Headers["Retry-After"] == "" {
		t.Error("503 without Retry-After")
	}
}

// lookup is the customers an e-mail lookup finds, which checks that the
// address's claim and customer agree.
func lookup(a *api, email string) []customer {
	return decode[struct{ Items []customer }](a.t, a.do(req{method: "GET", path: "/customers", query: map[string]string{"email": email}})).Items
}

// Every write path answers 503 inside the deadline margin when DynamoDB is
// slow, and leaves no half-done state: each write is one item or one
// transaction, and a keyed create can be retried at once.
func TestEveryWritePathAnswersInsideTheDeadlineWhenDynamoDBIsSlow(t *testing.T) {
	const body = `{"name":"A","email":"a@example.com"}`
	t.Run("create with Idempotency-Key", func(t *testing.T) {
		t.Parallel()
		a, proxy := throughProxy(t)
		key := map[string]string{"Idempotency-Key": "slow-create", "Content-Type": "application/json"}
		slowCall(t, a, proxy, slowerLatency, req{method: "POST", path: "/customers", headers: key, body: body})
		// The key is not held for a whole lease: once the deadline has
		// passed, the retry runs (or finds the committed customer).
		time.Sleep(lambdaDeadline)
		retry := a.do(req{method: "POST", path: "/customers", headers: key, body: body})
		wantStatus(t, retry, http.StatusCreated)
		if found := lookup(a, "a@example.com"); len(found) != 1 || found[0].ID != decode[customer](t, retry).ID {
			t.Errorf("after the retry the table holds %+v", found)
		}
	})
	t.Run("create", func(t *testing.T) {
		t.Parallel()
		a, proxy := throughProxy(t)
		slowCall(t, a, proxy, slowerLatency, req{method: "POST", path: "/customers", body: body})
		if found := lookup(a, "a@example.com"); len(found) > 1 {
			t.Errorf("one create made %d customers", len(found))
		}
	})
	for _, c := range []struct {
		name, method, email string
		latency             time.Duration
	}{
		{"update keeping the e-mail", "PUT", "a@example.com", slowerLatency},
		{"update changing the e-mail", "PUT", "b@example.com", latency},
		{"delete", "DELETE", "", latency},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, proxy := throughProxy(t)
			created := a.mustCreate("A", "a@example.com")
			r := req{method: c.method, path: "/customers/" + created.ID, headers: map[string]string{"If-Match": `"1"`}}
			if c.method == "PUT" {
				r.body = `{"name":"A2","email":"` + c.email + `","status":"ACTIVE"}`
			}
			slowCall(t, a, proxy, c.latency, r)
			// Whatever committed, the customer and its e-mail claims agree.
			got := a.do(req{method: "GET", path: "/customers/" + created.ID})
			var holders []customer
			for _, email := range []string{"a@example.com", "b@example.com"} {
				holders = append(holders, lookup(a, email)...)
			}
			switch got.StatusCode {
			case http.StatusNotFound:
				if len(holders) != 0 {
					t.Errorf("deleted customer still holds %+v", holders)
				}
			case http.StatusOK:
				now := decode[customer](t, got)
				if len(holders) != 1 || holders[0] != now {
					t.Errorf("customer %+v, e-mail lookups find %+v", now, holders)
				}
			default:
				t.Errorf("GET after the slow write: %d", got.StatusCode)
			}
		})
	}
}
