package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/acme/customers-api/internal/testenv"
)

// The local API, driven by schemathesis from openapi/customers-api.json:
// generated valid and invalid requests, single and chained, must get no 5XX
// and only documented statuses, content types, headers and bodies, and a
// method the document does not list must get 405 with Allow.
// CONTRACT_EXAMPLES sets the cases per operation and phase (5 here; `make
// contract` runs 100).
func TestContractOfTheLocalAPI(t *testing.T) {
	t.Parallel()
	st, err := testenv.VenvTool("st")
	if err != nil {
		t.Fatal(err)
	}
	examples := 5
	if n, err := strconv.Atoi(os.Getenv("CONTRACT_EXAMPLES")); err == nil && n > 0 {
		examples = n
	}
	env := startLocal(t, nil)
	token, key := credentials(t, env)
	schema, err := filepath.Abs("../openapi/customers-api.json")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir() // schemathesis keeps a cache in its working directory
	cmd := exec.Command(st, "run", schema, "--url", env.URL,
		"-H", "Authorization: Bearer "+token, "-H", "X-Api-Key: "+key,
		"--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,unsupported_method",
		"--max-examples", strconv.Itoa(examples), "--seed", "1", "--workers", "1", "--generation-database", "none",
		// Below the dev usage plan's 20 requests a second, so that every
		// case reaches the handlers.
		"--rate-limit", "15/s", "--no-color")
	cmd.Dir = work
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("schemathesis found contract violations (%v):\n%s", err, out)
	}
	t.Logf("schemathesis:\n%s", out)
}
