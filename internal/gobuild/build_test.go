package gobuild

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func buildFixture(t *testing.T, name string) (string, error) {
	t.Helper()
	out := t.TempDir()
	return filepath.Join(out, "bootstrap"), Build(filepath.Join("testdata", name), out)
}

func TestBuildProducesAStaticLinuxArm64BootstrapWithTheRequiredFlags(t *testing.T) {
	path, err := buildFixture(t, "hello")
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("bootstrap is not an ELF binary: %v", err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("machine = %v, want EM_AARCH64", f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("bootstrap has a program interpreter; want a static binary (CGO_ENABLED=0)")
		}
	}
	if s := f.Section(".symtab"); s != nil {
		t.Error("bootstrap has a symbol table; want it stripped (-s)")
	}

	info, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range info.Settings {
		got[s.Key] = s.Value
	}
	want := map[string]string{
		"-tags": "lambda.norpc", "-trimpath": "true",
		"CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": "arm64",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("build setting %s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["vcs"]; ok {
		t.Error("bootstrap carries VCS information; want -buildvcs=false")
	}
	// -trimpath keeps -ldflags out of the build info; check its effect.
	id, err := exec.Command("go", "tool", "buildid", path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(id)) != "" {
		t.Errorf("go tool buildid = %q, %v; want an empty build id (-buildid=)", id, err)
	}
	size, _ := os.Stat(path)
	t.Logf("hello bootstrap: %d bytes", size.Size())
}

func TestIdenticalSourcesBuildIdenticalBytes(t *testing.T) {
	t.Setenv(CacheEnv, "off") // two real builds, not one and a copy
	first, err := buildFixture(t, "hello")
	if err != nil {
		t.Fatal(err)
	}
	second, err := buildFixture(t, "hello")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(first)
	b, _ := os.ReadFile(second)
	if !bytes.Equal(a, b) {
		t.Error("two builds of the same source differ; asset hashes would not be stable")
	}
}

func TestAFailingBuildReportsTheCommandAndCompilerOutput(t *testing.T) {
	_, err := buildFixture(t, "broken")
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want a *BuildError", err)
	}
	for _, want := range []string{"undefined: undefinedFunction", `-ldflags "-s -w -buildid="`, "GOARCH=arm64", "testdata/broken"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

func TestAMissingGoToolchainIsAClearError(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := buildFixture(t, "hello")
	if err == nil || !strings.Contains(err.Error(), "no Go toolchain on PATH") {
		t.Fatalf("err = %v, want one saying there is no Go toolchain", err)
	}
}

func TestRelativeEntriesResolveFromTheModuleRoot(t *testing.T) {
	got, err := ResolveEntry("functions/x")
	if err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("../..")
	if diff := cmp.Diff(filepath.Join(root, "functions/x"), got); diff != "" {
		t.Errorf("ResolveEntry (-want +got):\n%s", diff)
	}
	if got, _ := ResolveEntry("/abs/pkg"); got != "/abs/pkg" {
		t.Errorf("absolute entry changed to %q", got)
	}
}

func TestCheckPackageRejectsWhatCannotBeBuilt(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	for name, dir := range map[string]string{
		"missing":      "testdata/does-not-exist",
		"a file":       file,
		"no go source": t.TempDir(),
	} {
		if err := CheckPackage(dir); err == nil {
			t.Errorf("%s: CheckPackage(%q) = nil, want an error", name, dir)
		}
	}
	if err := CheckPackage("testdata/hello"); err != nil {
		t.Errorf("CheckPackage(hello) = %v", err)
	}
}
