package handlers_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/acme/customers-api/internal/customers/handlers"
	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/lambdakit/ddb"
)

// apiAt returns handlers whose DynamoDB client talks to endpoint, with the
// production retry policy.
func apiAt(t *testing.T, endpoint string) *api {
	db := ddb.New(aws.Config{
		Region: "eu-west-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""),
	})
	log := &testenv.Buffer{}
	return &api{t: t, log: log, h: handlers.New(handlers.Deps{DB: db, Table: "customers", Logger: slog.New(slog.NewJSONHandler(log, nil))})}
}

// fakeDynamoDB answers every call with the given status and JSON error body,
// as DynamoDB does, after an optional delay.
func fakeDynamoDB(t *testing.T, status int, body string, delay time.Duration) string {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(delay):
		case <-done: // the test is over
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // runs first: cleanups are last in, first out
	return srv.URL
}

const validID = "CUST-01ARZ3NDEKTSV4RRFFQ69G5FAV"

func TestThrottlingIs503WithRetryAfter(t *testing.T) {
	a := apiAt(t, fakeDynamoDB(t, 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}`, 0))
	resp := a.do(req{method: "GET", path: "/customers/" + validID})
	wantStatus(t, resp, http.StatusServiceUnavailable)
	if resp.Headers["Retry-After"] != "1" {
		t.Errorf("Retry-After = %q, want 1", resp.Headers["Retry-After"])
	}
	if strings.Contains(resp.Body, "Rate exceeded") || strings.Contains(resp.Body, "Throttling") {
		t.Errorf("body leaks the cause: %s", resp.Body)
	}
}

func TestAnUnreachableDatabaseIs503(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	a := apiAt(t, "http://"+addr)
	wantStatus(t, a.create("A", "a@example.com", nil), http.StatusServiceUnavailable)
}

func TestUnexpectedErrorsAre500WithoutInternalsButLoggedWithCause(t *testing.T) {
	a := apiAt(t, fakeDynamoDB(t, 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"One or more parameter values were invalid: secret-internal-detail"}`, 0))
	resp := a.do(req{method: "GET", path: "/customers/" + validID})
	wantStatus(t, resp, http.StatusInternalServerError)
	if strings.Contains(resp.Body, "secret-internal-detail") || strings.Contains(resp.Body, "ValidationException") {
		t.Errorf("500 body leaks internals: %s", resp.Body)
	}
	lines := a.logLines()
	if len(lines) != 1 {
		t.Fatalf("%d log lines, want 1", len(lines))
	}
	if l := lines[0]; l["level"] != "ERROR" || !strings.Contains(l["error"].(string), "secret-internal-detail") || l["problem"] != "internal-error" {
		t.Errorf("log line lacks the cause: %v", l)
	}
}

func TestTheLambdaDeadlineIsRespected(t *testing.T) {
	a := apiAt(t, fakeDynamoDB(t, 200, `{}`, 10*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	resp := a.doCtx(ctx, req{method: "GET", path: "/customers/" + validID})
	wantStatus(t, resp, http.StatusServiceUnavailable)
	// The handler keeps a 500ms margin before the deadline for its answer.
	if elapsed := time.Since(start); elapsed > 1400*time.Millisecond {
		t.Errorf("answered after %v, past the deadline margin", elapsed)
	}
}

func TestOneLogLinePerRequestWithoutEmailAddresses(t *testing.T) {
	a := newAPI(t)
	c := a.mustCreate("Grace Hopper", "grace@example.com")
	a.do(req{method: "GET", path: "/customers", query: map[string]string{"email": "grace@example.com"}})
	a.create("Dup", "grace@example.com", nil)
	lines := a.logLines()
	if len(lines) != 3 {
		t.Fatalf("%d log lines for 3 requests, want 3", len(lines))
	}
	want := []struct {
		route  string
		status float64
	}{{"POST /customers", 201}, {"GET /customers", 200}, {"POST /customers", 409}}
	for i, l := range lines {
		for _, field := range []string{"time", "level", "msg", "requestId", "route", "method", "status", "latencyMs", "coldStart"} {
			if _, ok := l[field]; !ok {
				t.Errorf("line %d lacks %s: %v", i, field, l)
			}
		}
		if l["route"] != want[i].route || l["status"] != want[i].status {
			t.Errorf("line %d: route %v status %v, want %s %v", i, l["route"], l["status"], want[i].route, want[i].status)
		}
	}
	if lines[0]["customerId"] != c.ID || lines[2]["problem"] != "email-taken" {
		t.Errorf("annotations missing: %v / %v", lines[0], lines[2])
	}
	if out := a.log.String(); strings.Contains(out, "grace@") || strings.Contains(out, "Grace") {
		t.Errorf("logs contain personal data:\n%s", out)
	}
}
