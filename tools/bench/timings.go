package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// synthResult compares one environment's synth by the Go app with the
// plain JavaScript app of the same size, each the fastest of its runs.
type synthResult struct {
	env    string
	goApp  time.Duration
	jsApp  time.Duration
	stacks int
}

// timed runs a shell command in dir and returns its wall time; output is
// kept for errors.
func timed(dir, command string, env ...string) (time.Duration, error) {
	cmd := exec.Command("bash", "-c", command)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	if err != nil {
		tail := out.String()
		if len(tail) > 4000 {
			tail = tail[len(tail)-4000:]
		}
		return 0, fmt.Errorf("%s: %v\n%s", command, err, tail)
	}
	return time.Since(start), nil
}

// measureSynth times `cdk synth` of each environment, Go app and
// JavaScript app alternately, into fresh output directories (so the Go
// app bundles its functions, as `make synth` does), runs times each.
func measureSynth(root string, envs []string, runs int) ([]synthResult, error) {
	cdk := filepath.Join(root, "node_modules", ".bin", "cdk") + " --no-notices synth --quiet"
	var out []synthResult
	for _, env := range envs {
		r := synthResult{env: env}
		for i := range runs {
			dir, err := os.MkdirTemp("", "bench-synth")
			if err != nil {
				return nil, err
			}
			goTime, err := timed(root, fmt.Sprintf("%s -c env=%s -o %s/go", cdk, env, dir))
			if err != nil {
				return nil, err
			}
			jsTime, err := timed(filepath.Join(root, "bench", "js-app"), fmt.Sprintf("%s -c env=%s -o %s/js", cdk, env, dir))
			if err != nil {
				return nil, err
			}
			if i == 0 || goTime < r.goApp {
				r.goApp = goTime
			}
			if i == 0 || jsTime < r.jsApp {
				r.jsApp = jsTime
			}
			stacks, _ := filepath.Glob(filepath.Join(dir, "go", "*.template.json"))
			r.stacks = len(stacks)
			os.RemoveAll(dir)
		}
		out = append(out, r)
	}
	return out, nil
}

// coldWarm times a make target twice with env: cold after prepare ran,
// then warm right after.
func coldWarm(root, target, prepare string, env ...string) (cold, warm time.Duration, err error) {
	if prepare != "" {
		if _, err := timed(root, prepare); err != nil {
			return 0, 0, err
		}
	}
	if cold, err = timed(root, "make "+target, env...); err != nil {
		return 0, 0, err
	}
	warm, err = timed(root, "make "+target, env...)
	return cold, warm, err
}

// goBenchmarks runs the Go benchmarks and returns their result lines,
// each prefixed by its package.
func goBenchmarks(root string) ([]string, error) {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", ".", "-benchmem", "./...")
	cmd.Dir = root
	b, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go benchmarks: %v\n%s", err, b)
	}
	var lines []string
	pkg := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/acme/customers-api/")
		}
		if strings.HasPrefix(line, "Benchmark") {
			lines = append(lines, pkg+" "+line)
		}
	}
	return lines, nil
}
