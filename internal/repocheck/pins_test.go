package repocheck

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/acme/customers-api/internal/motoserver"
	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/localapi"
)

// pin returns the first submatch of re in the repository file name.
func pin(t *testing.T, name string, re *regexp.Regexp) string {
	t.Helper()
	root, err := testenv.Root()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	m := re.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s has no line matching %s", name, re)
	}
	return string(m[1])
}

// The install commands that localapi's errors give a consumer name the
// versions this repository's own tests run: the Makefile's emulator and
// requirements.in's moto.
func TestLocalAPIsInstallHintsNameThePinnedVersions(t *testing.T) {
	rie := pin(t, "Makefile", regexp.MustCompile(`(?m)^RIE_VERSION := (\S+)$`))
	if want := "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@" + rie; localapi.RIEInstall != want {
		t.Errorf("localapi.RIEInstall = %q, but the Makefile builds %q", localapi.RIEInstall, want)
	}
	moto := pin(t, "requirements.in", regexp.MustCompile(`(?m)^(moto\[server\]==\S+)$`))
	if motoserver.MotoRequirement != moto {
		t.Errorf("motoserver.MotoRequirement = %q, but requirements.in pins %q", motoserver.MotoRequirement, moto)
	}
	// The README's "Running from another module" and localapi's package
	// doc show the same commands (the doc names RIEInstall).
	shown := map[string][]string{
		"README.md":       {"pip install '" + moto + "'", "aws-lambda-rie@" + rie},
		"localapi/env.go": {"pip install '" + moto + "'"},
	}
	for doc, commands := range shown {
		for _, want := range commands {
			pin(t, doc, regexp.MustCompile("("+regexp.QuoteMeta(want)+")"))
		}
	}
}
