// Package schemas holds the JSON Schema files of the customers API: request
// bodies, parameters, responses and the event envelope. API Gateway's
// models, the OpenAPI document and the handlers' validators are all made
// from these files. It has no dependencies, so the stacks can read the
// schemas without linking a JSON Schema library.
package schemas

import "embed"

// FS holds the schema files.
//
//go:embed *.schema.json
var FS embed.FS

// Schema file names in FS.
const (
	Create    = "customer-create.schema.json"
	Update    = "customer-update.schema.json"
	ListQuery = "list-customers.query.schema.json"
	Path      = "customer-id.path.schema.json"
	Customer  = "customer.schema.json"
	List      = "customer-list.schema.json"
	Event     = "customer-event.schema.json"
)
