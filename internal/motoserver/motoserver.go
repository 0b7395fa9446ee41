// Package motoserver runs a moto server (the AWS API emulator, a Python
// package) on a free loopback port, for the tests and the local API: the
// DynamoDB, DynamoDB Streams, SNS, SQS and EventBridge APIs of one region.
// It runs serve.py, embedded in the package, which applies one request at
// a time so that conditional writes are atomic as in AWS. It needs only a
// Python 3 interpreter that can import moto and its server
// (`pip install 'moto[server]==5.2.5'`, the version requirements.txt pins);
// nothing of this repository's layout.
package motoserver

import (
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/acme/customers-api/internal/procs"
)

//go:embed serve.py
var serveScript []byte

// MotoRequirement is what to install for Start, as pip takes it: the
// version requirements.txt pins.
const MotoRequirement = "moto[server]==5.2.5"

// ErrNoMoto is the error of Start when the interpreter is missing or cannot
// import moto's server; it wraps the cause.
var ErrNoMoto = errors.New("no Python with moto's server")

// Server is a running moto server.
type Server struct {
	// Endpoint is the server's URL, e.g. http://127.0.0.1:41234.
	Endpoint string
	cmd      *exec.Cmd
	out      *procs.Buffer
	dir      string // holds serve.py
}

// Start runs serve.py with python (a path, or a name looked up on PATH) on
// a free loopback port and waits until the server answers, at most 60 s.
// The error wraps ErrNoMoto when python is missing or cannot import moto.
func Start(python string) (*Server, error) {
	path, err := exec.LookPath(python)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoMoto, err)
	}
	// What serve.py imports, and the version: another moto may lack those
	// names or answer differently from the one the tests ran against.
	probe := "from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app\n" +
		"import moto; print(moto.__version__)"
	out, err := exec.Command(path, "-c", probe).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%w: %s cannot import moto's server: %v: %s", ErrNoMoto, path, err, lastLine(out))
	}
	if v := strings.TrimSpace(string(out)); "moto[server]=="+v != MotoRequirement {
		return nil, fmt.Errorf("%w: %s has moto %s, not %s", ErrNoMoto, path, v, MotoRequirement)
	}
	dir, err := os.MkdirTemp("", "motoserver")
	if err != nil {
		return nil, err
	}
	script := filepath.Join(dir, "serve.py")
	if err := os.WriteFile(script, serveScript, 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	var lastErr error
	for range 3 { // the free port can be taken between probe and bind
		s, err := start(path, script)
		if err == nil {
			s.dir = dir
			return s, nil
		}
		lastErr = err
	}
	os.RemoveAll(dir)
	return nil, lastErr
}

// lastLine is the last non-empty line of a command's output: a Python
// traceback's one-line summary.
func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

func start(python, script string) (*Server, error) {
	port, err := procs.FreePort()
	if err != nil {
		return nil, err
	}
	s := &Server{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port), out: &procs.Buffer{}}
	s.cmd = exec.Command(python, script, "127.0.0.1", strconv.Itoa(port))
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { s.cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return nil, fmt.Errorf("moto server exited early:\n%s", s.out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if resp, err := http.Get(s.Endpoint + "/moto-api/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.Stop()
	return nil, fmt.Errorf("moto server did not answer on %s within 60s:\n%s", s.Endpoint, s.out.String())
}

// Stop ends the server and its child processes.
func (s *Server) Stop() {
	if s.cmd.Process != nil {
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// Config is an AWS SDK configuration that sends every call to the server
// at endpoint, in eu-west-1, with moto's test credentials.
func Config(endpoint string) aws.Config {
	return aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

// Config is an AWS SDK configuration that sends every call to the server.
func (s *Server) Config() aws.Config { return Config(s.Endpoint) }
