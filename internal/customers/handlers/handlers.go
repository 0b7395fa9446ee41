// Package handlers implements the five /customers operations as API Gateway
// Lambda proxy handlers. Each operation is deployed as its own function, so
// each main package (contract.Operation.Entry) only names its operation and
// calls Main.
package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme/customers-api/internal/customers"
	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/customers/store"
	"github.com/acme/customers-api/lambdakit/ddb"
	"github.com/acme/customers-api/lambdakit/envvars"
	"github.com/acme/customers-api/lambdakit/httpx"
	"github.com/acme/customers-api/lambdakit/idempotency"
	"github.com/acme/customers-api/lambdakit/lambdaenv"
	"github.com/acme/customers-api/lambdakit/metrics"
	"github.com/acme/customers-api/lambdakit/tracing"
	"github.com/acme/customers-api/lambdakit/validate"
)

// MaxBodyBytes caps request bodies; a valid customer is far smaller.
const MaxBodyBytes = 16 << 10

// DefaultLimit is the page size of GET /customers without limit; the
// query schema caps limit at 100.
const DefaultLimit = 20

// DB is the DynamoDB API the handlers use.
type DB interface {
	store.API
	idempotency.API
}

// Deps are the handlers' collaborators.
type Deps struct {
	DB     DB
	Table  string
	Logger *slog.Logger
	// AllowedOrigins are the CORS origins (see httpx.Service).
	AllowedOrigins []string
	// Metrics, when set, receives one EMF document per request.
	Metrics *metrics.Recorder
	// Trace, when set, starts a trace span per request (tracing.Request).
	Trace func(ctx context.Context, route, requestID string) (context.Context, func(error))
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Handlers serves the customers API.
type Handlers struct {
	store   *store.Store
	idem    *idempotency.Store
	svc     *httpx.Service
	metrics *metrics.Recorder
	now     func() time.Time
}

// New wires the handlers.
func New(d Deps) *Handlers {
	if d.Now == nil {
		d.Now = time.Now
	}
	h := &Handlers{
		store:   store.New(d.DB, d.Table),
		idem:    idempotency.New(d.DB, d.Table, idempotency.Options{Now: d.Now}),
		metrics: d.Metrics,
		now:     d.Now,
	}
	h.svc = &httpx.Service{
		Logger: d.Logger, Map: mapError, DeadlineMargin: 500 * time.Millisecond, AllowedOrigins: d.AllowedOrigins,
		Trace: d.Trace, Observe: h.observe,
	}
	return h
}

// operationName maps a route ("POST /customers") to its name in the
// contract (contract.Create), the metrics' Operation dimension.
var operationName = func() map[string]contract.OperationName {
	m := map[string]contract.OperationName{}
	for _, op := range contract.Operations {
		m[op.Method+" "+op.Path] = op.Name
	}
	return m
}()

// observe turns a finished request into business metrics: customers
// created, updated and deleted, idempotent replays, conflicts (409 and 412)
// and cold starts, by operation.
func (h *Handlers) observe(_ context.Context, o httpx.Outcome) {
	if h.metrics == nil {
		return
	}
	var ms []metrics.Metric
	count := func(name string) { ms = append(ms, metrics.Metric{Name: name, Unit: "Count", Value: 1}) }
	op := operationName[o.Route]
	switch {
	case o.Response.Headers[idempotency.HeaderReplayed] == "true":
		count("IdempotentReplays")
	case op == contract.Create && o.Status == http.StatusCreated:
		count("CustomersCreated")
	case op == contract.Update && o.Status == http.StatusOK:
		count("CustomersUpdated")
	case op == contract.Delete && o.Status == http.StatusNoContent:
		count("CustomersDeleted")
	case o.Status == http.StatusConflict || o.Status == http.StatusPreconditionFailed:
		count("Conflicts")
	}
	if o.ColdStart {
		count("ColdStarts")
	}
	h.metrics.Emit(map[string]string{"Operation": string(op)}, ms...)
}

// List handles GET /customers.
func (h *Handlers) List() httpx.LambdaFunc {
	return h.svc.Handle(contract.Route(contract.List), h.list)
}

// Get handles GET /customers/{id}.
func (h *Handlers) Get() httpx.LambdaFunc { return h.svc.Handle(contract.Route(contract.Get), h.get) }

// Create handles POST /customers.
func (h *Handlers) Create() httpx.LambdaFunc {
	return h.svc.Handle(contract.Route(contract.Create), h.create)
}

// Update handles PUT /customers/{id}.
func (h *Handlers) Update() httpx.LambdaFunc {
	return h.svc.Handle(contract.Route(contract.Update), h.update)
}

// Delete handles DELETE /customers/{id}.
func (h *Handlers) Delete() httpx.LambdaFunc {
	return h.svc.Handle(contract.Route(contract.Delete), h.delete)
}

// operations are the handlers by operation: for each of
// contract.Operations, the method that serves it.
var operations = map[contract.OperationName]func(*Handlers) httpx.LambdaFunc{
	contract.List:   (*Handlers).List,
	contract.Get:    (*Handlers).Get,
	contract.Create: (*Handlers).Create,
	contract.Update: (*Handlers).Update,
	contract.Delete: (*Handlers).Delete,
}

// For returns the handler of op, and false when op has none.
func (h *Handlers) For(op contract.OperationName) (httpx.LambdaFunc, bool) {
	serve, ok := operations[op]
	if !ok {
		return nil, false
	}
	return serve(h), true
}

// Main is the body of every operation's main: it builds the DynamoDB client
// once per container, from the environment (TABLE_NAME, ALLOWED_ORIGINS as a
// comma-separated list, the AWS variables), and starts the Lambda runtime
// with the handler of op (see Handlers.For). An op without a handler exits
// with status 1 before the runtime starts, so the function fails its init.
func Main(op contract.OperationName) {
	logger, env, cfg := lambdaenv.Start(envvars.TableName)
	var origins []string
	if v := os.Getenv(envvars.AllowedOrigins); v != "" {
		origins = strings.Split(v, ",")
	}
	handler, ok := New(Deps{
		DB: ddb.New(cfg), Table: env[envvars.TableName], Logger: logger, AllowedOrigins: origins, Trace: tracing.Request,
		Metrics: metrics.New(os.Stdout, contract.MetricsNamespace, map[string]string{"Service": "customers"}),
	}).For(op)
	if !ok {
		logger.Error("start-up failed: no handler for this operation", "operation", op)
		os.Exit(1)
	}
	lambda.Start(handler)
}

// mapError is the one place where domain errors get HTTP statuses.
func mapError(err error) *httpx.Error {
	switch {
	case errors.Is(err, customers.ErrNotFound):
		return httpx.NewError(http.StatusNotFound, "customer-not-found", "No customer has this id.")
	case errors.Is(err, customers.ErrEmailTaken):
		return httpx.NewError(http.StatusConflict, "email-taken", "Another customer already has this e-mail address.")
	case errors.Is(err, customers.ErrVersionMismatch):
		return httpx.NewError(http.StatusPreconditionFailed, "precondition-failed", "The customer has changed since the version in If-Match; fetch it again.")
	case errors.Is(err, errBadCursor):
		return httpx.NewError(http.StatusBadRequest, "invalid-cursor", "The cursor is not one this listing issued; start again without it.")
	}
	return nil
}

func (h *Handlers) get(ctx context.Context, req *httpx.Request) (httpx.Response, error) {
	id, err := customerID(ctx, req)
	if err != nil {
		return httpx.Response{}, err
	}
	c, err := h.store.Get(ctx, id)
	if err != nil {
		return httpx.Response{}, err
	}
	current := representation(c)
	if err := httpx.Preconditions(req, current); err != nil {
		return httpx.Response{}, err
	}
	return httpx.JSON(http.StatusOK, c, current.Validators())
}

// representation is what a customer's preconditions are evaluated against
// and what its responses describe: its version as the ETag and its
// updatedDate as Last-Modified.
func representation(c customers.Customer) httpx.Representation {
	return httpx.Representation{Exists: true, ETag: httpx.ETag(c.Version), LastModified: c.UpdatedDate}
}

// collection is /customers: it always exists and has no validators of its
// own, so "If-Match: *" holds and "If-None-Match: *" does not.
var collection = httpx.Representation{Exists: true}

// listResponse is the body of GET /customers.
type listResponse struct {
	Items      []customers.Customer `json:"items"`
	NextCursor string               `json:"nextCursor,omitempty"`
}

func (h *Handlers) list(ctx context.Context, req *httpx.Request) (httpx.Response, error) {
	if err := httpx.Preconditions(req, collection); err != nil {
		return httpx.Response{}, err
	}
	params := req.QueryStringParameters
	if strings.Contains(params["email"], " ") {
		// API Gateway decodes a query's "+" as a space (HTML form encoding),
		// and no address holds a space: the client sent a raw "+".
		return httpx.Response{}, validate.Errors{{Pointer: "/query/email", Detail: `holds a space: a "+" in a query string means a space, so send "+" as %2B`}}
	}
	if err := customers.CheckListQuery(params); err != nil {
		return httpx.Response{}, err
	}
	if email, ok := params["email"]; ok {
		if len(params) > 1 {
			return httpx.Response{}, validate.Errors{{Pointer: "/query/email", Detail: "cannot be combined with other parameters"}}
		}
		return h.findByEmail(ctx, email)
	}
	q := store.ListQuery{Limit: DefaultLimit, Status: customers.Status(params["status"])}
	if s, ok := params["limit"]; ok {
		q.Limit, _ = strconv.Atoi(s) // the schema allows only 1-100
	}
	if token, ok := params["cursor"]; ok {
		after, err := decodeCursor(token, string(q.Status))
		if err != nil {
			return httpx.Response{}, err
		}
		q.After = after
	}
	page, err := h.store.List(ctx, q)
	if err != nil {
		return httpx.Response{}, err
	}
	out := listResponse{Items: page.Items}
	if page.Next != "" {
		out.NextCursor = encodeCursor(string(q.Status), page.Next)
	}
	return httpx.JSON(http.StatusOK, out, nil)
}

func (h *Handlers) findByEmail(ctx context.Context, email string) (httpx.Response, error) {
	email, err := customers.NormalizeEmail(email)
	if err != nil {
		return httpx.Response{}, validate.Errors{{Pointer: "/query/email", Detail: err.Error()}}
	}
	out := listResponse{Items: []customers.Customer{}}
	c, err := h.store.FindByEmail(ctx, email)
	switch {
	case err == nil:
		out.Items = append(out.Items, c)
		httpx.Annotate(ctx, "customerId", c.ID)
	case !errors.Is(err, customers.ErrNotFound):
		return httpx.Response{}, err
	}
	return httpx.JSON(http.StatusOK, out, nil)
}

func (h *Handlers) create(ctx context.Context, req *httpx.Request) (httpx.Response, error) {
	if err := httpx.Preconditions(req, collection); err != nil {
		return httpx.Response{}, err
	}
	body, err := httpx.JSONBody(req, MaxBodyBytes)
	if err != nil {
		return httpx.Response{}, err
	}
	draft, err := customers.DecodeCreate(body)
	if err != nil {
		return httpx.Response{}, err
	}
	key, sent := httpx.LookupHeader(req, idempotency.HeaderKey)
	if sent && !idempotency.ValidKey(key) { // an empty key is a client error too
		return httpx.Response{}, validate.Errors{{Pointer: "/header/Idempotency-Key", Detail: "must be 1 to 255 visible ASCII characters"}}
	}
	// The response is known before the write: the id, the timestamps and
	// the version are chosen first, so that with a key the response is
	// stored in the create's own transaction (idempotency.Store.Commit).
	now := h.now().UTC().Truncate(time.Millisecond)
	c := customers.Customer{
		ID: customers.NewID(now), Name: draft.Name, Email: draft.Email, Status: draft.Status,
		CreatedDate: now, UpdatedDate: now, Version: 1,
	}
	httpx.Annotate(ctx, "customerId", c.ID)
	headers := representation(c).Validators()
	headers["Location"] = httpx.ResourcePath(req, c.ID)
	created, err := httpx.JSON(http.StatusCreated, c, headers)
	if err != nil {
		return httpx.Response{}, err
	}
	if !sent {
		if err := h.store.Create(traced(ctx), c); err != nil {
			return httpx.Response{}, err
		}
		return created, nil
	}
	normalized, _ := json.Marshal(draft)
	return h.idem.Commit(ctx, idempotency.Request{
		Scope:       httpx.Principal(req) + " POST /customers",
		Key:         key,
		Fingerprint: idempotency.Fingerprint(string(normalized)),
	}, created, func(ctx context.Context, record types.TransactWriteItem) error {
		return h.store.Create(traced(ctx), c, record)
	})
}

func (h *Handlers) update(ctx context.Context, req *httpx.Request) (httpx.Response, error) {
	id, err := customerID(ctx, req)
	if err != nil {
		return httpx.Response{}, err
	}
	if httpx.Header(req, "If-Match") == "" {
		return httpx.Response{}, httpx.NewError(http.StatusPreconditionRequired, "precondition-required",
			"Send If-Match with the ETag of the version you are updating.")
	}
	body, err := httpx.JSONBody(req, MaxBodyBytes)
	if err != nil {
		return httpx.Response{}, err
	}
	draft, err := customers.DecodeUpdate(body)
	if err != nil {
		return httpx.Response{}, err
	}
	change := store.Change{
		ID: id, Name: draft.Name, Email: draft.Email, Status: draft.Status,
		Updated: h.now().UTC().Truncate(time.Millisecond),
	}
	if _, ok := httpx.LookupHeader(req, "If-None-Match"); ok {
		// If-None-Match needs the current ETag: read, evaluate every
		// precondition (RFC 9110 §13.2.2), then write on the version read.
		cur, err := h.store.Get(ctx, id)
		if err != nil {
			return httpx.Response{}, err
		}
		if err := httpx.Preconditions(req, representation(cur)); err != nil {
			return httpx.Response{}, err
		}
		change.Versions = []int64{cur.Version}
	} else {
		// Without it, If-Match is the only precondition of a PUT
		// (If-Unmodified-Since is ignored beside If-Match, If-Modified-Since
		// applies to GET and HEAD only: RFC 9110 §13.2.2), and the
		// conditional write itself evaluates it.
		change.Versions, change.AnyVersion = ifMatchVersions(req)
		if len(change.Versions) == 0 && !change.AnyVersion {
			// No tag in If-Match can be a version: a read tells 404 from 412.
			if _, err := h.store.Get(ctx, id); err != nil {
				return httpx.Response{}, err
			}
			return httpx.Response{}, customers.ErrVersionMismatch
		}
	}
	// One conditional write on the versions admitted; see store.Apply.
	c, err := h.store.Apply(traced(ctx), change)
	if err != nil {
		return httpx.Response{}, err
	}
	return httpx.JSON(http.StatusOK, c, representation(c).Validators())
}

// ifMatchVersions are the customer versions that If-Match admits by the
// strong comparison (httpx.IfMatch): those whose ETag (httpx.ETag) is one
// of its strong entity tags; anyVersion for "*".
func ifMatchVersions(req *httpx.Request) (versions []int64, anyVersion bool) {
	tags, anyVersion := httpx.IfMatch(req)
	for _, tag := range tags {
		v, err := strconv.ParseInt(strings.Trim(tag, `"`), 10, 64)
		if err == nil && httpx.ETag(v) == tag {
			versions = append(versions, v)
		}
	}
	return versions, anyVersion
}

// deleteAttempts bounds how often a DELETE without If-Match re-reads a
// customer that keeps changing under it.
const deleteAttempts = 3

func (h *Handlers) delete(ctx context.Context, req *httpx.Request) (httpx.Response, error) {
	id, err := customerID(ctx, req)
	if err != nil {
		return httpx.Response{}, err
	}
	conditional := httpx.Conditional(req)
	for range deleteAttempts {
		cur, err := h.store.Get(ctx, id)
		if err != nil {
			return httpx.Response{}, err
		}
		if err := httpx.Preconditions(req, representation(cur)); err != nil {
			return httpx.Response{}, err
		}
		err = h.store.Delete(ctx, cur)
		if errors.Is(err, customers.ErrVersionMismatch) && !conditional {
			continue // changed between read and delete: read again
		}
		if err != nil {
			return httpx.Response{}, err
		}
		return httpx.Response{StatusCode: http.StatusNoContent}, nil
	}
	e := httpx.NewError(http.StatusConflict, "concurrent-modification", "The customer kept changing during the delete; retry.")
	e.Headers = map[string]string{"Retry-After": "1"}
	return httpx.Response{}, e
}

// traced makes the store record the request's X-Ray trace with the change.
func traced(ctx context.Context) context.Context {
	return store.WithTrace(ctx, httpx.TraceHeader(ctx))
}

// customerID returns the {id} path parameter, checked, and adds it to the
// request's log line.
func customerID(ctx context.Context, req *httpx.Request) (string, error) {
	if err := customers.CheckPath(req.PathParameters); err != nil {
		return "", err
	}
	id := req.PathParameters["id"]
	httpx.Annotate(ctx, "customerId", id)
	return id, nil
}
