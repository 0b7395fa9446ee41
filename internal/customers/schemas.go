package customers

import (
	"sync"

	"github.com/acme/customers-api/internal/customers/schemas"
	"github.com/acme/customers-api/lambdakit/validate"
)

// Each schema compiles on first use, not at init: a function's cold start
// pays only for the schemas it uses (the list function for one of four).
var (
	createSchema    = compiled(schemas.Create)
	updateSchema    = compiled(schemas.Update)
	listQuerySchema = compiled(schemas.ListQuery)
	pathSchema      = compiled(schemas.Path)
)

func compiled(name string) func() *validate.Schema {
	return sync.OnceValue(func() *validate.Schema { return validate.MustCompile(schemas.FS, name) })
}

// CheckListQuery validates the query parameters of a listing.
func CheckListQuery(params map[string]string) error {
	return listQuerySchema().Check(asDocument(params), "/query")
}

// CheckPath validates the path parameters of /customers/{id}.
func CheckPath(params map[string]string) error {
	return pathSchema().Check(asDocument(params), "/path")
}

func asDocument(params map[string]string) map[string]any {
	doc := make(map[string]any, len(params))
	for k, v := range params {
		doc[k] = v
	}
	return doc
}

// DecodeCreate validates and normalizes the body of a create request.
func DecodeCreate(body []byte) (Draft, error) { return decode(createSchema(), body) }

// DecodeUpdate validates and normalizes the body of an update request.
func DecodeUpdate(body []byte) (Draft, error) { return decode(updateSchema(), body) }

func decode(s *validate.Schema, body []byte) (Draft, error) {
	var d Draft
	if err := s.Decode(body, &d); err != nil {
		return Draft{}, err
	}
	return d.Normalize()
}
