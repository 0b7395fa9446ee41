// Package procs holds what the tests and the local API need to run child
// servers on this machine: a free loopback port to give one, and a buffer
// that collects its output. It depends on the standard library only, so
// localapi can use it without linking anything of this repository's tests.
package procs

import (
	"bytes"
	"net"
	"sync"
)

// Buffer is a bytes.Buffer safe for concurrent writers, for capturing the
// output of servers and loggers.
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

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago: a
// server started on it can still lose it to another process, so callers
// retry a failed start.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
