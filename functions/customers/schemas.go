package customers

import (
	"embed"

	"github.com/acme/customers-api/functions/validate"
)

// Schemas holds the JSON Schemas of the request bodies. API Gateway's
// request models are made from the same files.
//
//go:embed schemas/*.schema.json
var Schemas embed.FS

// Schema file names in Schemas.
const (
	CreateSchemaFile    = "schemas/customer-create.schema.json"
	UpdateSchemaFile    = "schemas/customer-update.schema.json"
	ListQuerySchemaFile = "schemas/list-customers.query.schema.json"
	PathSchemaFile      = "schemas/customer-id.path.schema.json"
	CustomerSchemaFile  = "schemas/customer.schema.json"
	ListSchemaFile      = "schemas/customer-list.schema.json"
	EventSchemaFile     = "schemas/customer-event.schema.json"
)

var (
	createSchema    = validate.MustCompile(Schemas, CreateSchemaFile)
	updateSchema    = validate.MustCompile(Schemas, UpdateSchemaFile)
	listQuerySchema = validate.MustCompile(Schemas, ListQuerySchemaFile)
	pathSchema      = validate.MustCompile(Schemas, PathSchemaFile)
)

// CheckListQuery validates the query parameters of a listing.
func CheckListQuery(params map[string]string) error {
	return listQuerySchema.Check(asDocument(params), "/query")
}

// CheckPath validates the path parameters of /customers/{id}.
func CheckPath(params map[string]string) error {
	return pathSchema.Check(asDocument(params), "/path")
}

func asDocument(params map[string]string) map[string]any {
	doc := make(map[string]any, len(params))
	for k, v := range params {
		doc[k] = v
	}
	return doc
}

// DecodeCreate validates and normalizes the body of a create request.
func DecodeCreate(body []byte) (Draft, error) { return decode(createSchema, body) }

// DecodeUpdate validates and normalizes the body of an update request.
func DecodeUpdate(body []byte) (Draft, error) { return decode(updateSchema, body) }

func decode(s *validate.Schema, body []byte) (Draft, error) {
	var d Draft
	if err := s.Decode(body, &d); err != nil {
		return Draft{}, err
	}
	return d.Normalize()
}
