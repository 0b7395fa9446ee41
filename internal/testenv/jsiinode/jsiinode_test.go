package jsiinode

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const jsiiRuntime = "github.com/aws/jsii-runtime-go"

// goList runs `go list` in dir and returns its output lines.
func goList(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s in %s: %v", strings.Join(args, " "), dir, err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// TestImportsAreASubsetOfJsiisRuntime checks the condition under which the
// Go specification initializes this package before jsii-runtime-go (see the
// package doc).
func TestImportsAreASubsetOfJsiisRuntime(t *testing.T) {
	self := goList(t, ".", "-f", "{{.ImportPath}}", ".")[0]
	if self >= jsiiRuntime {
		t.Errorf("import path %s sorts after %s, so jsii may initialize first", self, jsiiRuntime)
	}
	jsii := goList(t, ".", "-deps", jsiiRuntime)
	for _, dep := range goList(t, ".", "-deps", ".") {
		if dep != self && !slices.Contains(jsii, dep) {
			t.Errorf("imports %s, which %s does not: a package that calls jsii at init can then run before this one", dep, jsiiRuntime)
		}
	}
}

// cdkApps are the commands that the CDK CLI runs (cdk.json's "app"): the
// CLI is started by make, which exports JSII_NODE, and they are not test
// code, so they do not link testenv.
var cdkApps = []string{
	"github.com/acme/customers-api",
	"github.com/acme/customers-api/examples/orders/cmd/app",
}

// TestEveryBinaryThatLinksJsiiLinksThisPackage covers every test binary and
// command of both modules (the root and examples/orders) that links jsii,
// other than cdkApps: each must link this package (through testenv or
// testenv/cdkmain), or it starts jsii on the machine's Node.js.
func TestEveryBinaryThatLinksJsiiLinksThisPackage(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	self := goList(t, ".", "-f", "{{.ImportPath}}", ".")[0]
	checked := 0
	for _, dir := range []string{root, filepath.Join(root, "examples", "orders")} {
		// One line per command or test main: its import path, then its
		// dependencies.
		for _, line := range goList(t, dir, "-test", "-f", `{{if eq .Name "main"}}{{.ImportPath}}{{range .Deps}} {{.}}{{end}}{{end}}`, "./...") {
			fields := strings.Fields(line)
			if len(fields) == 0 || slices.Contains(cdkApps, fields[0]) || !slices.Contains(fields, jsiiRuntime) {
				continue
			}
			checked++
			if !slices.Contains(fields, self) {
				t.Errorf("%s links jsii but not %s: import internal/testenv (tests: internal/testenv/cdkmain, and call cdkmain.Run from TestMain)", fields[0], self)
			}
		}
	}
	if checked == 0 {
		t.Error("found no binary that links jsii; the check looked in the wrong place")
	}
}

// TestPlainGoTestStartsThePinnedNode runs `go test` of testdata/initjsii,
// which starts jsii while its package initializes, with JSII_NODE unset and a
// fake node first on PATH that records each call and fails. Linking testenv,
// the test must pass without calling it; built with the nopin tag (testenv not
// linked) the same test must call the fake node and fail, which shows the
// fake is in jsii's way.
func TestPlainGoTestStartsThePinnedNode(t *testing.T) {
	fakeBin := t.TempDir()
	calls := filepath.Join(t.TempDir(), "calls")
	script := "#!/bin/sh\necho \"$0 $*\" >> '" + calls + "'\necho 'fake node: not the pinned Node.js' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(fakeBin, "node"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "JSII_NODE=") && !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	env = append(env, "PATH="+fakeBin+string(os.PathListSeparator)+os.Getenv("PATH"))
	goTest := func(tags string) (string, error) {
		cmd := exec.Command("go", "test", "-count=1", "-tags="+tags, "./testdata/initjsii")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	called := func() string {
		b, err := os.ReadFile(calls)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return string(b)
	}

	if out, err := goTest(""); err != nil {
		t.Errorf("go test of a package that starts jsii at init failed: %v\n%s", err, out)
	}
	if got := called(); got != "" {
		t.Errorf("jsii started the node on PATH, not the pinned one:\n%s", got)
	}

	out, err := goTest("nopin")
	if err == nil {
		t.Errorf("without testenv the test passed; want it to fail on the fake node\n%s", out)
	}
	if called() == "" {
		t.Errorf("without testenv jsii did not call the fake node on PATH; the check above proves nothing\n%s", out)
	}
}
