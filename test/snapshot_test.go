package test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/acme/customers-api/cdktest"
	"github.com/acme/customers-api/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden templates in testdata/")

// TestSnapshots compares each stack's template with its golden file in
// testdata/. Run `go test ./test/... -update` to accept a change, then read
// the diff of testdata/ before committing it.
func TestSnapshots(t *testing.T) {
	allStacks(t, func(t *testing.T, _ *stacks.Deployment, stack awscdk.Stack) {
		cdktest.Golden(t, cdktest.Template(stack), filepath.Join("testdata", *stack.StackName()+".json"), *update)
	})
}

// TestEveryGoldenFileHasAStack fails on a golden file that no stack (or
// dashboard) produces any more, so that stale snapshots do not linger.
func TestEveryGoldenFileHasAStack(t *testing.T) {
	produced := map[string]bool{}
	for _, s := range services {
		produced["Customers-"+s.Env.Name+"-dashboard.json"] = true
		for _, stack := range s.Stacks() {
			produced[*stack.StackName()+".json"] = true
		}
	}
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") && !produced[e.Name()] {
			t.Errorf("testdata/%s is produced by no stack: delete it", e.Name())
		}
	}
}
