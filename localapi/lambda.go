package localapi

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
)

// function is one AWS::Lambda::Function of the templates, run from its real
// handler package under the Lambda Runtime Interface Emulator, started on
// its first invocation. The emulator serves one invocation at a time, as
// one Lambda execution environment does, so invocations queue.
type function struct {
	res       Resource
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

// errFunction is a function error (an unhandled error or panic, or a
// response that is not JSON).
var errFunction = errors.New("function error")

// functions builds every function that has a Go handler package and
// resolves its environment; a function whose environment does not resolve
// is left out (the smoke checks, which name function versions).
func (e *Env) functions(ctx context.Context) error {
	e.fns = map[string]*function{}
	var list []*function
	for _, r := range e.assembly.Resources("AWS::Lambda::Function") {
		entry, _ := r.Metadata[gobuild.EntryMetadata].(string)
		if entry == "" {
			continue
		}
		f, err := e.newFunction(r, entry)
		if err != nil {
			e.logf("local: %s left out: %v", r.LogicalID, err)
			continue
		}
		arn, err := e.assembly.GetAtt(r, "Arn")
		if err != nil {
			return err
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
			targets[f.entry] = filepath.Join(e.work, "build-"+strconv.Itoa(len(targets)))
		}
		f.bootstrap = filepath.Join(targets[f.entry], "bootstrap")
	}
	builds.Start(ctx, targets)
	var all []error
	for _, out := range targets {
		err, _ := builds.Wait(out)
		all = append(all, err)
	}
	return errors.Join(all...)
}

func (e *Env) newFunction(r Resource, entry string) (*function, error) {
	dir, err := gobuild.ResolveEntry(entry)
	if err != nil {
		return nil, err
	}
	var env struct{ Variables map[string]any }
	if err := e.assembly.decode(r, "Environment", &env); err != nil {
		return nil, err
	}
	timeout := 3 * time.Second
	if t, ok := r.Properties["Timeout"].(float64); ok {
		timeout = time.Duration(t) * time.Second
	}
	name, err := e.assembly.Ref(r)
	if err != nil {
		return nil, err
	}
	f := &function{res: r, name: name, entry: dir, timeout: timeout, logs: e.opts.Logs}
	f.env = append(f.env, e.motoEnv()...)
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

// motoEnv is the environment that sends the AWS SDK to moto.
func (e *Env) motoEnv() []string {
	return []string{"AWS_ENDPOINT_URL=" + e.Moto, "AWS_REGION=" + e.assembly.Region, "AWS_DEFAULT_REGION=" + e.assembly.Region,
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
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
		syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
		f.cmd.Wait()
		f.cmd = nil
	}
}

// invoke sends one event and returns the function's response payload. It
// fails with errFunction when the function failed, and with ctx's error
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
				syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
				f.cmd.Wait()
				f.cmd = nil
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
			return payload, fmt.Errorf("%w: %s %s", errFunction, failure.ErrorType, strings.TrimSpace(string(payload)))
		}
		return payload, nil
	}
}
