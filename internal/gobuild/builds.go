package gobuild

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Builds runs builds of handler packages in the background, one per output
// directory however often it is asked for, as many at once as there are
// CPUs, all with one environment (BuildEnv or HostEnv).
type Builds struct {
	env   []string
	mu    sync.Mutex
	byOut map[string]*build
	slots chan struct{} // bounds the builds running at once
}

type build struct {
	done chan struct{}
	out  string // directory holding the bootstrap
	err  error
}

// NewBuilds returns an empty set of builds for the target env.
func NewBuilds(env []string) *Builds {
	return &Builds{env: env, byOut: map[string]*build{}, slots: make(chan struct{}, runtime.NumCPU())}
}

// Start starts building each handler package directory of targets into
// its output directory (targets maps package → output directory), unless a
// build into that output directory was started before. One `go list` names
// the cached bootstrap of all of them first. Once ctx ends, no further
// build starts; those not started fail with ctx's error.
func (bs *Builds) Start(ctx context.Context, targets map[string]string) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	started := map[string]*build{}
	for dir, out := range targets {
		if _, ok := bs.byOut[out]; ok {
			continue
		}
		b := &build{done: make(chan struct{}), out: out}
		bs.byOut[out] = b
		if b.err = os.MkdirAll(out, 0o755); b.err != nil {
			close(b.done)
			continue
		}
		started[dir] = b
	}
	if len(started) == 0 {
		return
	}
	dirs := slices.Sorted(maps.Keys(started))
	go func() {
		goBin, err := lookGo(strings.Join(dirs, ", "))
		var keys map[string]string
		if err == nil {
			keys = cacheKeys(goBin, bs.env, dirs...)
		}
		for dir, b := range started {
			go func() {
				defer close(b.done)
				if b.err = err; err != nil {
					return
				}
				bs.slots <- struct{}{}
				defer func() { <-bs.slots }()
				if b.err = ctx.Err(); b.err != nil {
					return
				}
				b.err = link(goBin, dir, b.out, bs.env, keys[dir])
			}()
		}
	}()
}

// Wait waits for the build Start started into out and returns its error;
// started is false when Start was never asked for out.
func (bs *Builds) Wait(out string) (err error, started bool) {
	bs.mu.Lock()
	b, ok := bs.byOut[out]
	bs.mu.Unlock()
	if !ok {
		return nil, false
	}
	<-b.done
	return b.err, true
}

// Take puts the bootstrap of dir into outDir: a hard link to (or, across
// file systems, a copy of) the one built into startedOut when Start
// started that build, else a fresh build.
func (bs *Builds) Take(dir, startedOut, outDir string) error {
	err, started := bs.Wait(startedOut)
	if !started {
		return goBuild(dir, outDir, bs.env)
	}
	if err != nil {
		return err
	}
	src, dst := filepath.Join(startedOut, "bootstrap"), filepath.Join(outDir, "bootstrap")
	if os.Link(src, dst) == nil {
		return nil
	}
	return copyFile(src, dst) // another file system
}
