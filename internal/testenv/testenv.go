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
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"

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

// Buffer is a bytes.Buffer safe for concurrent writers, for capturing the
// output of servers and loggers in tests.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
