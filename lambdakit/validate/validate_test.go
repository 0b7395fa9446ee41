package validate_test

import (
	"errors"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/lambdakit/validate"
)

var item = validate.MustCompile(os.DirFS("testdata"), "item.schema.json")

type itemDoc struct {
	Name  string `json:"name"`
	Tag   string `json:"tag"`
	Count int    `json:"count"`
}

func TestDecodeAcceptsAValidDocumentAndFillsTheValue(t *testing.T) {
	var got itemDoc
	if err := item.Decode([]byte(`{"name":"x","tag":"a","count":2}`), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(itemDoc{"x", "a", 2}, got); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
}

func TestDecodeRefusesWithOnePointerPerProblem(t *testing.T) {
	for body, want := range map[string][]string{
		`not json`:                           {""},
		`[]`:                                 {""},
		`{"tag":"a"}`:                        {"/name"},
		`{"name":"","tag":"c"}`:              {"/name", "/tag"}, // the $ref to the other file applies
		`{"name":"toolong","tag":"a"}`:       {"/name"},
		`{"name":"x","tag":"a","extra":1}`:   {"/extra"},
		`{"name":"x","tag":"a","count":-1}`:  {"/count"},
		`{"name":"x","tag":"a","count":1.5}`: {"/count"},
	} {
		var v itemDoc
		err := item.Decode([]byte(body), &v)
		var errs validate.Errors
		if !errors.As(err, &errs) {
			t.Errorf("%s: error %v is not validate.Errors", body, err)
			continue
		}
		var got []string
		for _, e := range errs {
			got = append(got, e.Pointer)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: pointers (-want +got):\n%s", body, diff)
		}
	}
}

func TestCheckPrefixesPointers(t *testing.T) {
	err := item.Check(map[string]any{"name": "x", "tag": "zzz"}, "/query")
	var errs validate.Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Pointer != "/query/tag" {
		t.Errorf("got %v", err)
	}
}

func TestCompileReportsAMissingOrBrokenSchema(t *testing.T) {
	if _, err := validate.Compile(os.DirFS("testdata"), "nope.schema.json"); err == nil {
		t.Error("a missing schema compiled")
	}
}
