package customers

import (
	"os"
	"path/filepath"
	"testing"
)

// The fixtures in testdata/bodies are shared with the OpenAPI test, which
// checks the same files against the schemas API Gateway's models use:
// valid/ pass both, invalid/ fail both, stricter/ pass the schema but fail
// the handler's extra checks (e-mail syntax beyond what draft-04 can say).
func TestHandlersAcceptAndRejectTheSharedFixtures(t *testing.T) {
	decoders := map[string]func([]byte) (Draft, error){"create": DecodeCreate, "update": DecodeUpdate}
	files, _ := filepath.Glob("testdata/bodies/*/*/*.json")
	if len(files) < 15 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, f := range files {
		op, kind := filepath.Base(filepath.Dir(filepath.Dir(f))), filepath.Base(filepath.Dir(f))
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, err = decoders[op](body)
		if accepted, want := err == nil, kind == "valid"; accepted != want {
			t.Errorf("%s: accepted=%v, want %v (%v)", f, accepted, want, err)
		}
	}
}
