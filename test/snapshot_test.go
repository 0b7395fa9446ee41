package test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden templates in testdata/")

// masks replace what changes without a change to the design: asset hashes
// (they follow the handler code) and the bootstrap asset bucket.
var masks = []struct {
	pattern *regexp.Regexp
	with    string
}{
	{regexp.MustCompile(`[0-9a-f]{64}`), "ASSET-HASH"},
	{regexp.MustCompile(`cdk-[a-z0-9]+-assets-[^"]+`), "ASSET-BUCKET"},
}

// TestSnapshots compares each stack's template with its golden file in
// testdata/. Run `go test ./test/... -update` to accept a change, then read
// the diff of testdata/ before committing it.
func TestSnapshots(t *testing.T) {
	allStacks(t, func(t *testing.T, _ *stacks.Service, stack awscdk.Stack) {
		got, err := snapshot(templateFile(stack))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", *stack.StackName()+".json")
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run `go test ./test/... -update` to create it)", err)
		}
		if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); diff != "" {
			t.Errorf("template differs from %s (-golden +synthesized); if intended, run `go test ./test/... -update`:\n%s", golden, diff)
		}
	})
}

// snapshot is the template at path, indented and masked.
func snapshot(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	b := out.Bytes()
	for _, m := range masks {
		b = m.pattern.ReplaceAll(b, []byte(m.with))
	}
	return append(b, '\n'), nil
}
