package repocheck

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/acme/customers-api/internal/testenv"
)

// The local command and the package behind it link neither the CDK (the
// command was 47 MB with it) nor this repository's test environment, whose
// paths (.venv, .tools, node_modules) a consumer in another module does not
// have; what they need is found through localapi.Options instead.
func TestTheLocalCommandLinksNeitherTheCDKNorTheTestEnvironment(t *testing.T) {
	root, err := testenv.Root()
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{
		"github.com/aws/aws-cdk-go/",
		"github.com/aws/jsii-runtime-go",
		"github.com/aws/constructs-go/",
		"github.com/cdklabs/",
		module + "internal/testenv",
		module + "constructs/",
	}
	for _, pkg := range []string{"./tools/local", "./localapi"} {
		cmd := exec.Command("go", "list", "-deps", pkg)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 {
			t.Fatalf("go list -deps %s listed %d packages; the check looked in the wrong place", pkg, len(deps))
		}
		for _, dep := range deps {
			for _, f := range forbidden {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s links %s", pkg, dep)
				}
			}
		}
	}
}
