// Command bench measures the figures BENCHMARKS.md reports and rewrites
// it: each bootstrap's size and its cold and warm invocations under the
// Lambda Runtime Interface Emulator next to a hello-world bootstrap, the Go
// benchmarks, per-environment synth next to a plain JavaScript CDK app of
// the same size, `make synth` and `make test` cold and warm, and the cost
// model (internal/cost) at the measured durations, and each operation's
// DynamoDB round trips (internal/customers/roundtrips).
//
//	go run ./tools/bench -rie .tools/aws-lambda-rie -rie-version v0.0.0-… [-out BENCHMARKS.md]
//
// -only roundtrips,cost measures only those parts, in seconds, and prints
// their sections instead of rewriting the report; the cost model then
// takes the functions' warm p50s from the report (-out) as it stands.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/acme/customers-api/internal/customers/roundtrips"
	"github.com/acme/customers-api/internal/gobuild"
	"github.com/acme/customers-api/internal/testenv"
)

type options struct {
	rie, rieVersion, out string
	runs, invokes        int
	synthRuns            int
	makeTimings          bool
	only                 string
	splice               bool
}

func main() {
	var o options
	flag.StringVar(&o.rie, "rie", ".tools/aws-lambda-rie", "path of the aws-lambda-rie binary")
	flag.StringVar(&o.rieVersion, "rie-version", "", "the emulator's module version, for the report")
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "the report to write")
	flag.IntVar(&o.runs, "runs", 5, "cold starts per function")
	flag.IntVar(&o.invokes, "invokes", 50, "warm invocations after each cold start")
	flag.IntVar(&o.synthRuns, "synth-runs", 2, "synth runs per environment and app (the fastest counts)")
	flag.BoolVar(&o.makeTimings, "make", true, "also time make synth and make test, cold and warm (minutes)")
	flag.StringVar(&o.only, "only", "", "measure only these parts (roundtrips, cost; comma-separated) and print their sections")
	flag.BoolVar(&o.splice, "splice", false, "with -only: replace those sections at the end of the report (-out) instead of printing them, keeping the rest of the last full run")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// report is everything BENCHMARKS.md shows.
type report struct {
	date          time.Time
	machine       []string
	functions     []functionResult
	runs, invokes int
	benchmarks    []string
	synth         []synthResult
	profile       synthProfile
	makeTimes     map[string][2]time.Duration // target -> cold, warm
	roundTrips    []roundtrips.Result
	// p50s are the functions' warm p50s in ms, by function name.
	p50s map[string]float64
}

func run(o options) error {
	root, err := testenv.Root()
	if err != nil {
		return err
	}
	if o.rie, err = filepath.Abs(o.rie); err != nil {
		return err
	}
	r := report{date: time.Now().UTC(), runs: o.runs, invokes: o.invokes, makeTimes: map[string][2]time.Duration{}}
	step := func(what string) { fmt.Fprintf(os.Stderr, "bench: %s (%s)\n", what, time.Now().Format("15:04:05")) }
	if !filepath.IsAbs(o.out) {
		o.out = filepath.Join(root, o.out)
	}
	step("DynamoDB round trips")
	if r.roundTrips, err = measureRoundTrips(); err != nil {
		return err
	}
	if o.only != "" {
		return r.printOnly(strings.Split(o.only, ","), o.out, o.splice)
	}
	r.machine = machine(root, o.rieVersion)
	step("functions under the emulator")
	if r.functions, err = measureFunctions(o.rie, o.runs, o.invokes); err != nil {
		return err
	}
	r.p50s = map[string]float64{}
	for _, f := range r.functions {
		r.p50s[f.name] = float64(f.p50.Microseconds()) / 1000
	}
	step("Go benchmarks")
	if r.benchmarks, err = goBenchmarks(root); err != nil {
		return err
	}
	step("per-environment synth, Go app and JavaScript app")
	if r.synth, err = measureSynth(root, []string{"dev", "staging", "prod"}, o.synthRuns); err != nil {
		return err
	}
	step("where dev's synth goes")
	if r.profile, err = profileSynth(root, "dev", max(3, o.synthRuns)); err != nil {
		return err
	}
	if o.makeTimings {
		step("make synth, cold (empty Go build and bootstrap caches) and warm")
		caches, err := os.MkdirTemp("", "bench-caches")
		if err != nil {
			return err
		}
		defer os.RemoveAll(caches)
		cold, warm, err := coldWarm(root, "synth", "", "GOCACHE="+filepath.Join(caches, "go"), gobuild.CacheEnv+"="+filepath.Join(caches, "bootstraps"))
		if err != nil {
			return err
		}
		r.makeTimes["make synth"] = [2]time.Duration{cold, warm}
		step("make test, cold (test cache and fuzz stamps cleared) and warm")
		if cold, warm, err = coldWarm(root, "test", "go clean -testcache && rm -rf .tools/fuzz-passed"); err != nil {
			return err
		}
		r.makeTimes["make test"] = [2]time.Duration{cold, warm}
	}
	step("writing " + o.out)
	return os.WriteFile(o.out, []byte(r.markdown()), 0o644)
}

// printOnly prints the sections of parts (roundtrips, cost), the cost
// model at the warm p50s of the report at path; with splice it replaces
// them at the end of that report instead, noting the partial run.
func (r report) printOnly(parts []string, path string, splice bool) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	if splice {
		p("_The sections from here on were rewritten by `go run ./tools/bench -only %s -splice` on %s; the sections above are from the last full `make bench`._", strings.Join(parts, ","), r.date.Format("2006-01-02 15:04 UTC"))
		p("")
	}
	for _, part := range parts {
		switch part {
		case "roundtrips":
			r.roundTripSection(p)
		case "cost":
			var err error
			if r.p50s, err = warmP50s(path); err != nil {
				return err
			}
			r.costSection(p)
		default:
			return fmt.Errorf("-only: unknown part %q (roundtrips, cost)", part)
		}
	}
	if !splice {
		_, err := fmt.Print(b.String())
		return err
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	keep := string(old)
	for _, heading := range []string{"\n_The sections from here on", "\n## DynamoDB round trips", "\n## Cost model"} {
		if i := strings.Index(keep, heading); i >= 0 {
			keep = keep[:i+1]
		}
	}
	return os.WriteFile(path, []byte(keep+b.String()), 0o644)
}
