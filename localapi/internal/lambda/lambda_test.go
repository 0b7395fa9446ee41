package lambda

import (
	"github.com/acme/customers-api/localapi/internal/template/templatetest"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/localapi/internal/template"
)

// load builds testdata/echo as the function "echo" of a template, with
// GREETING=hello in its environment, and another function without a Go
// handler package.
func load(t *testing.T) (*Functions, *template.Assembly) {
	t.Helper()
	rie, _, err := testenv.LocalTools()
	if err != nil {
		t.Fatal(err)
	}
	entry, err := filepath.Abs("testdata/echo")
	if err != nil {
		t.Fatal(err)
	}
	a := templatetest.Load(t, fmt.Sprintf(`{"Resources": {
	  "Echo": {"Type": "AWS::Lambda::Function", "Metadata": {"acme:go-entry": %q},
	    "Properties": {"FunctionName": "echo", "Timeout": 5, "MemorySize": 128, "Environment": {"Variables": {"GREETING": "hello"}}}},
	  "Python": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "python", "Runtime": "python3.12"}}
	}}`, entry))
	fns, err := Load(context.Background(), a, Options{RIE: rie, Work: t.TempDir(), Logs: io.Discard, Env: []string{"PATH=" + os.Getenv("PATH")}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fns.Stop)
	return fns, a
}

// One load, several invocations: the build is the slow part.
func TestAFunctionRunsItsHandlerUnderTheEmulatorWithTheTemplatesEnvironment(t *testing.T) {
	fns, a := load(t)
	echo := a.FunctionARN("echo")
	if !fns.Has(echo) || fns.Has(a.FunctionARN("python")) {
		t.Fatalf("Has(echo) = %v, Has(python) = %v; want only the Go function", fns.Has(echo), fns.Has(a.FunctionARN("python")))
	}

	// Through an alias, as API Gateway invokes it.
	payload, err := fns.Invoke(context.Background(), echo+":live", map[string]string{"say": "hi"})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	json.Unmarshal(payload, &got)
	if got["said"] != "hi" || got["greeting"] != "hello" || got["name"] != "echo" {
		t.Errorf("response = %s, want the event, GREETING and the function's name", payload)
	}

	if _, err := fns.Invoke(context.Background(), echo, map[string]string{"say": "fail"}); !errors.Is(err, ErrFunction) {
		t.Errorf("a handler error gave %v, want ErrFunction", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if _, err := fns.Invoke(ctx, echo, map[string]string{"say": "hang"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("an invocation past its deadline gave %v, want the context's error", err)
	}
	// The handler that outlived the deadline is gone with its environment.
	if hanging := processesRunning(t, "build-0/bootstrap"); len(hanging) > 0 {
		t.Errorf("the timed-out bootstrap still runs: %v", hanging)
	}
	// The emulator was replaced, as Lambda replaces a timed-out
	// environment: the next invocation answers.
	again, cancelAgain := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancelAgain()
	if _, err := fns.Invoke(again, echo, map[string]string{"say": "again"}); err != nil {
		t.Errorf("after a timeout: %v", err)
	}

	if _, err := fns.Invoke(context.Background(), a.FunctionARN("python"), nil); !errors.Is(err, ErrFunction) {
		t.Errorf("invoking a function without a Go handler gave %v, want ErrFunction", err)
	}
}

// processesRunning lists the processes whose command line contains s.
func processesRunning(t *testing.T, s string) []string {
	t.Helper()
	time.Sleep(100 * time.Millisecond) // SIGKILL is delivered asynchronously
	root := filepath.Dir(t.TempDir())  // this test's directories, the work one too
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var out []string
	for _, path := range cmdlines {
		b, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(b), root) && strings.Contains(string(b), s) {
			out = append(out, path)
		}
	}
	return out
}
