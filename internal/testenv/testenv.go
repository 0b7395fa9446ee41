// Package testenv prepares the processes that tests depend on: the pinned
// Node.js that jsii runs, and a moto server for AWS APIs. It lets a plain
// `go test ./...` behave like `make test` once `make tools` has run.
//
// Importing the package is enough to select the pinned Node.js: it imports
// testenv/jsiinode, whose init sets JSII_NODE before any package can start
// the jsii kernel (see there for why Go's initialization order guarantees
// it). Tests check the outcome with Setup.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/acme/customers-api/internal/procs"
	"github.com/acme/customers-api/internal/testenv/jsiinode"
)

// Setup reports whether the pinned Node.js was selected at init; call it
// from TestMain and stop on an error.
func Setup() error { return jsiinode.Setup() }

// Root returns the repository root: the nearest directory above the working
// directory that holds package-lock.json next to go.mod.
func Root() (string, error) { return jsiinode.Root() }

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// VenvTool returns the path of a command installed in the project's Python
// virtual environment (.venv), or an error saying how to install it.
func VenvTool(name string) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	path := filepath.Join(root, ".venv", "bin", name)
	if !exists(path) {
		return "", fmt.Errorf("testenv: %s is missing: run `make tools` (or `make test`) first", path)
	}
	return path, nil
}

// LocalTools returns what localapi runs, as this repository installs it:
// the Lambda Runtime Interface Emulator the Makefile builds into .tools, and
// the .venv's Python, which has moto's server. The error says how to install
// a missing one. Tests pass both to localapi.Options (RIE, Python).
func LocalTools() (rie, python string, err error) {
	root, err := Root()
	if err != nil {
		return "", "", err
	}
	rie = filepath.Join(root, ".tools", "aws-lambda-rie")
	if !exists(rie) {
		return "", "", fmt.Errorf("testenv: %s is missing: run `make test` (or `make %s`) first", rie, rie)
	}
	python, err = VenvTool("python")
	return rie, python, err
}

// Buffer is a bytes.Buffer safe for concurrent writers, for capturing the
// output of servers and loggers in tests.
type Buffer = procs.Buffer

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) { return procs.FreePort() }
