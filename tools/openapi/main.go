// Command openapi writes the customers API's OpenAPI 3 document from the
// contract package and the JSON Schemas the handlers and API Gateway use.
// `make openapi` runs it; a test fails when the committed document differs
// from what it writes.
//
//	go run ./tools/openapi > openapi/customers-api.json
package main

import (
	"fmt"
	"os"
)

func main() {
	doc, err := Document()
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi:", err)
		os.Exit(1)
	}
	os.Stdout.Write(doc)
}
