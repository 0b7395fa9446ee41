package validate_test

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// Upstream jsonschema compiles the metaschemas of all five drafts in its
// package init (1.7 MB allocated, 5 to 8 ms of every cold start); the
// patched copy in lambdakit/validate/internal/jsonschema compiles a
// draft's on first use. This fails if validate imports upstream again or
// the patch is lost.
func TestImportingValidateCompilesNoMetaschema(t *testing.T) {
	cmd := exec.Command("go", "run", "./testdata/initcost")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`init github.com/acme/customers-api/lambdakit/validate/internal/jsonschema @\S+ ms, \S+ ms clock, (\d+) bytes`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no init line for jsonschema in:\n%s", out)
	}
	const limit = 64 << 10
	if n, _ := strconv.Atoi(string(m[1])); n > limit {
		t.Errorf("importing validate allocates %d bytes in jsonschema's init, want at most %d: metaschemas are compiled at init again", n, limit)
	}
}
