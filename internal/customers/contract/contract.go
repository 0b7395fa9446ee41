// Package contract describes the customers API once: its operations, their
// scopes, and the JSON Schemas of their bodies, parameters and responses.
// The Api stack builds API Gateway from it, tools/openapi writes the OpenAPI
// document from it, and the handlers validate with the same schemas. It
// depends on nothing but the schema files.
package contract

import (
	"github.com/acme/customers-api/internal/customers/schemas"
)

// Business event types (CloudEvents type and EventBridge detail-type), and
// the EventBridge source of customer events.
const (
	EventCreated       = "customer.created"
	EventUpdated       = "customer.updated"
	EventDeleted       = "customer.deleted"
	EventStatusChanged = "customer.status-changed"
	EventSource        = "com.acme.customers"
)

// MetricsNamespace is the CloudWatch namespace of the handlers' EMF metrics.
const MetricsNamespace = "Customers"

// Scopes of the customers resource server.
const (
	ResourceServer = "customers"
	ScopeRead      = ResourceServer + "/read"
	ScopeWrite     = ResourceServer + "/write"
)

// Operation is one method of the API.
type Operation struct {
	// Name is short and unique ("list"); ID is the OpenAPI operationId.
	Name, ID string
	Method   string
	Path     string
	Summary  string
	Scope    string
	// Schema files in schemas.FS; "" where the operation has none.
	BodySchema, QuerySchema, PathSchema, ResponseSchema string
	// BodyModel names the body's API Gateway model.
	BodyModel string
	// Statuses the operation answers with, besides the errors every
	// operation shares (see CommonErrors).
	Statuses []int
	// Headers are the request headers the operation reads: name → required.
	Headers map[string]bool
	// Write operations get the environment's write throttle.
	Write bool
}

// CommonErrors can come from any operation: API Gateway (401, 403, 413, 415,
// 429, 504) or the handler (400, 500, 503).
var CommonErrors = []int{400, 401, 403, 429, 500, 503, 504}

// preconditions are the conditional request headers (RFC 9110 §13.1) that
// every operation evaluates (httpx.Preconditions); required lists the ones
// the operation requires.
func preconditions(required ...string) map[string]bool {
	h := map[string]bool{"If-Match": false, "If-None-Match": false, "If-Modified-Since": false, "If-Unmodified-Since": false}
	for _, name := range required {
		h[name] = true
	}
	return h
}

// Operations is the customers API. Every GET also answers HEAD (the same
// statuses and headers, no body), and a method a path lacks is 405 with
// Allow (constructs/restapi).
var Operations = []Operation{
	{Name: "list", ID: "listCustomers", Method: "GET", Path: "/customers", Scope: ScopeRead,
		Summary:     "List customers newest first, filter by status, or look one up by e-mail",
		QuerySchema: schemas.ListQuery, ResponseSchema: schemas.List,
		Statuses: []int{200, 304, 412}, Headers: preconditions()},
	{Name: "get", ID: "getCustomer", Method: "GET", Path: "/customers/{id}", Scope: ScopeRead,
		Summary:    "Get a customer",
		PathSchema: schemas.Path, ResponseSchema: schemas.Customer,
		Statuses: []int{200, 304, 404, 412}, Headers: preconditions()},
	{Name: "create", ID: "createCustomer", Method: "POST", Path: "/customers", Scope: ScopeWrite, Write: true,
		Summary:    "Create a customer",
		BodySchema: schemas.Create, BodyModel: "CustomerCreate", ResponseSchema: schemas.Customer,
		Statuses: []int{201, 409, 412, 413, 415, 422}, Headers: with(preconditions(), "Idempotency-Key")},
	{Name: "update", ID: "updateCustomer", Method: "PUT", Path: "/customers/{id}", Scope: ScopeWrite, Write: true,
		Summary:    "Replace a customer's name, e-mail and status",
		BodySchema: schemas.Update, BodyModel: "CustomerUpdate", PathSchema: schemas.Path,
		ResponseSchema: schemas.Customer,
		Statuses:       []int{200, 404, 409, 412, 413, 415, 428}, Headers: preconditions("If-Match")},
	{Name: "delete", ID: "deleteCustomer", Method: "DELETE", Path: "/customers/{id}", Scope: ScopeWrite, Write: true,
		Summary:    "Delete a customer",
		PathSchema: schemas.Path,
		Statuses:   []int{204, 404, 409, 412}, Headers: preconditions()},
}

// with adds an optional header to h.
func with(h map[string]bool, name string) map[string]bool {
	h[name] = false
	return h
}

// Schema returns a schema file's bytes ("" gives nil).
func Schema(file string) []byte {
	if file == "" {
		return nil
	}
	b, err := schemas.FS.ReadFile(file)
	if err != nil {
		panic(err) // embedded at build time: a missing file is a programming error
	}
	return b
}

// Route is the operation's route as the handlers log it, e.g.
// "GET /customers/{id}". An unknown name panics: it is a programming error
// caught by every handler test.
func Route(name string) string {
	for _, op := range Operations {
		if op.Name == name {
			return op.Method + " " + op.Path
		}
	}
	panic("contract: no operation " + name)
}
