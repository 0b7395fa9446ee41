package customers

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// addFixtures seeds a fuzz target with the shared request-body fixtures.
func addFixtures(f *testing.F, glob string) {
	files, _ := filepath.Glob(glob)
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// A body the validator accepts round-trips: re-encoding the draft and
// decoding it again gives the same draft, which is already normalized (its
// e-mail is NormalizeEmail's fixed point, its name trimmed, 1-200 runes).
func FuzzDecodeCreate(f *testing.F) {
	addFixtures(f, "testdata/bodies/create/*/*.json")
	f.Add([]byte(`{"name":"A","email":"a\u200b@example.com"}`))
	f.Add([]byte(`{"name":"A","email":"a@B\u00dcCHER.example"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := DecodeCreate(body)
		if err != nil {
			return
		}
		again, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		d2, err := DecodeCreate(again)
		if err != nil || d2 != d {
			t.Fatalf("%s decoded to %+v, which re-decodes to %+v, %v", body, d, d2, err)
		}
		if e, err := NormalizeEmail(d.Email); err != nil || e != d.Email {
			t.Errorf("stored e-mail %q is not normalized (%q, %v)", d.Email, e, err)
		}
		if strings.ContainsFunc(d.Email, invisible) || strings.Count(d.Email, "@") != 1 {
			t.Errorf("stored e-mail %q has an invisible character or not one @", d.Email)
		}
		if n := utf8.RuneCountInString(d.Name); n < 1 || n > 200 || !utf8.ValidString(d.Name) {
			t.Errorf("stored name %q has %d runes", d.Name, n)
		}
	})
}
