package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/customers/schemas"
)

const committed = "../../openapi/customers-api.json"

func TestTheCommittedDocumentIsUpToDate(t *testing.T) {
	want, err := Document()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date; run `make openapi` and commit it", committed)
	}
}

func load(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestTheDocumentIsValidOpenAPI(t *testing.T) {
	doc := load(t)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, op := range contract.Operations {
		o := doc.Paths.Find(op.Path).GetOperation(op.Method)
		if o == nil || o.OperationID != op.ID {
			t.Errorf("%s %s is missing", op.Method, op.Path)
			continue
		}
		if got := (*o.Security)[0]["cognito"]; len(got) != 1 || got[0] != op.Scope {
			t.Errorf("%s: security scopes %v, want [%s]", op.ID, got, op.Scope)
		}
	}
}

// The document's body schemas are the schema files (less $schema).
func TestBodySchemasAreTheSchemaFiles(t *testing.T) {
	doc := load(t)
	for name, file := range map[string]string{"CustomerCreate": schemas.Create, "CustomerUpdate": schemas.Update} {
		var want, got map[string]any
		json.Unmarshal(contract.Schema(file), &want)
		delete(want, "$schema")
		b, _ := json.Marshal(doc.Components.Schemas[name].Value)
		json.Unmarshal(b, &got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s differs from %s (-file +document):\n%s", name, file, diff)
		}
	}
}

// The schemas agree with the handlers on the shared fixtures (see
// internal/customers/fixtures_test.go): only valid/ fixtures pass.
func TestTheSchemasAcceptAndRejectTheSharedFixtures(t *testing.T) {
	doc := load(t)
	schemas := map[string]*openapi3.Schema{
		"create": doc.Components.Schemas["CustomerCreate"].Value,
		"update": doc.Components.Schemas["CustomerUpdate"].Value,
	}
	files, _ := filepath.Glob("../../internal/customers/testdata/bodies/*/*/*.json")
	if len(files) < 15 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, f := range files {
		op, kind := filepath.Base(filepath.Dir(filepath.Dir(f))), filepath.Base(filepath.Dir(f))
		raw, _ := os.ReadFile(f)
		var body any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatal(err)
		}
		err := schemas[op].VisitJSON(body)
		if accepted, want := err == nil, kind != "invalid"; accepted != want {
			t.Errorf("%s: schema accepted=%v, want %v (%v)", f, accepted, want, err)
		}
	}
}
