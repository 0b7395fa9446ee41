// Package contract describes the customers API once: its operations, their
// scopes, the JSON Schemas of their bodies, parameters and responses, and,
// per operation, the Lambda entry point that serves it and what that
// function may do to the table. The Api stack builds API Gateway, the
// functions and their IAM policies from it, tools/openapi writes the
// OpenAPI document from it, the handlers validate with the same schemas,
// and smoke checks and metrics are keyed by its OperationName. It depends
// on nothing but the schema files and the table's layout
// (internal/customers/tabledesign), so the stacks link no runtime SDK
// through it.
package contract

import (
	"github.com/acme/customers-api/internal/customers/schemas"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
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

// OperationName is an operation's short, unique name: the key of its
// function (resourceapi.ResourceAPI.Functions), its smoke check
// (internal/customers/smoke.Checks, chosen by envvars.SmokeOperation) and
// its metrics' Operation dimension.
type OperationName string

// The operations of the customers API.
const (
	List   OperationName = "list"
	Get    OperationName = "get"
	Create OperationName = "create"
	Update OperationName = "update"
	Delete OperationName = "delete"
)

// Operation is one method of the API.
type Operation struct {
	// Name is the operation's name; ID is the OpenAPI operationId.
	Name    OperationName
	ID      string
	Method  string
	Path    string
	Summary string
	Scope   string
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
	// Entry is the Go main package of the operation's Lambda function,
	// relative to the module root (see gofunction.Props.Entry). Its main
	// calls handlers.Main with Name (internal/repocheck checks it).
	Entry string
	// Table is what the function may do to the customers table.
	Table TableAccess
}

// TableAccess is what an operation's function may do to the customers
// table: exactly the IAM actions of the DynamoDB calls its handler makes
// (see internal/customers/store and lambdakit/idempotency; a
// TransactWriteItems needs the action of each item it writes, per
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html),
// on the items whose partition key starts with one of KeyPrefixes
// (tabledesign's prefixes, the dynamodb:LeadingKeys condition), and
// IndexActions on the named global secondary Indexes.
type TableAccess struct {
	Actions      []string
	KeyPrefixes  []string
	IndexActions []string
	Indexes      []string
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
	{Name: List, ID: "listCustomers", Method: "GET", Path: "/customers", Scope: ScopeRead,
		Summary:     "List customers newest first, filter by status, or look one up by e-mail",
		QuerySchema: schemas.ListQuery, ResponseSchema: schemas.List,
		Statuses: []int{200, 304, 412}, Headers: preconditions(),
		Entry: "functions/list-customers",
		Table: TableAccess{Actions: []string{"dynamodb:GetItem"}, KeyPrefixes: []string{td.CustomerPrefix, td.EmailPrefix},
			IndexActions: []string{"dynamodb:Query"}, Indexes: []string{td.ListIndex, td.StatusIndex}}},
	{Name: Get, ID: "getCustomer", Method: "GET", Path: "/customers/{id}", Scope: ScopeRead,
		Summary:    "Get a customer",
		PathSchema: schemas.Path, ResponseSchema: schemas.Customer,
		Statuses: []int{200, 304, 404, 412}, Headers: preconditions(),
		Entry: "functions/get-customer",
		Table: TableAccess{Actions: []string{"dynamodb:GetItem"}, KeyPrefixes: []string{td.CustomerPrefix}}},
	{Name: Create, ID: "createCustomer", Method: "POST", Path: "/customers", Scope: ScopeWrite, Write: true,
		Summary:    "Create a customer",
		BodySchema: schemas.Create, BodyModel: "CustomerCreate", ResponseSchema: schemas.Customer,
		Statuses: []int{201, 409, 412, 413, 415, 422}, Headers: with(preconditions(), "Idempotency-Key"),
		Entry: "functions/create-customer",
		Table: TableAccess{Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
			KeyPrefixes: []string{td.CustomerPrefix, td.EmailPrefix, td.IdempotencyPrefix}}},
	{Name: Update, ID: "updateCustomer", Method: "PUT", Path: "/customers/{id}", Scope: ScopeWrite, Write: true,
		Summary:    "Replace a customer's name, e-mail and status",
		BodySchema: schemas.Update, BodyModel: "CustomerUpdate", PathSchema: schemas.Path,
		ResponseSchema: schemas.Customer,
		Statuses:       []int{200, 404, 409, 412, 413, 415, 428}, Headers: preconditions("If-Match"),
		Entry: "functions/update-customer",
		Table: TableAccess{Actions: []string{"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"},
			KeyPrefixes: []string{td.CustomerPrefix, td.EmailPrefix}}},
	{Name: Delete, ID: "deleteCustomer", Method: "DELETE", Path: "/customers/{id}", Scope: ScopeWrite, Write: true,
		Summary:    "Delete a customer",
		PathSchema: schemas.Path,
		Statuses:   []int{204, 404, 409, 412}, Headers: preconditions(),
		Entry: "functions/delete-customer",
		Table: TableAccess{Actions: []string{"dynamodb:GetItem", "dynamodb:DeleteItem"}, KeyPrefixes: []string{td.CustomerPrefix, td.EmailPrefix}}},
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
func Route(name OperationName) string {
	for _, op := range Operations {
		if op.Name == name {
			return op.Method + " " + op.Path
		}
	}
	panic("contract: no operation " + string(name))
}
