package gobuild_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/acme/customers-api/internal/gobuild"
)

// countBuilds puts a `go` on PATH that records each subcommand before it
// runs the real toolchain, and returns how many `go build`s ran so far.
func countBuilds(t *testing.T) func() int {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "commands")
	script := "#!/bin/sh\necho \"$1\" >> '" + log + "'\nexec '" + goBin + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return func() int {
		commands, _ := os.ReadFile(log)
		return strings.Count(string(commands), "build\n")
	}
}

// writeProgram writes a module whose handler, cmd/greet, reaches word
// through two packages: greet imports phrase, which imports leaf, whose
// function is not inlined, so a change to its body changes leaf's code
// but neither the export data nor the code of the packages above it.
// Each call writes a new directory, with the same module path.
func writeProgram(t *testing.T, word string) string {
	t.Helper()
	dir := t.TempDir()
	err := os.CopyFS(dir, fstest.MapFS{
		"go.mod":            {Data: []byte("module example.com/greet\n\ngo 1.26\n")},
		"cmd/greet/main.go": {Data: []byte("package main\n\nimport \"example.com/greet/phrase\"\n\nfunc main() { println(phrase.Greeting()) }\n")},
		"phrase/phrase.go":  {Data: []byte("package phrase\n\nimport \"example.com/greet/leaf\"\n\nfunc Greeting() string { return leaf.Word() + \", world\" }\n")},
		"leaf/leaf.go":      {Data: []byte("package leaf\n\n//go:noinline\nfunc Word() string { return \"" + word + "\" }\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "cmd", "greet")
}

func buildProgram(t *testing.T, entry string) []byte {
	t.Helper()
	out := t.TempDir()
	if err := gobuild.Build(entry, out); err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(filepath.Join(out, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestAnUnchangedProgramComesFromTheCacheWithoutLinking(t *testing.T) {
	t.Setenv(gobuild.CacheEnv, t.TempDir())
	builds := countBuilds(t)
	entry := writeProgram(t, "hello")
	first := buildProgram(t, entry)
	second := buildProgram(t, entry)
	if n := builds(); n != 1 {
		t.Errorf("go build ran %d times for two builds of an unchanged program, want 1", n)
	}
	if !bytes.Equal(first, second) {
		t.Error("the cached bootstrap differs from the one built")
	}
}

// A change deep in the program, which leaves the handler's package and
// every package between unchanged, must still miss the cache, or a deploy
// would ship the old code.
func TestAChangeDeepInTheProgramMissesTheCache(t *testing.T) {
	t.Setenv(gobuild.CacheEnv, t.TempDir())
	builds := countBuilds(t)
	before := buildProgram(t, writeProgram(t, "hello"))
	after := buildProgram(t, writeProgram(t, "bonjour"))
	if n := builds(); n != 2 {
		t.Errorf("go build ran %d times, want 2: the changed program came from the cache", n)
	}
	if !bytes.Contains(after, []byte("bonjour")) || bytes.Equal(before, after) {
		t.Error("the bootstrap built after the change does not hold the changed code")
	}
}

func TestTheCacheIsOffWhenAskedTo(t *testing.T) {
	t.Setenv(gobuild.CacheEnv, "off")
	builds := countBuilds(t)
	entry := writeProgram(t, "hello")
	buildProgram(t, entry)
	buildProgram(t, entry)
	if n := builds(); n != 2 {
		t.Errorf("go build ran %d times with %s=off, want 2", n, gobuild.CacheEnv)
	}
}

func TestStoringDropsEntriesUnusedForAWeek(t *testing.T) {
	const week = 7 * 24 * time.Hour
	root := t.TempDir()
	t.Setenv(gobuild.CacheEnv, root)
	old, recent := filepath.Join(root, "old"), filepath.Join(root, "recent")
	for path, age := range map[string]time.Duration{old: week + time.Hour, recent: week - time.Hour} {
		if err := os.WriteFile(path, nil, 0o755); err != nil {
			t.Fatal(err)
		}
		then := time.Now().Add(-age)
		os.Chtimes(path, then, then)
	}
	buildProgram(t, writeProgram(t, "hello"))
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("an entry unused for more than %v is still there: %v", week, err)
	}
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("an entry used within %v was dropped: %v", week, err)
	}
}
