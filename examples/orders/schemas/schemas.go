// Package schemas holds the orders API's JSON Schemas, used by API Gateway
// (through the infrastructure) and by the handlers.
package schemas

import "embed"

// FS holds the schema files.
//
//go:embed *.schema.json
var FS embed.FS

// Schema file names in FS.
const (
	Create = "order-create.schema.json"
	Path   = "order-id.path.schema.json"
)

// Read returns a schema file's bytes.
func Read(name string) []byte {
	b, err := FS.ReadFile(name)
	if err != nil {
		panic(err) // embedded: a missing file is a programming error
	}
	return b
}
