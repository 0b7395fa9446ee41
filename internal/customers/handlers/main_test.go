package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/acme/customers-api/internal/customers/handlers"
	"github.com/acme/customers-api/internal/customers/store/storetest"
	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/internal/testenv/moto"
	"github.com/acme/customers-api/lambdakit/httpx"
)

var srv *moto.Server

func TestMain(m *testing.M) { moto.TestMain(m, &srv) }

// api is a set of handlers over a fresh table, with its log captured.
type api struct {
	t   *testing.T
	h   *handlers.Handlers
	log *testenv.Buffer
	// db (unwrapped) and table are the API's storage.
	db    handlers.DB
	table string
}

func newAPI(t *testing.T) *api {
	return newAPIWith(t, func(db handlers.DB) handlers.DB { return db })
}

// newAPIWith lets a test wrap the DynamoDB client.
func newAPIWith(t *testing.T, wrap func(handlers.DB) handlers.DB) *api {
	db, table := storetest.NewTable(t, srv)
	log := &testenv.Buffer{}
	return &api{t: t, log: log, db: db, table: table, h: handlers.New(handlers.Deps{
		DB: wrap(db), Table: table, Logger: slog.New(slog.NewJSONHandler(log, nil)),
	})}
}

// with is a second set of handlers over the same table, unwrapped, with
// the given dependencies (DB, Table and Logger are filled in).
func (a *api) with(d handlers.Deps) *api {
	log := &testenv.Buffer{}
	d.DB, d.Table, d.Logger = a.db, a.table, slog.New(slog.NewJSONHandler(log, nil))
	return &api{t: a.t, log: log, db: a.db, table: a.table, h: handlers.New(d)}
}

// req builds an API Gateway REST proxy event from testdata/proxy-request.json.
type req struct {
	method, path string
	query        map[string]string
	headers      map[string]string
	body         string
}

var baseEvent = func() events.APIGatewayProxyRequest {
	raw, err := os.ReadFile("testdata/proxy-request.json")
	if err != nil {
		panic(err)
	}
	var e events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &e); err != nil {
		panic(err)
	}
	return e
}()

var requestSeq sync.Mutex
var requestN int

func (r req) event() events.APIGatewayProxyRequest {
	e := baseEvent
	e.HTTPMethod, e.Path, e.Body = r.method, r.path, r.body
	e.RequestContext.HTTPMethod = r.method
	e.RequestContext.Path = "/dev" + r.path
	requestSeq.Lock()
	requestN++
	e.RequestContext.RequestID = fmt.Sprintf("req-%d", requestN)
	requestSeq.Unlock()
	e.Resource = "/customers"
	if id, ok := strings.CutPrefix(r.path, "/customers/"); ok {
		e.Resource = "/customers/{id}"
		e.PathParameters = map[string]string{"id": id}
	}
	e.RequestContext.ResourcePath = e.Resource
	e.QueryStringParameters = r.query
	e.Headers = map[string]string{}
	for k, v := range baseEvent.Headers {
		e.Headers[k] = v
	}
	if r.body != "" {
		e.Headers["Content-Type"] = "application/json"
	}
	for k, v := range r.headers {
		e.Headers[k] = v
	}
	return e
}

// do sends r to the handler that serves its route, as lambda.Start would.
func (a *api) do(r req) httpx.Response {
	a.t.Helper()
	return a.doCtx(context.Background(), r)
}

// doEvent sends r after edit changes its event (claims, raw headers).
func (a *api) doEvent(r req, edit func(*httpx.Request)) httpx.Response {
	a.t.Helper()
	return a.send(context.Background(), r, edit)
}

func (a *api) doCtx(ctx context.Context, r req) httpx.Response {
	a.t.Helper()
	return a.send(ctx, r, nil)
}

func (a *api) send(ctx context.Context, r req, edit func(*httpx.Request)) httpx.Response {
	a.t.Helper()
	var fn httpx.LambdaFunc
	hasID := strings.HasPrefix(r.path, "/customers/")
	switch {
	// HEAD is served by GET's function, as the templates wire it.
	case (r.method == "GET" || r.method == "HEAD") && !hasID:
		fn = a.h.List()
	case r.method == "GET" || r.method == "HEAD":
		fn = a.h.Get()
	case r.method == "POST":
		fn = a.h.Create()
	case r.method == "PUT":
		fn = a.h.Update()
	case r.method == "DELETE":
		fn = a.h.Delete()
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	event := r.event()
	if edit != nil {
		edit(&event)
	}
	resp, err := fn(ctx, event)
	if err != nil {
		a.t.Fatalf("handler returned an error to the Lambda runtime: %v", err)
	}
	return resp
}

// logLines parses the captured JSON log lines.
func (a *api) logLines() []map[string]any {
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(a.log.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}
