// Package consumer tests the constructs and the handler toolkit as another
// team uses them: from a Go module of its own, outside this repository.
//
// TestTheProductsAPIBuildsTestsAndRunsOutsideThisRepository copies the
// template module examples/products into a temporary directory, points
// its one replace at this checkout, installs its pinned Node.js and CDK CLI
// from its own package.json and package-lock.json, and runs what its team
// runs: `npm run synth` (cdk synth with its cdk.json, Lambda bundling
// included) and `npm test` (go vet and go test: snapshot, cdk-nag, alarms,
// the local gateway). The commands see neither this repository's files
// (only the module, through the replace) nor its node_modules, .venv or
// .tools on PATH, so a consumer that needs a file of this repository fails
// here. The one exception is named: the emulator and moto's Python of the
// local gateway, passed through localapi's variables (see localTools).
package consumer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/modfile"

	"github.com/acme/customers-api/localapi"
)

var update = flag.Bool("update", false, "rewrite the template's golden files (examples/products/**/testdata) from the consumer's test")

const (
	module   = "github.com/acme/customers-api"
	template = "examples/products"
)

// root is this checkout: the module root two levels up.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if path := modfile.ModulePath(b); path != module {
		t.Fatalf("%s is module %q, want %s", dir, path, module)
	}
	return dir
}

// copyTree copies the regular files under src to dst, leaving out what
// the consumer's own tools write (node_modules, cdk.out).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && (d.Name() == "node_modules" || d.Name() == "cdk.out"):
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a regular file: the template must be plain files", path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}

// pointReplaceAt rewrites the consumer's go.mod so that its one replace,
// of this module, names checkout; any other replace (a patched dependency,
// say) fails the test, because a consumer would have to copy it.
func pointReplaceAt(t *testing.T, gomod, checkout string) {
	t.Helper()
	b, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse(gomod, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Replace) != 1 || f.Replace[0].Old.Path != module || f.Replace[0].Old.Version != "" {
		var got []string
		for _, r := range f.Replace {
			got = append(got, r.Old.String()+" => "+r.New.String())
		}
		t.Fatalf("the template's go.mod has replaces %v; want exactly one, of %s (a consumer needs nothing else replaced)", got, module)
	}
	if err := f.AddReplace(module, "", checkout, ""); err != nil {
		t.Fatal(err)
	}
	out, err := f.Format()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gomod, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// environ is the consumer's environment: this process's, without anything
// that names this checkout (its node_modules/.bin and .venv/bin on PATH,
// JSII_NODE, PWD and the like), without a go.work, and with go.mod and
// go.sum read-only so that a missing requirement fails.
func environ(checkout string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		switch name {
		case "PATH":
			var keep []string
			for _, dir := range filepath.SplitList(value) {
				if !within(checkout, dir) {
					keep = append(keep, dir)
				}
			}
			env = append(env, "PATH="+strings.Join(keep, string(os.PathListSeparator)))
		case "JSII_NODE", "GOFLAGS", "GOWORK":
		default:
			if !strings.Contains(value, checkout) {
				env = append(env, kv)
			}
		}
	}
	return append(env, "GOWORK=off", "GOFLAGS=-mod=readonly")
}

// within reports whether path is dir or lies under it.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// run runs a command in dir with env and fails t with its output if it
// fails; it logs how long it took.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	start := time.Now()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	t.Logf("%s %s: %s", name, strings.Join(args, " "), time.Since(start).Round(100*time.Millisecond))
	if err != nil {
		t.Fatalf("%s %s in %s: %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// installNode gives the consumer at dir a node_modules installed by
// `npm ci` from its package.json and package-lock.json. The install is kept
// in the user's cache directory, outside this checkout, by the hash of
// those two files, and linked; a changed file installs anew.
func installNode(t *testing.T, dir string, env []string) {
	t.Helper()
	h := sha256.New()
	var files [][]byte
	for _, name := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
		h.Write(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		run(t, dir, env, "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error")
		return
	}
	cache = filepath.Join(cache, "customers-api", "consumer-node")
	installed := filepath.Join(cache, hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(installed, "node_modules", ".bin", "node")); err != nil {
		if err := os.MkdirAll(cache, 0o755); err != nil {
			t.Fatal(err)
		}
		tmp, err := os.MkdirTemp(cache, "install-")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(tmp)
		for i, name := range []string{"package.json", "package-lock.json"} {
			if err := os.WriteFile(filepath.Join(tmp, name), files[i], 0o644); err != nil {
				t.Fatal(err)
			}
		}
		run(t, tmp, env, "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error")
		// Another run may have installed the same files meanwhile; either
		// copy will do.
		if err := os.Rename(tmp, installed); err != nil && !exists(filepath.Join(installed, "node_modules", ".bin", "node")) {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(installed, "node_modules"), filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
}

// localTools are the environment variables that give the consumer's
// local-gateway test what localapi runs (README "Running from another
// module"): the Lambda Runtime Interface Emulator and a Python with moto's
// server. They are this checkout's, which `make test` installs (.tools,
// .venv); a consumer installs its own with the commands the README gives
// (a fresh moto virtual environment takes minutes, so the test does not).
func localTools(t *testing.T, checkout string) []string {
	t.Helper()
	rie := filepath.Join(checkout, ".tools", "aws-lambda-rie")
	python := filepath.Join(checkout, ".venv", "bin", "python")
	for _, tool := range []string{rie, python} {
		if !exists(tool) {
			t.Fatalf("%s is missing: run `make test` (or `make tools %s`)", tool, rie)
		}
	}
	return []string{localapi.RIEEnv + "=" + rie, localapi.PythonEnv + "=" + python}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestTheProductsAPIBuildsTestsAndRunsOutsideThisRepository(t *testing.T) {
	start := time.Now()
	checkout := root(t)
	dir := t.TempDir()
	if within(checkout, dir) {
		t.Fatalf("the consumer's directory %s is inside the checkout %s", dir, checkout)
	}
	if err := copyTree(filepath.Join(checkout, template), dir); err != nil {
		t.Fatal(err)
	}
	pointReplaceAt(t, filepath.Join(dir, "go.mod"), checkout)
	env := environ(checkout)
	installNode(t, dir, env)
	env = append(env, localTools(t, checkout)...)

	// The scripts run the pinned Node.js, not the machine's: jsii starts the
	// node it finds on PATH.
	var pins struct{ DevDependencies map[string]string }
	if b, err := os.ReadFile(filepath.Join(dir, "package.json")); err != nil || json.Unmarshal(b, &pins) != nil {
		t.Fatalf("package.json: %v", err)
	}
	if got := strings.TrimSpace(run(t, dir, env, "npm", "exec", "--offline", "--", "node", "--version")); got != "v"+pins.DevDependencies["node"] {
		t.Errorf("npm's scripts run node %s, want the pinned %s", got, pins.DevDependencies["node"])
	}

	out := run(t, dir, env, "npm", "run", "synth", "--", "--quiet")
	tmpl, err := os.ReadFile(filepath.Join(dir, "cdk.out", "Products-dev.template.json"))
	if err != nil {
		t.Fatalf("cdk synth wrote no Products-dev template: %v\n%s", err, out)
	}
	var synthesized struct {
		Resources map[string]struct{ Type string }
	}
	if err := json.Unmarshal(tmpl, &synthesized); err != nil {
		t.Fatal(err)
	}
	functions := 0
	for _, r := range synthesized.Resources {
		if r.Type == "AWS::Lambda::Function" {
			functions++
		}
	}
	if functions < 2 {
		t.Errorf("cdk synth made %d functions, want the two operations' at least", functions)
	}

	if *update {
		run(t, dir, env, "npm", "test", "--", "-run", "TestSnapshot", "-update")
		if err := copyBack(filepath.Join(dir, "infra", "testdata"), filepath.Join(checkout, template, "infra", "testdata")); err != nil {
			t.Fatal(err)
		}
	}
	// -count=1: a result go test cached from an earlier copy proves nothing.
	t.Log(run(t, dir, env, "npm", "test", "--", "-count=1"))
	t.Logf("the consumer, from copy to tested: %s", time.Since(start).Round(time.Second))
}

// copyBack copies the golden files the consumer's test rewrote into the
// template.
func copyBack(from, to string) error {
	entries, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// The consumer pins the Node.js and CDK CLI this repository is tested with,
// and sets the same feature flags, so that its `cdk synth` builds the
// constructs as this repository's tests do.
func TestTheConsumerPinsTheToolsAndFlagsThisRepositoryIsTestedWith(t *testing.T) {
	checkout := root(t)
	read := func(path string, v any) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	var ours, theirs struct{ DevDependencies map[string]string }
	read(filepath.Join(checkout, "package.json"), &ours)
	read(filepath.Join(checkout, template, "package.json"), &theirs)
	for _, pkg := range []string{"aws-cdk", "node"} {
		if theirs.DevDependencies[pkg] == "" || theirs.DevDependencies[pkg] != ours.DevDependencies[pkg] {
			t.Errorf("%s/package.json pins %s %q; this repository is tested with %q", template, pkg, theirs.DevDependencies[pkg], ours.DevDependencies[pkg])
		}
	}
	var ourFlags, theirFlags struct{ Context map[string]any }
	read(filepath.Join(checkout, "cdk.json"), &ourFlags)
	read(filepath.Join(checkout, template, "cdk.json"), &theirFlags)
	if !reflect.DeepEqual(ourFlags.Context, theirFlags.Context) {
		t.Errorf("%s/cdk.json's context differs from cdk.json's: copy the feature flags over", template)
	}
	var lock struct {
		Packages map[string]struct{ Version string }
	}
	read(filepath.Join(checkout, template, "package-lock.json"), &lock)
	for _, pkg := range []string{"aws-cdk", "node"} {
		if got := lock.Packages["node_modules/"+pkg].Version; got != ours.DevDependencies[pkg] {
			t.Errorf("%s/package-lock.json locks %s %s, want %s (npm install --package-lock-only)", template, pkg, got, ours.DevDependencies[pkg])
		}
	}
}
