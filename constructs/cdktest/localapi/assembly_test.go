package localapi

import (
	"strings"
	"testing"
)

func TestIntrinsicsResolveAndMalformedOnesAreErrors(t *testing.T) {
	a := &Assembly{}
	got, err := a.Value("S", map[string]any{"Fn::Select": []any{1.0, map[string]any{"Fn::Split": []any{",", map[string]any{"Fn::Join": []any{",", []any{"a", "b", "c"}}}}}}})
	if err != nil || got != "b" {
		t.Errorf("Select 1 of Split of Join = %v, %v; want b", got, err)
	}
	for _, fn := range []string{"Fn::GetAtt", "Fn::Join", "Fn::Split", "Fn::Select"} {
		for _, arg := range []any{"x", []any{"one"}, []any{"a", "b", "c"}} {
			if _, err := a.Value("S", map[string]any{fn: arg}); err == nil || !strings.Contains(err.Error(), "malformed "+fn) {
				t.Errorf("%s %v: err = %v, want malformed", fn, arg, err)
			}
		}
	}
}
