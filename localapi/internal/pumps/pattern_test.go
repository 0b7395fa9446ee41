package pumps

import (
	"encoding/json"
	"testing"
)

// Filter patterns as Lambda's event filtering documents them
// ("Lambda event filtering", Lambda developer guide), exact values only.
func TestAFilterPatternMatchesTheRecordsItNames(t *testing.T) {
	p, err := parsePattern(`{"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {"type": {"S": ["customer"]}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	for record, want := range map[string]bool{
		`{"eventName": "INSERT", "dynamodb": {"NewImage": {"type": {"S": "customer"}}}}`:    true,
		`{"eventName": "MODIFY", "dynamodb": {"NewImage": {"type": {"S": "customer"}}}}`:    true,
		`{"eventName": "REMOVE", "dynamodb": {"NewImage": {"type": {"S": "customer"}}}}`:    false,
		`{"eventName": "INSERT", "dynamodb": {"NewImage": {"type": {"S": "idempotency"}}}}`: false,
		`{"eventName": "INSERT", "dynamodb": {}}`:                                           false,
		`{"eventName": "INSERT"}`: false,
	} {
		var doc map[string]any
		if err := json.Unmarshal([]byte(record), &doc); err != nil {
			t.Fatal(err)
		}
		if got := p.matches(doc); got != want {
			t.Errorf("matches(%s) = %v, want %v", record, got, want)
		}
	}
}

func TestAnEventListMatchesWhenOneElementDoes(t *testing.T) {
	p, _ := parsePattern(`{"tags": ["blue"]}`)
	if !p.matches(map[string]any{"tags": []any{"red", "blue"}}) || p.matches(map[string]any{"tags": []any{"red"}}) {
		t.Error("a list value did not match as one of its elements")
	}
}

func TestContentFiltersAndBareValuesAreRefused(t *testing.T) {
	for _, s := range []string{`{"n": [{"numeric": [">", 1]}]}`, `{"name": [{"prefix": "cust"}]}`, `{"eventName": "INSERT"}`, `not json`} {
		if _, err := parsePattern(s); err == nil {
			t.Errorf("parsePattern(%s) accepted a pattern it does not model", s)
		}
	}
}
