// Package moto starts a moto server (the AWS API emulator installed in the
// project's .venv) on a free loopback port, for tests that talk to real AWS
// APIs: DynamoDB, SNS, SQS, EventBridge. The server is internal/motoserver's,
// run with the .venv's Python.
package moto

import (
	"fmt"
	"os"
	"testing"

	"github.com/acme/customers-api/internal/motoserver"
	"github.com/acme/customers-api/internal/testenv"
)

// Server is a running moto server.
type Server = motoserver.Server

// Start runs a moto server with the .venv's Python and waits until it
// answers.
func Start() (*Server, error) {
	python, err := testenv.VenvTool("python")
	if err != nil {
		return nil, err
	}
	return motoserver.Start(python)
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
