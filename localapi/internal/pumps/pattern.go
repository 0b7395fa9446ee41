package pumps

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// pattern is a Lambda event filter pattern (the EventBridge pattern
// syntax) limited to exact matching: each field is an object of nested
// fields or a list of values, one of which the event's value must equal
// (an event list matches when one element does). Content filters such as
// prefix or numeric are refused when the pattern is parsed.
type pattern map[string]any

func parsePattern(s string) (pattern, error) {
	var p pattern
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("filter pattern %s: %w", s, err)
	}
	if err := check(p); err != nil {
		return nil, fmt.Errorf("filter pattern %s: %w", s, err)
	}
	return p, nil
}

func check(p map[string]any) error {
	for k, v := range p {
		switch v := v.(type) {
		case map[string]any:
			if err := check(v); err != nil {
				return err
			}
		case []any:
			for _, item := range v {
				if _, ok := item.(map[string]any); ok {
					return fmt.Errorf("field %s: content filters are not modelled, only exact values", k)
				}
			}
		default:
			return fmt.Errorf("field %s: a pattern value must be an object or a list", k)
		}
	}
	return nil
}

func (p pattern) matches(doc map[string]any) bool {
	for k, want := range p {
		got, ok := doc[k]
		if !ok {
			return false
		}
		switch want := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !ok || !pattern(want).matches(sub) {
				return false
			}
		case []any:
			if !anyEqual(want, got) {
				return false
			}
		}
	}
	return true
}

func anyEqual(allowed []any, got any) bool {
	values := []any{got}
	if list, ok := got.([]any); ok {
		values = list
	}
	for _, a := range allowed {
		for _, v := range values {
			if reflect.DeepEqual(a, v) {
				return true
			}
		}
	}
	return false
}
