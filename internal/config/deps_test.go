package config

import (
	"os/exec"
	"strings"
	"testing"
)

// Configuration is read by tools that must stay small and link no CDK
// (preflight); it uses the constructs' settings through constructs/settings,
// never through a construct package.
func TestConfigLinksNoCDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, cdk := range []string{"github.com/aws/aws-cdk-go/", "github.com/aws/jsii-runtime-go", "github.com/aws/constructs-go/", "github.com/cdklabs/"} {
			if strings.HasPrefix(dep, cdk) {
				t.Errorf("config links %s", dep)
			}
		}
	}
}
