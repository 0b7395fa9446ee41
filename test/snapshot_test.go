package test

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/acme/customers-api/constructs/cdktest"
	"github.com/acme/customers-api/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden templates in testdata/")

// TestSnapshots compares each stack's template with its golden file in
// testdata/. Run `go test ./test/... -update` to accept a change, then read
// the diff of testdata/ before committing it.
func TestSnapshots(t *testing.T) {
	allStacks(t, func(t *testing.T, _ *stacks.Service, stack awscdk.Stack) {
		cdktest.Golden(t, cdktest.Template(stack), filepath.Join("testdata", *stack.StackName()+".json"), *update)
	})
}
