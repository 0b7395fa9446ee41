package restapi

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// draft04Schema is the $schema of JSON Schema draft 4, with and without
// its empty fragment.
var draft04Schema = []string{"http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-04/schema"}

// laterKeywords are keywords that JSON Schema introduced after draft 4
// (draft-06, draft-07, 2019-09 and 2020-12 release notes). API Gateway
// validates request bodies against draft 4 ("Data models for REST APIs",
// API Gateway Developer Guide), and draft 4 ignores keywords it does not
// know, so a schema that uses one of these validates less than it says.
var laterKeywords = []string{
	"$anchor", "$comment", "$defs", "$dynamicAnchor", "$dynamicRef", "$recursiveAnchor", "$recursiveRef", "$vocabulary",
	"const", "contains", "contentEncoding", "contentMediaType", "contentSchema", "dependentRequired", "dependentSchemas",
	"deprecated", "else", "examples", "if", "maxContains", "minContains", "prefixItems", "propertyNames", "readOnly",
	"then", "unevaluatedItems", "unevaluatedProperties", "writeOnly",
}

// draft04 says why schema is not a JSON Schema draft 4 document that API
// Gateway can hold as a model: not JSON, a $schema other than draft 4's,
// a keyword of a later draft, or a numeric exclusiveMinimum or
// exclusiveMaximum (a boolean in draft 4, a number from draft-06 on).
func draft04(schema []byte) error {
	var doc any
	if err := json.Unmarshal(schema, &doc); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if top, ok := doc.(map[string]any); ok {
		if s, set := top["$schema"]; set && !slices.Contains(draft04Schema, fmt.Sprint(s)) {
			return fmt.Errorf("$schema is %v; API Gateway validates with JSON Schema draft 4 (%s)", s, draft04Schema[0])
		}
	}
	return laterKeyword(doc, "")
}

// laterKeyword walks the schema's objects for a keyword of a later draft
// and names its JSON Pointer. Values under "properties",
// "patternProperties", "definitions" and "enum" are names or data, not
// keywords, and only their members' schemas are walked.
func laterKeyword(v any, at string) error {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			if slices.Contains(laterKeywords, k) {
				return fmt.Errorf("%q at %q is not a draft 4 keyword; API Gateway's draft 4 validator ignores it", k, at+"/"+k)
			}
			if k == "exclusiveMinimum" || k == "exclusiveMaximum" {
				if _, isBool := child.(bool); !isBool {
					return fmt.Errorf("%q at %q must be a boolean in draft 4 (with minimum or maximum)", k, at+"/"+k)
				}
			}
			switch k {
			case "enum", "default":
				continue
			case "properties", "patternProperties", "definitions":
				if members, ok := child.(map[string]any); ok {
					for name, schema := range members {
						if err := laterKeyword(schema, at+"/"+k+"/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(name)); err != nil {
							return err
						}
					}
				}
				continue
			}
			if err := laterKeyword(child, at+"/"+k); err != nil {
				return err
			}
		}
	case []any:
		for i, child := range v {
			if err := laterKeyword(child, fmt.Sprintf("%s/%d", at, i)); err != nil {
				return err
			}
		}
	}
	return nil
}
