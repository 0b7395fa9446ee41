// Package gobuild builds Go Lambda handler packages into bootstrap
// executables with the local Go toolchain: for Lambda (linux/arm64,
// provided.al2023) or for this machine (to run under the Lambda Runtime
// Interface Emulator), reproducibly, through a bootstrap cache, several at
// once. It depends on the standard library only, so the local API and the
// benchmarks build handlers without linking the CDK; constructs/gofunction
// uses it for its assets.
package gobuild

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// BuildFlags are the flags every bootstrap is built with: no RPC shim (the
// provided.al2023 runtime does not need it), reproducible paths, stripped
// symbols, no build id and no VCS stamp, so identical sources give identical
// bytes and therefore identical asset hashes.
var BuildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w -buildid=", "-buildvcs=false"}

// BuildEnv is the target platform of every bootstrap Lambda runs.
var BuildEnv = []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"}

// HostEnv builds for this machine: a bootstrap to run locally under the
// Lambda Runtime Interface Emulator (tests, benchmarks, the local API).
var HostEnv = []string{"CGO_ENABLED=0"}

// BuildError is a failed `go build` of a handler package.
type BuildError struct {
	// Dir is the handler package directory.
	Dir string
	// Command is the build command as a shell would show it.
	Command string
	// Output is what the compiler printed.
	Output string
	Err    error
}

// Error describes the failure with the command and compiler output.
func (e *BuildError) Error() string {
	return fmt.Sprintf("gobuild: building %s failed: %v\n  %s\n%s", e.Dir, e.Err, e.Command, e.Output)
}

// Unwrap returns the command's error.
func (e *BuildError) Unwrap() error { return e.Err }

// Build compiles the Go main package in dir into outDir/bootstrap. A failure
// is a *BuildError carrying the command and the compiler output.
func Build(dir, outDir string) error { return goBuild(dir, outDir, BuildEnv) }

// BuildHost compiles dir like Build, with the same flags, but for this
// machine: a bootstrap to run locally under the Lambda Runtime Interface
// Emulator (tests, benchmarks, the local API).
func BuildHost(dir, outDir string) error { return goBuild(dir, outDir, HostEnv) }

func goBuild(dir, outDir string, env []string) error {
	goBin, err := lookGo(dir)
	if err != nil {
		return err
	}
	return link(goBin, dir, outDir, env, cacheKeys(goBin, env, dir)[dir])
}

func lookGo(dir string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("gobuild: no Go toolchain on PATH to build %s: install Go, or synthesize only stacks without Go functions (cdk synth --exclusively STACK): %w", dir, err)
	}
	return goBin, nil
}

// link puts the bootstrap of dir into outDir: the cached one named key,
// else a fresh `go build`, which it then caches.
func link(goBin, dir, outDir string, env []string, key string) error {
	cache := cacheRoot()
	if cache != "" && key != "" && fromCache(cache, key, outDir) {
		return nil
	}
	bootstrap := filepath.Join(outDir, "bootstrap")
	args := append([]string{"build"}, BuildFlags...)
	args = append(args, "-o", bootstrap, ".")
	cmd := exec.Command(goBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return &BuildError{Dir: dir, Command: shellCommand(append(slices.Clone(env), append([]string{"go"}, args...)...)), Output: strings.TrimSpace(out.String()), Err: err}
	}
	if cache != "" && key != "" {
		toCache(cache, key, bootstrap)
	}
	return nil
}

// shellCommand quotes the words of a command that need it.
func shellCommand(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		if strings.ContainsAny(w, " \t\"'") {
			w = strconv.Quote(w)
		}
		quoted[i] = w
	}
	return strings.Join(quoted, " ")
}

// CheckPackage reports why dir cannot be a handler package, or nil.
func CheckPackage(dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("handler package %s: %w", dir, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("handler package %s is not a directory", dir)
	}
	sources, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return err
	}
	if len(sources) == 0 {
		return fmt.Errorf("handler package %s has no .go files", dir)
	}
	return nil
}

// moduleRoot returns the nearest directory at or above dir that holds go.mod.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no go.mod at or above " + dir)
		}
	}
}

// ResolveEntry turns a handler package path into an absolute directory. A
// relative path is taken from the root of the Go module that holds the
// working directory, so `functions/get-customer` means the same thing to
// app.go at the repository root and to a test in a subdirectory.
func ResolveEntry(entry string) (string, error) {
	if entry == "" {
		// Not the module root: an unset Entry names no handler.
		return "", errors.New("handler package: Entry is required")
	}
	if filepath.IsAbs(entry) {
		return filepath.Clean(entry), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := moduleRoot(wd)
	if err != nil {
		return "", fmt.Errorf("resolve handler package %q: %w", entry, err)
	}
	return filepath.Join(root, entry), nil
}

// EntryMetadata is the template metadata key under which
// constructs/gofunction records a function's handler package, relative to
// its Go module's root, so that tools such as the local API (localapi) can
// build and run the real handler of each function in a template.
const EntryMetadata = "acme:go-entry"

// ModuleEntry returns entry relative to the root of its Go module, with
// forward slashes.
func ModuleEntry(entry string) (string, error) {
	dir, err := ResolveEntry(entry)
	if err != nil {
		return "", err
	}
	root, err := moduleRoot(dir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, dir)
	return filepath.ToSlash(rel), err
}
