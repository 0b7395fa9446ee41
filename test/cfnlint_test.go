package test

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/stacks"
)

// TestCfnLintFindsNoErrors runs cfn-lint (from the project's .venv) on every
// synthesized template. Warnings fail too: cfn-lint exits non-zero on both.
func TestCfnLintFindsNoErrors(t *testing.T) {
	lint, err := testenv.VenvTool("cfn-lint")
	if err != nil {
		t.Fatal(err)
	}
	allStacks(t, func(t *testing.T, _ *stacks.Service, stack awscdk.Stack) {
		out, err := exec.Command(lint, "--", filepath.Clean(templateFile(stack))).CombinedOutput()
		if err != nil {
			t.Errorf("cfn-lint %s: %v\n%s", templateFile(stack), err, out)
		}
	})
}
