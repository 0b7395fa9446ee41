package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/customers/schemas"
	"github.com/acme/customers-api/lambdakit/httpx"
	"github.com/acme/customers-api/lambdakit/idempotency"
)

// Document returns the OpenAPI document, indented JSON. Its security
// schemes point at the prod user pool's domain.
func Document() ([]byte, error) {
	prod, err := config.Lookup("prod")
	if err != nil {
		return nil, err
	}
	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{
			Title:   "Customers API",
			Version: "1.0.0",
			Description: "Customers of the serverless customers service. Every call needs a Cognito access token " +
				"with the operation's scope and an API key; every error is application/problem+json. Every GET also " +
				"answers HEAD; a method a path does not list is 405 Method Not Allowed with Allow.",
		},
		Servers: openapi3.Servers{{
			URL:         "https://{restApiId}.execute-api." + prod.Region + ".amazonaws.com/v1",
			Variables:   map[string]*openapi3.ServerVariable{"restApiId": {Default: "restApiId"}},
			Description: "prod stage (see the Customers-prod-Api stack's outputs)",
		}},
		Paths:      openapi3.NewPaths(),
		Components: &openapi3.Components{Schemas: openapi3.Schemas{}, SecuritySchemes: securitySchemes(prod)},
	}
	files := []string{schemas.Create, schemas.Update, schemas.Customer, schemas.List}
	for _, f := range files {
		if err := addComponent(doc, contract.Schema(f)); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	if err := addComponent(doc, httpx.ProblemSchema); err != nil {
		return nil, fmt.Errorf("problem schema: %w", err)
	}
	for _, op := range contract.Operations {
		o, err := operation(op)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op.ID, err)
		}
		item := doc.Paths.Value(op.Path)
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(op.Path, item)
		}
		item.SetOperation(op.Method, o)
		if op.Method == http.MethodGet {
			item.SetOperation(http.MethodHead, head(o))
		}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func securitySchemes(prod config.Environment) openapi3.SecuritySchemes {
	base := fmt.Sprintf("https://%s.auth.%s.amazoncognito.com/oauth2", prod.DomainPrefix(), prod.Region)
	scopes := map[string]string{contract.ScopeRead: "read customers", contract.ScopeWrite: "create, change and delete customers"}
	return openapi3.SecuritySchemes{
		"cognito": {Value: &openapi3.SecurityScheme{
			Type: "oauth2", Description: "Cognito access token (Authorization: Bearer ...)",
			Flows: &openapi3.OAuthFlows{
				ClientCredentials: &openapi3.OAuthFlow{TokenURL: base + "/token", Scopes: scopes},
				AuthorizationCode: &openapi3.OAuthFlow{AuthorizationURL: base + "/authorize", TokenURL: base + "/token", Scopes: scopes},
			},
		}},
		"apiKey": {Value: &openapi3.SecurityScheme{Type: "apiKey", In: "header", Name: "x-api-key", Description: "API key of a usage plan"}},
	}
}

// convert turns a draft-04 schema file into an OpenAPI schema: the $schema
// keyword goes, and references to other schema files become component refs.
func convert(raw []byte) (*openapi3.Schema, string, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, "", err
	}
	delete(m, "$schema")
	rewriteRefs(m)
	title, _ := m["title"].(string)
	b, _ := json.Marshal(m)
	var s openapi3.Schema
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, "", err
	}
	return &s, title, nil
}

func rewriteRefs(v any) {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && strings.HasSuffix(ref, ".schema.json") {
			v["$ref"] = "#/components/schemas/" + componentName(ref)
		}
		for _, x := range v {
			rewriteRefs(x)
		}
	case []any:
		for _, x := range v {
			rewriteRefs(x)
		}
	}
}

// componentName is the title of the schema file a $ref names.
func componentName(ref string) string {
	var m struct{ Title string }
	json.Unmarshal(contract.Schema(path.Base(ref)), &m)
	return m.Title
}

func addComponent(doc *openapi3.T, raw []byte) error {
	s, title, err := convert(raw)
	if err != nil {
		return err
	}
	if title == "" {
		return fmt.Errorf("schema has no title")
	}
	doc.Components.Schemas[title] = &openapi3.SchemaRef{Value: s}
	return nil
}

func ref(file string) *openapi3.SchemaRef {
	return &openapi3.SchemaRef{Ref: "#/components/schemas/" + componentName(file)}
}

func operation(op contract.Operation) (*openapi3.Operation, error) {
	o := &openapi3.Operation{
		OperationID: op.ID, Summary: op.Summary, Tags: []string{"customers"},
		Security:  &openapi3.SecurityRequirements{{"cognito": {op.Scope}, "apiKey": {}}},
		Responses: openapi3.NewResponses(),
	}
	for _, p := range []struct{ in, file string }{{"path", op.PathSchema}, {"query", op.QuerySchema}} {
		if p.file == "" {
			continue
		}
		s, _, err := convert(contract.Schema(p.file))
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(s.Properties))
		for name := range s.Properties {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			prop := s.Properties[name]
			o.Parameters = append(o.Parameters, &openapi3.ParameterRef{Value: &openapi3.Parameter{
				Name: name, In: p.in, Required: slices.Contains(s.Required, name) || p.in == "path",
				Description: prop.Value.Description, Schema: prop,
			}})
		}
	}
	headers := make([]string, 0, len(op.Headers))
	for h := range op.Headers {
		headers = append(headers, h)
	}
	slices.Sort(headers)
	for _, h := range headers {
		o.Parameters = append(o.Parameters, &openapi3.ParameterRef{Value: &openapi3.Parameter{
			Name: h, In: "header", Required: op.Headers[h], Description: headerDoc[h],
			Schema: &openapi3.SchemaRef{Value: openapi3.NewStringSchema()},
		}})
	}
	if op.BodySchema != "" {
		o.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).
			WithContent(openapi3.NewContentWithJSONSchemaRef(ref(op.BodySchema)))}
	}
	statuses := append(slices.Clone(op.Statuses), contract.CommonErrors...)
	slices.Sort(statuses)
	for _, status := range slices.Compact(statuses) {
		o.Responses.Set(strconv.Itoa(status), &openapi3.ResponseRef{Value: response(op, status)})
	}
	return o, nil
}

// head is the HEAD twin of a GET operation: the same parameters, statuses
// and headers, no content (RFC 9110 §9.3.2).
func head(get *openapi3.Operation) *openapi3.Operation {
	o := *get
	o.OperationID = "head" + strings.ToUpper(get.OperationID[:1]) + get.OperationID[1:]
	o.Summary = get.Summary + " (headers only)"
	o.Responses = openapi3.NewResponses()
	for status, r := range get.Responses.Map() {
		bodiless := *r.Value
		bodiless.Content = nil
		o.Responses.Set(status, &openapi3.ResponseRef{Value: &bodiless})
	}
	return &o
}

// headerDoc describes each request header; the preconditions are evaluated
// in RFC 9110 §13.2.2's order.
var headerDoc = map[string]string{
	idempotency.HeaderKey: "Makes a retried create safe: the same key and body replay the first response for a day.",
	"If-Match":            "Entity tags, or *: 412 unless one matches the current ETag strongly (RFC 9110 §13.1.1).",
	"If-None-Match":       "Entity tags, or *: when one matches the current ETag weakly, 304 for GET and HEAD, 412 otherwise (RFC 9110 §13.1.2).",
	"If-Modified-Since":   "HTTP date: GET and HEAD answer 304 when the resource has not changed since (RFC 9110 §13.1.3); ignored with If-None-Match.",
	"If-Unmodified-Since": "HTTP date: 412 when the resource changed since (RFC 9110 §13.1.4); ignored with If-Match.",
}

func response(op contract.Operation, status int) *openapi3.Response {
	desc := http.StatusText(status)
	r := openapi3.NewResponse().WithDescription(desc)
	switch {
	case status >= 400:
		r.WithContent(openapi3.Content{httpx.ContentTypeProblem: openapi3.NewMediaType().WithSchemaRef(&openapi3.SchemaRef{Ref: "#/components/schemas/Problem"})})
	case status == 200 || status == 201:
		r.WithContent(openapi3.NewContentWithJSONSchemaRef(ref(op.ResponseSchema)))
	}
	header := func(name, doc string) {
		if r.Headers == nil {
			r.Headers = openapi3.Headers{}
		}
		r.Headers[name] = &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
			Description: doc, Schema: &openapi3.SchemaRef{Value: openapi3.NewStringSchema()},
		}}}
	}
	switch {
	case op.ResponseSchema == schemas.Customer && (status == 200 || status == 201 || status == 304):
		header("ETag", "The version's entity tag.")
		header("Last-Modified", "The version's updatedDate as an HTTP date (whole seconds).")
	case status == 429, status == 503:
		header("Retry-After", "Seconds to wait before retrying.")
	}
	if status == 201 {
		header("Location", "Path of the new customer.")
		header(idempotency.HeaderReplayed, "true when this is the replay of an earlier request with the same Idempotency-Key.")
	}
	return r
}
