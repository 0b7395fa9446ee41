package test

import (
	"os/exec"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/stacks"
)

// TestCfnLintFindsNoErrors runs cfn-lint (from the project's .venv) once on
// every synthesized template. Warnings fail too, except W3005 (a DependsOn
// that a Ref already implies): CDK's Lambda Function adds one on its role.
func TestCfnLintFindsNoErrors(t *testing.T) {
	lint, err := testenv.VenvTool("cfn-lint")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--ignore-checks", "W3005", "--"}
	allStacks(t, func(_ *testing.T, _ *stacks.Deployment, stack awscdk.Stack) {
		args = append(args, templateFile(stack))
	})
	if len(args) < 12 {
		t.Fatalf("only %d templates to lint", len(args)-3)
	}
	if out, err := exec.Command(lint, args...).CombinedOutput(); err != nil {
		t.Errorf("cfn-lint: %v\n%s", err, out)
	}
}
