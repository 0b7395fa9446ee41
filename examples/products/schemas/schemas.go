// Package schemas holds the products API's JSON Schemas (draft-04): API
// Gateway validates requests with them (through the infrastructure) and the
// handlers decode with the same files.
package schemas

import "embed"

// FS holds the schema files, for validate.MustCompile.
//
//go:embed *.schema.json
var FS embed.FS

// File names in FS.
const (
	CreateFile = "product-create.schema.json"
	PathFile   = "product-sku.path.schema.json"
)

// Create is the body of POST /products; Path the parameters of
// /products/{sku}.
var (
	//go:embed product-create.schema.json
	Create []byte
	//go:embed product-sku.path.schema.json
	Path []byte
)
