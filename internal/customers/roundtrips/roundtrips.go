// Package roundtrips measures, against moto, how many DynamoDB calls each
// customers API operation makes on its path (one after another and in all)
// and the request units they consume (internal/testenv/ddbmeter), next to
// the same operation behind a generic idempotency wrapper. The bench
// (tools/bench) reports it in BENCHMARKS.md, and a test holds every
// operation to its committed count (testdata/expected.json).
package roundtrips

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/events"

	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/customers/handlers"
	"github.com/acme/customers-api/internal/customers/store/storetest"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
	"github.com/acme/customers-api/internal/testenv/ddbmeter"
	"github.com/acme/customers-api/internal/testenv/moto"
	"github.com/acme/customers-api/lambdakit/ddb"
	"github.com/acme/customers-api/lambdakit/httpx"
	"github.com/acme/customers-api/lambdakit/idempotency"
	"github.com/acme/customers-api/lambdakit/metrics"
)

// Scenario is one operation on one of its paths.
type Scenario struct {
	Name string
	// Minimum is the fewest round trips in sequence the operation can make
	// with this table design, and Why says what bounds it.
	Minimum int
	Why     string
	// Write is an operation a generic idempotency wrapper would wrap;
	// GenericAs names the scenario whose wrapped figure stands for this
	// one's (a keyed create compares with the wrapped plain create).
	Write     bool
	GenericAs string
	// request prepares the table (unmetered) and returns the request to
	// measure, which must answer status.
	request func(ctx context.Context, e *env) (events.APIGatewayProxyRequest, int, error)
	// Operation is the operation whose handler serves the request.
	Operation contract.OperationName
}

// Result is a scenario's measurement.
type Result struct {
	Scenario
	ddbmeter.Summary
	// LogBytes is what the handler logged for the request (its log line
	// and metrics), each line counted with CloudWatch Logs' 26 bytes of
	// event overhead.
	LogBytes int
	// Wrapped is the same request behind a generic idempotency wrapper
	// (idempotency.Store.Do: a conditional put of the key before the
	// operation, an update storing the response after it, as Powertools'
	// idempotency utility does), for writes; nil for reads.
	Wrapped *ddbmeter.Summary
}

// Before is each scenario's round trips in sequence before issue 26
// (commit ab5c3a9): measured by this package, its two files copied onto
// that commit. In all they were the same, but for the list's 8.
var Before = map[string]int{
	"get": 1, "list (a page of 20)": 1, "lookup by e-mail": 2, "create": 1,
	"create with Idempotency-Key": 3, "retry of a create with Idempotency-Key (replay)": 1,
	"create with Idempotency-Key, e-mail taken (409)": 4,
	"update keeping the e-mail":                       2, "update changing the e-mail": 2, "delete": 2,
}

// Scenarios are the operations measured, in the order reported.
var Scenarios = []Scenario{
	{Name: "get", Minimum: 1, Why: "one GetItem",
		request: func(ctx context.Context, e *env) (events.APIGatewayProxyRequest, int, error) {
			id, err := e.create(ctx)
			return ByID("GET", id, nil, ""), http.StatusOK, err
		}, Operation: contract.Get},
	{Name: "list (a page of 20)", Minimum: 1, Why: "the 8 shard queries run in parallel: 1 in sequence, 8 in all; one list partition would be 1 query but throttles at 1,000 writes a second (README, Table design)",
		request: func(context.Context, *env) (events.APIGatewayProxyRequest, int, error) {
			return events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/customers", Resource: "/customers",
				QueryStringParameters: map[string]string{"limit": "20"}}, http.StatusOK, nil
		}, Operation: contract.List},
	{Name: "lookup by e-mail", Minimum: 2, Why: "the claim holds the id, then the customer is read; a copy of the customer in the claim would make it 1, at the price of a transaction (2× write units) on every update",
		request: func(ctx context.Context, e *env) (events.APIGatewayProxyRequest, int, error) {
			_, err := e.create(ctx)
			return events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/customers", Resource: "/customers",
				QueryStringParameters: map[string]string{"email": e.email()}}, http.StatusOK, err
		}, Operation: contract.List},
	{Name: "create", Minimum: 1, Why: "one transaction: the customer and its e-mail claim", Write: true,
		request: func(_ context.Context, e *env) (events.APIGatewayProxyRequest, int, error) {
			return e.post(nil, e.nextEmail()), http.StatusCreated, nil
		}, Operation: contract.Create},
	{Name: "create with Idempotency-Key", Minimum: 1, Why: "one transaction: the customer, its claim and the idempotency record holding the response", GenericAs: "create",
		request: func(_ context.Context, e *env) (events.APIGatewayProxyRequest, int, error) {
			return e.post(e.nextKey(), e.nextEmail()), http.StatusCreated, nil
		}, Operation: contract.Create},
	{Name: "retry of a create with Idempotency-Key (replay)", Minimum: 1, Why: "the cancelled transaction returns the stored response (ReturnValuesOnConditionCheckFailure ALL_OLD)",
		request: func(ctx context.Context, e *env) (events.APIGatewayProxyRequest, int, error) {
			first := e.post(e.nextKey(), e.nextEmail())
			return first, http.StatusCreated, e.send(ctx, e.plain.Create(), first, http.StatusCreated)
		}, Operation: contract.Create},
	{Name: "create with Idempotency-Key, e-mail taken (409)", Minimum: 2, Why: "the cancelled transaction writes nothing; storing the 409 for a retry is one more conditional put",
		request: func(ctx context.Context, e *env) (events.APIGatewayProxyRequest, int, error) {
			_, err := e.create(ctx)
			taken := e.email()
			return e.post(e.nextKey(), taken), http.StatusConflict, err
		}, Operation: contract.Create},
	{Name: "update keeping the e-mail", Minimum: 1, Why: "one conditional UpdateItem on the If-Match version, returning the new item", Write: true,
		request: func(ctx context.Context, e *env) (events.APIGatewayProxyRequest, int, error) {
			id, err := e.create(ctx)
			return e.put(id, e.email()), http.StatusOK, err
		}, Operation: contract.Update},
	{Name: "update changing the e-mail", Minimum: 2, Why: "the old claim's key is the old address, which only the stored customer holds: it is read (the failed conditional update returns it) before the transaction that moves the claim", Write: true,
		request: func(ctx context.Context, e *env) (events.APIGatewayProxyRequest, int, error) {
			id, err := e.create(ctx)
			return e.put(id, e.nextEmail()), http.StatusOK, err
		}, Operation: contract.Update},
	{Name: "delete", Minimum: 2, Why: "the claim's key is the address, which only the stored customer holds: a read, then the transaction deleting both", Write: true,
		request: func(ctx context.Context, e *env) (events.APIGatewayProxyRequest, int, error) {
			id, err := e.create(ctx)
			return ByID("DELETE", id, map[string]string{"If-Match": `"1"`}, ""), http.StatusNoContent, err
		}, Operation: contract.Delete},
}

// env is a table with plain handlers to prepare it and metered ones to
// measure.
type env struct {
	plain, metered *handlers.Handlers
	generic        *idempotency.Store
	meter          *ddbmeter.Meter
	logged         *logCounter
	n              atomic.Int64
}

// logCounter counts the bytes and lines written to it.
type logCounter struct {
	mu           sync.Mutex
	bytes, lines int
}

func (c *logCounter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bytes += len(p)
	c.lines += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

// take returns the bytes written since the last take, with each line's
// CloudWatch Logs event overhead of 26 bytes (the PutLogEvents size rule).
func (c *logCounter) take() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.bytes + 26*c.lines
	c.bytes, c.lines = 0, 0
	return n
}

func (e *env) email() string     { return fmt.Sprintf("c%d@example.com", e.n.Load()) }
func (e *env) nextEmail() string { e.n.Add(1); return e.email() }
func (e *env) nextKey() map[string]string {
	return map[string]string{idempotency.HeaderKey: "key-" + strconv.FormatInt(e.n.Add(1), 10)}
}

func (e *env) post(headers map[string]string, email string) events.APIGatewayProxyRequest {
	if headers == nil {
		headers = map[string]string{}
	}
	headers["Content-Type"] = "application/json"
	return events.APIGatewayProxyRequest{HTTPMethod: "POST", Path: "/customers", Resource: "/customers", Headers: headers,
		Body: fmt.Sprintf(`{"name":"Customer","email":%q}`, email)}
}

func (e *env) put(id, email string) events.APIGatewayProxyRequest {
	return ByID("PUT", id, map[string]string{"If-Match": `"1"`}, fmt.Sprintf(`{"name":"Renamed","email":%q,"status":"ACTIVE"}`, email))
}

// ByID is the API Gateway proxy request of method on /customers/{id}, with
// headers (nil for none) and a JSON body ("" for none).
func ByID(method, id string, headers map[string]string, body string) events.APIGatewayProxyRequest {
	if headers == nil {
		headers = map[string]string{}
	}
	headers["Content-Type"] = "application/json"
	return events.APIGatewayProxyRequest{HTTPMethod: method, Path: "/customers/" + id, Resource: "/customers/{id}",
		PathParameters: map[string]string{"id": id}, Headers: headers, Body: body}
}

// create makes a customer with a new address (email()) and returns its id.
func (e *env) create(ctx context.Context) (string, error) {
	resp, err := e.plain.Create()(ctx, e.post(nil, e.nextEmail()))
	if err != nil || resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("prepare: create: %d %s %v", resp.StatusCode, resp.Body, err)
	}
	var c struct{ CustomerID string }
	return c.CustomerID, json.Unmarshal([]byte(resp.Body), &c)
}

func (e *env) send(ctx context.Context, fn httpx.LambdaFunc, r events.APIGatewayProxyRequest, status int) error {
	resp, err := fn(ctx, r)
	if err != nil || resp.StatusCode != status {
		return fmt.Errorf("%s %s: %d %s %v, want %d", r.HTTPMethod, r.Path, resp.StatusCode, resp.Body, err, status)
	}
	return nil
}

// Measure runs every scenario against a fresh table in srv, with 25
// customers in it, and returns the results in Scenarios' order.
func Measure(ctx context.Context, srv *moto.Server) ([]Result, error) {
	db, table := ddb.New(srv.Config()), fmt.Sprintf("roundtrips-%d", tables.Add(1))
	if err := storetest.CreateTable(ctx, db, table); err != nil {
		return nil, err
	}
	meter := ddbmeter.New(db, []string{td.PartitionKey, td.SortKey},
		ddbmeter.Index{PartitionKey: td.ListPartitionKey, SortKey: td.ListSortKey},
		ddbmeter.Index{PartitionKey: td.StatusPartitionKey, SortKey: td.ListSortKey})
	cfg := srv.Config()
	meter.AddTo(&cfg)
	metered := ddb.New(cfg)
	logged := &logCounter{}
	e := &env{
		plain: handlers.New(handlers.Deps{DB: db, Table: table, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}),
		// As handlers.Main wires them: the log line and the metrics on
		// the function's output.
		metered: handlers.New(handlers.Deps{DB: metered, Table: table, Logger: slog.New(slog.NewJSONHandler(logged, nil)),
			Metrics: metrics.New(logged, contract.MetricsNamespace, map[string]string{"Service": "customers"})}),
		generic: idempotency.New(metered, table, idempotency.Options{}),
		meter:   meter,
		logged:  logged,
	}
	for range 25 {
		if _, err := e.create(ctx); err != nil {
			return nil, err
		}
	}
	var out []Result
	for _, s := range Scenarios {
		r := Result{Scenario: s}
		var err error
		serve, ok := e.metered.For(s.Operation)
		if !ok {
			return nil, fmt.Errorf("%s: operation %q has no handler", s.Name, s.Operation)
		}
		if r.Summary, err = e.measure(ctx, s, serve); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		r.LogBytes = e.logged.take()
		if s.Write {
			wrapped, err := e.measure(ctx, s, e.wrap(serve))
			if err != nil {
				return nil, fmt.Errorf("%s, wrapped: %w", s.Name, err)
			}
			r.Wrapped = &wrapped
		}
		for _, earlier := range out {
			if earlier.Name == s.GenericAs {
				r.Wrapped = earlier.Wrapped
			}
		}
		out = append(out, r)
	}
	return out, nil
}

var tables atomic.Int64

func (e *env) measure(ctx context.Context, s Scenario, fn httpx.LambdaFunc) (ddbmeter.Summary, error) {
	r, status, err := s.request(ctx, e)
	if err != nil {
		return ddbmeter.Summary{}, err
	}
	e.meter.Take()
	e.logged.take()
	if err := e.send(ctx, fn, r, status); err != nil {
		return ddbmeter.Summary{}, err
	}
	return ddbmeter.Summarize(e.meter.Take())
}

// wrap puts fn behind the generic wrapper, keyed by a new key per request.
func (e *env) wrap(fn httpx.LambdaFunc) httpx.LambdaFunc {
	return func(ctx context.Context, r events.APIGatewayProxyRequest) (httpx.Response, error) {
		key := "generic-" + strconv.FormatInt(e.n.Add(1), 10)
		return e.generic.Do(ctx, idempotency.Request{Scope: r.HTTPMethod + " " + r.Path, Key: key, Fingerprint: idempotency.Fingerprint(r.Body)},
			func(ctx context.Context) httpx.Response {
				resp, err := fn(ctx, r)
				if err != nil {
					return httpx.ErrorResponse(ctx, err)
				}
				return resp
			})
	}
}
