// Package lambda runs the Go functions of the templates on this machine as
// Lambda runs them: each from its real handler package (the template's
// acme:go-entry metadata), built for this machine, under the Lambda Runtime
// Interface Emulator, with the template's environment, started on its first
// invocation.
package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/acme/customers-api/internal/gobuild"
	"github.com/acme/customers-api/internal/procs"
	"github.com/acme/customers-api/localapi/internal/template"
)

// function is one AWS::Lambda::Function of the templates, run from its real
// handler package under the Lambda Runtime Interface Emulator, started on
// its first invocation. The emulator serves one invocation at a time, as
// one Lambda execution environment does, so invocations queue.
type function struct {
	res       template.Resource
	name      string
	entry     string // handler package directory
	bootstrap string // its build for this machine
	env       []string
	timeout   time.Duration

	mu   sync.Mutex
	cmd  *exec.Cmd
	url  string
	logs io.Writer
}

// ErrFunction is a function error (an unhandled error or panic, or a
// response that is not JSON).
var ErrFunction = errors.New("function error")

// Options configure Load.
type Options struct {
	// RIE is the path of aws-lambda-rie.
	RIE string
	// Work is a directory for the bootstraps.
	Work string
	// Logs receives the functions' output and the messages of Load.
	Logs io.Writer
	// Env is added to each function's environment from the template, e.g.
	// the AWS SDK's endpoint, region and credentials.
	Env []string
}

// Functions are the Go functions of the templates, by unqualified ARN.
type Functions struct {
	opts Options
	fns  map[string]*function
}

// Load builds every function that has a Go handler package and resolves
// its environment; a function whose environment does not resolve is left
// out, with a line in opts.Logs (the smoke checks, which name function
// versions).
func Load(ctx context.Context, a *template.Assembly, opts Options) (*Functions, error) {
	e := &Functions{opts: opts, fns: map[string]*function{}}
	var list []*function
	for _, r := range a.Resources("AWS::Lambda::Function") {
		entry, _ := r.Metadata[gobuild.EntryMetadata].(string)
		if entry == "" {
			continue
		}
		f, err := e.newFunction(a, r, entry)
		if err != nil {
			fmt.Fprintf(opts.Logs, "local: %s left out: %v\n", r.LogicalID, err)
			continue
		}
		arn, err := a.GetAtt(r, "Arn")
		if err != nil {
			return nil, err
		}
		e.fns[arn] = f
		list = append(list, f)
	}
	// Build in parallel, sharing the build cache; once ctx ends, no
	// further build starts.
	// Functions with the same handler package share its bootstrap.
	builds, targets := gobuild.NewBuilds(gobuild.HostEnv), map[string]string{}
	for _, f := range list {
		if _, ok := targets[f.entry]; !ok {
			targets[f.entry] = filepath.Join(opts.Work, "build-"+strconv.Itoa(len(targets)))
		}
		f.bootstrap = filepath.Join(targets[f.entry], "bootstrap")
	}
	builds.Start(ctx, targets)
	var all []error
	for _, out := range targets {
		err, _ := builds.Wait(out)
		all = append(all, err)
	}
	if err := errors.Join(all...); err != nil {
		return nil, err
	}
	return e, nil
}

// Has reports whether arn (unqualified) is a function Load loaded.
func (e *Functions) Has(arn string) bool {
	_, ok := e.fns[arn]
	return ok
}

// Invoke sends one event to the function with this ARN (qualified or not)
// and returns its response payload. It fails with ErrFunction when the
// function failed or is not a Go function of the templates, and with
// ctx's error when ctx ends first.
func (e *Functions) Invoke(ctx context.Context, arn string, event any) ([]byte, error) {
	f, ok := e.fns[template.Unqualified(arn)]
	if !ok {
		return nil, fmt.Errorf("%w: function %s is not a Go function of the templates", ErrFunction, arn)
	}
	return f.invoke(ctx, e.opts.RIE, event)
}

// Stop stops every emulator.
func (e *Functions) Stop() {
	for _, f := range e.fns {
		f.stop()
	}
}

func (e *Functions) newFunction(a *template.Assembly, r template.Resource, entry string) (*function, error) {
	dir, err := gobuild.ResolveEntry(entry)
	if err != nil {
		return nil, err
	}
	var env struct{ Variables map[string]any }
	if err := a.Decode(r, "Environment", &env); err != nil {
		return nil, err
	}
	timeout := 3 * time.Second
	if t, ok := r.Properties["Timeout"].(float64); ok {
		timeout = time.Duration(t) * time.Second
	}
	name, err := a.Ref(r)
	if err != nil {
		return nil, err
	}
	f := &function{res: r, name: name, entry: dir, timeout: timeout, logs: e.opts.Logs}
	f.env = append(f.env, e.opts.Env...)
	f.env = append(f.env, "AWS_LAMBDA_FUNCTION_NAME="+name, "AWS_LAMBDA_FUNCTION_TIMEOUT="+strconv.Itoa(int(timeout.Seconds())),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+fmt.Sprint(r.Properties["MemorySize"]), "AWS_LAMBDA_LOG_FORMAT=JSON")
	for k, v := range env.Variables {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("environment variable %s is %v, not a string", k, v)
		}
		f.env = append(f.env, k+"="+s)
	}
	return f, nil
}

// start runs the emulator with the function's bootstrap; f.mu is held.
func (f *function) start(rie string) error {
	port, err := procs.FreePort()
	if err != nil {
		return err
	}
	api, err := procs.FreePort()
	if err != nil {
		return err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	f.cmd = exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", "127.0.0.1:"+strconv.Itoa(api),
		f.bootstrap)
	f.cmd.Env = f.env
	f.cmd.Stdout, f.cmd.Stderr = f.logs, f.logs
	f.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Should a process survive kill, its hold on the output pipe must not
	// keep Wait waiting.
	f.cmd.WaitDelay = time.Second
	if err := f.cmd.Start(); err != nil {
		return err
	}
	f.url = "http://" + addr + "/2015-03-31/functions/function/invocations"
	return nil
}

func (f *function) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cmd != nil && f.cmd.Process != nil {
		f.kill()
	}
}

// kill ends the execution environment, as Lambda ends a timed-out one: the
// emulator's process group and the bootstrap's, which the emulator starts
// in a group of its own (found as the emulator's child in /proc). f.mu is
// held.
func (f *function) kill() {
	pid := f.cmd.Process.Pid
	// Each thread lists the children it started (proc(5)).
	lists, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, list := range lists {
		children, _ := os.ReadFile(list)
		for _, c := range strings.Fields(string(children)) {
			if child, err := strconv.Atoi(c); err == nil {
				syscall.Kill(-child, syscall.SIGKILL)
				syscall.Kill(child, syscall.SIGKILL)
			}
		}
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	f.cmd.Wait()
	f.cmd = nil
}

// invoke sends one event and returns the function's response payload. It
// fails with ErrFunction when the function failed, and with ctx's error
// when ctx ends first (the emulator is then restarted, as Lambda replaces
// a timed-out execution environment).
func (f *function) invoke(ctx context.Context, rie string, event any) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cmd == nil {
		if err := f.start(rie); err != nil {
			return nil, err
		}
	}
	body, err := json.Marshal(event)
	if err != nil {
		return nil, err
	}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				f.kill()
				return nil, ctx.Err()
			}
			// The emulator is still starting.
			time.Sleep(5 * time.Millisecond)
			continue
		}
		payload, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		var failure struct{ ErrorType, ErrorMessage string }
		if json.Unmarshal(payload, &failure) != nil || failure.ErrorType != "" || resp.StatusCode != http.StatusOK {
			return payload, fmt.Errorf("%w: %s %s", ErrFunction, failure.ErrorType, strings.TrimSpace(string(payload)))
		}
		return payload, nil
	}
}
