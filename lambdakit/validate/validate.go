// Package validate checks JSON documents against JSON Schemas and reports
// problems as JSON Pointers with messages that never quote the rejected
// value (request bodies carry personal data). Handlers use the same schema
// files that API Gateway's request models are made from.
package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/acme/customers-api/lambdakit/validate/internal/jsonschema"
	"github.com/acme/customers-api/lambdakit/validate/internal/jsonschema/kind"
)

// FieldError is one invalid value.
type FieldError struct {
	// Pointer is a JSON Pointer (RFC 6901) to the value, e.g. "/email";
	// "" is the whole document.
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
}

// Errors is a validation failure.
type Errors []FieldError

// Error lists the pointers and details.
func (e Errors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = strings.TrimSpace(f.Pointer + " " + f.Detail)
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

// base makes schema file names absolute URLs, so that relative references
// between them resolve without touching the file system.
const base = "mem:///"

// Schema is a compiled JSON Schema (draft-04 unless the file says otherwise).
type Schema struct {
	name   string
	schema *jsonschema.Schema
}

// Compile compiles the schema file name from fsys. References to other
// .json files in the same directory ("$ref": "customer.schema.json")
// resolve to those files.
func Compile(fsys fs.FS, name string) (*Schema, error) {
	files, err := fs.Glob(fsys, path.Join(path.Dir(name), "*.json"))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	for _, f := range files {
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", f, err)
		}
		if err := c.AddResource(base+f, doc); err != nil {
			return nil, fmt.Errorf("schema %s: %w", f, err)
		}
	}
	s, err := c.Compile(base + name)
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	return &Schema{name: name, schema: s}, nil
}

// MustCompile is Compile for schemas embedded in the binary, where an error
// is a programming mistake caught by any test.
func MustCompile(fsys fs.FS, name string) *Schema {
	s, err := Compile(fsys, name)
	if err != nil {
		panic(err)
	}
	return s
}

// Decode validates body against the schema and, if it is valid, unmarshals
// it into v. Invalid JSON, JSON that is not I-JSON (RFC 7493: invalid
// Unicode, duplicate member names; see checkIJSON) and schema violations
// are Errors.
func (s *Schema) Decode(body []byte, v any) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil || !json.Valid(body) {
		return Errors{{Pointer: "", Detail: "is not a valid JSON document"}}
	}
	if fe := checkIJSON(body); fe != nil {
		return Errors{*fe}
	}
	if err := s.Check(doc, ""); err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return Errors{{Pointer: "", Detail: "does not have the expected shape"}}
	}
	return nil
}

// Check validates a decoded document (as jsonschema.UnmarshalJSON or
// encoding/json with UseNumber produce it). Pointers in the errors start
// with prefix, e.g. "/query" for a document made of query parameters.
func (s *Schema) Check(doc any, prefix string) error {
	err := s.schema.Validate(doc)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return Errors{{Detail: "could not be validated"}}
	}
	var out Errors
	collect(ve, &out)
	for i := range out {
		out[i].Pointer = prefix + out[i].Pointer
	}
	slices.SortFunc(out, func(a, b FieldError) int { return strings.Compare(a.Pointer+a.Detail, b.Pointer+b.Detail) })
	return slices.Compact(out)
}

// collect appends the leaves of a validation error tree.
func collect(ve *jsonschema.ValidationError, out *Errors) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			collect(c, out)
		}
		return
	}
	at := pointer(ve.InstanceLocation)
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		for _, p := range k.Missing {
			*out = append(*out, FieldError{Pointer: at + "/" + escape(p), Detail: "is required"})
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			*out = append(*out, FieldError{Pointer: at + "/" + escape(p), Detail: "is not allowed"})
		}
	default:
		*out = append(*out, FieldError{Pointer: at, Detail: detail(ve.ErrorKind)})
	}
}

// detail describes a violated keyword using only what the schema says.
func detail(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return "must be of type " + strings.Join(k.Want, " or ")
	case *kind.MinLength:
		return fmt.Sprintf("must be at least %d characters", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d characters", k.Want)
	case *kind.Pattern:
		return "does not have the expected format"
	case *kind.Enum:
		return fmt.Sprintf("must be one of %v", k.Want)
	case *kind.Minimum, *kind.Maximum, *kind.ExclusiveMinimum, *kind.ExclusiveMaximum:
		return "is out of range"
	default:
		return "is not valid (" + strings.Join(k.KeywordPath(), "/") + ")"
	}
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString("/" + escape(t))
	}
	return b.String()
}

func escape(token string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(token)
}
