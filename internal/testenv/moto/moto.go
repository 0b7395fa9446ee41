// Package moto starts a moto server (the AWS API emulator installed in the
// project's .venv) on a free loopback port, for tests that talk to real AWS
// APIs: DynamoDB, SNS, SQS, EventBridge. It runs serve.py, which applies
// one request at a time so that conditional writes are atomic as in AWS.
package moto

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/acme/customers-api/internal/testenv"
)

// Server is a running moto server.
type Server struct {
	// Endpoint is the server's URL, e.g. http://127.0.0.1:41234.
	Endpoint string
	cmd      *exec.Cmd
	out      *testenv.Buffer
}

// Start runs moto_server on a free loopback port and waits until it answers.
func Start() (*Server, error) {
	python, err := testenv.VenvTool("python")
	if err != nil {
		return nil, err
	}
	root, err := testenv.Root()
	if err != nil {
		return nil, err
	}
	script := filepath.Join(root, "internal", "testenv", "moto", "serve.py")
	var lastErr error
	for range 3 { // the free port can be taken between probe and bind
		s, err := start(python, script)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func start(python, script string) (*Server, error) {
	port, err := testenv.FreePort()
	if err != nil {
		return nil, err
	}
	s := &Server{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port), out: &testenv.Buffer{}}
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

// TestMain is the body of a test package's TestMain: it starts a server
// into *srv, runs the tests, stops the server and exits.
func TestMain(m *testing.M, srv **Server) {
	s, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*srv = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

// Stop ends the server and its child processes.
func (s *Server) Stop() {
	if s.cmd.Process != nil {
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// Config is an AWS SDK configuration that sends every call to the server.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(s.Endpoint),
	}
}
