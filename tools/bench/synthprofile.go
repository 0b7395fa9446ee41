package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// synthProfile is where one environment's synth by the Go app spends its
// time, and the JavaScript app's for comparison.
type synthProfile struct {
	env  string
	runs int // of each wall time, the fastest counts
	// Wall times: the CLI running `go run .` (as cdk.json says), the CLI
	// running the built app, the app alone, and the app alone without
	// bundling.
	goRun, cli, app, appNoBundling time.Duration
	// goNode is the Go app's jsii kernel (Node.js) CPU profile without
	// bundling, by phase; jsNode the JavaScript app's.
	goNode, jsNode []phase
	jsApp          time.Duration // the JavaScript app alone, without the CLI
}

// phase is a share of a Node.js process's sampled time.
type phase struct {
	name string
	d    time.Duration
}

// phases, in the order a sample is matched: the first whose frames one of
// the sample's stack frames matches takes it.
var phases = []struct {
	name  string
	match func(fn, url string) bool
}{
	{"template validation (CDK's CloudFormation Validate plugin; both apps)", func(fn, _ string) bool { return fn == "validateTemplates" }},
	{"cdk-nag AwsSolutions checks", func(_, url string) bool { return strings.Contains(url, "/cdk-nag/") }},
	{"synthesis (aspects, tokens, templates, assets)", func(fn, _ string) bool { return fn == "synthesize" }},
	{"waiting for the Go app (jsii)", func(fn, _ string) bool { return fn == "readLine" }},
	{"loading modules and jsii assemblies", func(fn, _ string) bool {
		return fn == "wrapModuleLoad" || fn == "_Kernel_load" || fn == "require"
	}},
	{"constructing (jsii calls from the Go app)", func(fn, _ string) bool { return fn == "processRequest" }},
}

// profileSynth measures where env's synth goes: the app is built once,
// timed under the CLI and alone (the fastest of runs each), and its jsii
// kernel profiled; the JavaScript app is profiled the same way.
func profileSynth(root, env string, runs int) (synthProfile, error) {
	sp := synthProfile{env: env, runs: runs}
	dir, err := os.MkdirTemp("", "bench-profile")
	if err != nil {
		return sp, err
	}
	defer os.RemoveAll(dir)
	app := filepath.Join(dir, "app")
	if _, err := timed(root, "go build -o "+app+" ."); err != nil {
		return sp, err
	}
	// fastest runs command (into a fresh output directory each time) and
	// returns its fastest wall time.
	fastest := func(command func(out string) (time.Duration, error)) (time.Duration, error) {
		var best time.Duration
		for i := range runs {
			out := filepath.Join(dir, fmt.Sprintf("out%d", i))
			d, err := command(out)
			os.RemoveAll(out)
			if err != nil {
				return 0, err
			}
			if i == 0 || d < best {
				best = d
			}
		}
		return best, nil
	}
	cdk := filepath.Join(root, "node_modules", ".bin", "cdk") + " --no-notices synth --quiet -c env=" + env
	if sp.goRun, err = fastest(func(out string) (time.Duration, error) { return timed(root, cdk+" -o "+out) }); err != nil {
		return sp, err
	}
	if sp.cli, err = fastest(func(out string) (time.Duration, error) { return timed(root, cdk+" --app "+app+" -o "+out) }); err != nil {
		return sp, err
	}
	context, err := appContext(root, env)
	if err != nil {
		return sp, err
	}
	alone := func(out string, extra ...string) (time.Duration, error) {
		b, _ := json.Marshal(context)
		return timed(root, app, append([]string{"CDK_OUTDIR=" + out, "CDK_CONTEXT_JSON=" + string(b)}, extra...)...)
	}
	if sp.app, err = fastest(func(out string) (time.Duration, error) { return alone(out) }); err != nil {
		return sp, err
	}
	context["aws:cdk:bundling-stacks"] = []string{}
	if sp.appNoBundling, err = fastest(func(out string) (time.Duration, error) { return alone(out) }); err != nil {
		return sp, err
	}
	node := os.Getenv("JSII_NODE")
	if node == "" {
		node = filepath.Join(root, "node_modules", ".bin", "node")
	}
	goProfiles := filepath.Join(dir, "go-profiles")
	wrapper := filepath.Join(dir, "node-cpu-prof")
	script := fmt.Sprintf("#!/bin/sh\nexec '%s' --cpu-prof --cpu-prof-dir='%s' \"$@\"\n", node, goProfiles)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		return sp, err
	}
	if _, err := alone(filepath.Join(dir, "profiled"), "JSII_NODE="+wrapper); err != nil {
		return sp, err
	}
	if sp.goNode, err = largestProfile(goProfiles); err != nil {
		return sp, err
	}
	jsProfiles := filepath.Join(dir, "js-profiles")
	b, _ := json.Marshal(map[string]any{"env": env})
	sp.jsApp, err = timed(filepath.Join(root, "bench", "js-app"), fmt.Sprintf("'%s' --cpu-prof --cpu-prof-dir='%s' app.js", node, jsProfiles),
		"CDK_OUTDIR="+filepath.Join(dir, "js"), "CDK_CONTEXT_JSON="+string(b))
	if err != nil {
		return sp, err
	}
	sp.jsNode, err = largestProfile(jsProfiles)
	return sp, err
}

// appContext is the context the CLI gives the app: cdk.json's and env.
func appContext(root, env string) (map[string]any, error) {
	b, err := os.ReadFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, err
	}
	cfg.Context["env"] = env
	return cfg.Context, nil
}

// largestProfile splits the largest CPU profile in dir (jsii starts Node
// twice, a launcher and the kernel) into phases; the rest is "other".
func largestProfile(dir string) ([]phase, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.cpuprofile"))
	if len(files) == 0 {
		return nil, fmt.Errorf("no CPU profile in %s", dir)
	}
	size := func(f string) int64 { info, _ := os.Stat(f); return info.Size() }
	largest := slices.MaxFunc(files, func(a, b string) int { return int(size(a) - size(b)) })
	b, err := os.ReadFile(largest)
	if err != nil {
		return nil, err
	}
	var prof struct {
		Nodes []struct {
			ID        int `json:"id"`
			CallFrame struct {
				FunctionName string `json:"functionName"`
				URL          string `json:"url"`
			} `json:"callFrame"`
			Children []int `json:"children"`
		} `json:"nodes"`
		Samples    []int   `json:"samples"`
		TimeDeltas []int64 `json:"timeDeltas"` // µs
	}
	if err := json.Unmarshal(b, &prof); err != nil {
		return nil, fmt.Errorf("%s: %w", largest, err)
	}
	parent, index := map[int]int{}, map[int]int{}
	for i, n := range prof.Nodes {
		index[n.ID] = i
		for _, c := range n.Children {
			parent[c] = n.ID
		}
	}
	// phaseOf returns the index of the first phase a frame of the
	// sample's stack matches, or len(phases).
	phaseOf := func(id int) int {
		best := len(phases)
		for ok := true; ok; id, ok = parent[id] {
			f := prof.Nodes[index[id]].CallFrame
			for i, p := range phases[:best] {
				if p.match(f.FunctionName, f.URL) {
					best = i
					break
				}
			}
		}
		return best
	}
	totals := make([]time.Duration, len(phases)+1)
	for i, s := range prof.Samples {
		if i < len(prof.TimeDeltas) {
			totals[phaseOf(s)] += time.Duration(prof.TimeDeltas[i]) * time.Microsecond
		}
	}
	out := make([]phase, 0, len(totals))
	for i, d := range totals {
		name := "other (Node.js start-up, garbage collection, the app's own code)"
		if i < len(phases) {
			name = phases[i].name
		}
		out = append(out, phase{name, d})
	}
	return out, nil
}
