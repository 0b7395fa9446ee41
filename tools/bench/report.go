package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/acme/customers-api/internal/cost"
)

// Targets of issue #16.
const (
	maxBootstrapBytes = 10 << 20
	maxInitRatio      = 1.5
	maxSynthRatio     = 1.3
	maxWarmTest       = 60 * time.Second
)

// machine describes this machine and the versions that shape the figures.
func machine(root, rieVersion string) []string {
	first := func(path, prefix string) string {
		b, _ := os.ReadFile(path)
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, prefix); ok {
				return strings.Trim(strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(v), ":=")), `",`)
			}
		}
		return "?"
	}
	out := func(name string, args ...string) string {
		b, err := exec.Command(name, args...).Output()
		if err != nil {
			return "?"
		}
		return strings.TrimSpace(string(b))
	}
	bin := filepath.Join(root, "node_modules", ".bin")
	return []string{
		fmt.Sprintf("OS: %s, %s", first("/etc/os-release", "PRETTY_NAME"), out("uname", "-srm")),
		fmt.Sprintf("CPU: %s, %d cores; memory: %s", first("/proc/cpuinfo", "model name"), runtime.NumCPU(), first("/proc/meminfo", "MemTotal")),
		fmt.Sprintf("Go %s; Node.js %s; CDK CLI %s; aws-cdk-lib %s (jsii, for the Go app and the JavaScript app)",
			strings.TrimPrefix(runtime.Version(), "go"), out(filepath.Join(bin, "node"), "--version"),
			strings.Fields(out(filepath.Join(bin, "cdk"), "--version") + " ?")[0], first(filepath.Join(root, "node_modules", "aws-cdk-lib", "package.json"), `  "version"`)),
		fmt.Sprintf("moto %s (requirements.txt); aws-lambda-rie %s", first(filepath.Join(root, "requirements.txt"), "moto=="), rieVersion),
	}
}

func ms(d time.Duration) string  { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
func sec(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
func mib(b int64) string         { return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20)) }

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func (r report) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("# Benchmarks")
	p("")
	p("Written by `make bench` (`tools/bench`) on %s; do not edit by hand. Figures are from one run on the machine below; rerun `make bench` to reproduce them.", r.date.Format("2006-01-02 15:04 UTC"))
	p("")
	for _, m := range r.machine {
		p("- %s", m)
	}
	p("")
	p("## Functions")
	p("")
	p("Each handler is built as deployed (`provided.al2023`, arm64, the flags of `internal/gobuild`) for its size, and for this machine to run under the Lambda Runtime Interface Emulator against moto. Each is started cold %d times; each cold start is followed by %d warm invocations. Every invocation takes the success path with real data: get an existing customer, update it with the right `If-Match`, delete an existing one, list a populated table (20 per page), create a new one. First invoke is from starting the emulator to the first response (process start, init, one request, its DynamoDB calls); the figures are medians over the cold starts; peak RSS is the largest. Emulator figures, not Lambda's.", r.runs, r.invokes)
	p("")
	p("The last two columns time start-up apart from the network: the same bootstrap started cold with a request it refuses before any AWS call (a bad id, a bad query, an empty body, no `If-Match`), then 20 warm ones; start-up is its first invoke minus its warm p50, the median of %d cold starts taken after the runs above, every function in turn, and the ratio compares that with hello-world's.", probeRuns)
	p("")
	p("| function | bootstrap | zipped | first invoke | warm p50 | warm p99 | first − p50 | peak RSS | start-up (no I/O) | ÷ hello-world's |")
	p("|---|---|---|---|---|---|---|---|---|---|")
	var hello functionResult
	for _, f := range r.functions {
		if f.name == "hello-world" {
			hello = f
		}
	}
	sizeOK, initOK := true, true
	worstRatio := 0.0
	worstSuccess := 0.0
	for _, f := range r.functions {
		ratio := float64(f.probeInit) / float64(hello.probeInit)
		if f.name != "hello-world" {
			sizeOK = sizeOK && f.size <= maxBootstrapBytes
			initOK = initOK && ratio <= maxInitRatio
			worstRatio = max(worstRatio, ratio)
			worstSuccess = max(worstSuccess, float64(f.initOverWarm)/float64(hello.initOverWarm))
		}
		p("| %s | %s | %s | %s | %s | %s | %s | %d MB | %s | %.2f |", f.name, mib(f.size), mib(f.zipped), ms(f.first), ms(f.p50), ms(f.p99), ms(f.initOverWarm), f.peakRSS/1024, ms(f.probeInit), ratio)
	}
	p("")
	p("Where start-up goes: package initialization before `main`, from `GODEBUG=inittrace=1` (the four slowest packages, and the total of all):")
	p("")
	p("| function | package init total | slowest packages |")
	p("|---|---|---|")
	for _, f := range r.functions {
		var top []string
		for _, i := range f.inits {
			top = append(top, fmt.Sprintf("%s %.1f ms", i.pkg, i.ms))
		}
		p("| %s | %.1f ms | %s |", f.name, f.initTotal, strings.Join(top, "; "))
	}
	p("")
	p("## Go benchmarks")
	p("")
	p("The handler path with an in-memory DynamoDB (no network): event decoding, validation, SDK serialization and signing, response and log encoding.")
	p("")
	p("```")
	for _, l := range r.benchmarks {
		p("%s", l)
	}
	p("```")
	p("")
	p("## Synth")
	p("")
	p("`cdk synth -c env=<env>` of the Go app (into an empty directory, so it bundles every function, as `make synth` does, each bootstrap copied from the bootstrap cache when its program is unchanged) next to `bench/js-app`, a plain JavaScript CDK app with the same stacks, resource types and count (each resource an L1 `CfnResource`), measured alternately in this run; the fastest of each.")
	p("")
	p("| environment | stacks | Go app | JavaScript app | ratio |")
	p("|---|---|---|---|---|")
	synthOK, worstSynth := true, 0.0
	for _, s := range r.synth {
		ratio := s.goApp.Seconds() / s.jsApp.Seconds()
		synthOK = synthOK && ratio <= maxSynthRatio
		worstSynth = max(worstSynth, ratio)
		p("| %s | %d | %s | %s | %.2f |", s.env, s.stacks, sec(s.goApp), sec(s.jsApp), ratio)
	}
	p("")
	r.profileSection(p)
	if len(r.makeTimes) > 0 {
		p("## make")
		p("")
		p("| command | cold | warm |")
		p("|---|---|---|")
		for _, t := range []string{"make synth", "make test"} {
			p("| `%s` | %s | %s |", t, sec(r.makeTimes[t][0]), sec(r.makeTimes[t][1]))
		}
		p("")
		p("`make synth` cold: an empty Go build cache and an empty bootstrap cache (every package compiled and every bootstrap linked; modules already downloaded); warm: right after, with those caches. `make test` cold: the Go test cache and the fuzz stamps cleared, so every test runs and every fuzz target fuzzes (build cache warm), as on a clean clone with a warm Go cache; warm: right after, unchanged tree, so Go reuses the cached results of every package whose inputs did not change, fuzz targets that passed with the same code are not fuzzed again, and the API check and the example's tests run.")
		p("")
	}
	p("## Targets")
	p("")
	largest := int64(0)
	for _, f := range r.functions {
		if f.name != "hello-world" {
			largest = max(largest, f.size)
		}
	}
	p("| target | measured | |")
	p("|---|---|---|")
	p("| every API bootstrap ≤ 10 MiB unzipped | largest %s | %s |", mib(largest), met(sizeOK))
	p("| first invoke − warm ≤ 1.5 × hello-world's | start-up without I/O: worst %.2f ×; on the success path, where the first DynamoDB calls open their connections: worst %.2f × | %s |", worstRatio, worstSuccess, met(initOK))
	p("| per-environment synth ≤ 1.3 × the JavaScript app | worst %.2f × (where dev's goes: above) | %s |", worstSynth, met(synthOK))
	if t, ok := r.makeTimes["make test"]; ok {
		p("| `make test` warm ≤ 60 s | %s warm (cached); %s with every test run | %s |", sec(t[1]), sec(t[0]), met(t[1] <= maxWarmTest))
	}
	p("")
	r.roundTripSection(p)
	r.costSection(p)
	return b.String()
}

// profileSection shows where dev's synth goes.
func (r report) profileSection(p func(string, ...any)) {
	sp := r.profile
	if sp.env == "" {
		return
	}
	p("Where the Go app's synth of %s goes: the app built once, then timed under the CLI and alone (`CDK_OUTDIR`, `CDK_CONTEXT_JSON`), the fastest of %d runs each, bootstraps from the cache (`internal/gobuild`).", sp.env, sp.runs)
	p("")
	p("| step | wall time | difference |")
	p("|---|---|---|")
	p("| `cdk synth` as `cdk.json` runs it (`go run .`) | %s | `go run` costs %s |", sec(sp.goRun), sec(sp.goRun-sp.cli))
	p("| `cdk synth --app` the built app | %s | the CLI costs %s |", sec(sp.cli), sec(sp.cli-sp.app))
	p("| the built app alone | %s | bundling costs %s |", sec(sp.app), sec(sp.app-sp.appNoBundling))
	p("| the built app alone, bundling skipped | %s | |", sec(sp.appNoBundling))
	p("| the JavaScript app alone | %s | |", sec(sp.jsApp))
	p("")
	p("The Node.js side, from a CPU profile (`node --cpu-prof`) of the jsii kernel while the built app synthesizes without bundling, and of the JavaScript app; a sample counts for the first phase in this order that one of its stack frames is in:")
	p("")
	p("| phase | Go app (jsii kernel) | JavaScript app |")
	p("|---|---|---|")
	var goTotal, jsTotal time.Duration
	for i, ph := range sp.goNode {
		js := sp.jsNode[i].d
		goTotal, jsTotal = goTotal+ph.d, jsTotal+js
		p("| %s | %s | %s |", ph.name, sec(ph.d), sec(js))
	}
	p("| all sampled | %s | %s |", sec(goTotal), sec(jsTotal))
	p("")
}

// maxVariableRatio is issue 26's target: prod's variable cost per
// million requests at most twice API Gateway's own.
const maxVariableRatio = 2.0

// mixScenario is the round-trip scenario that stands for each operation of
// the cost model's mix.
var mixScenario = map[string]string{"get": "get", "list": "list (a page of 20)", "create": "create",
	"update": "update keeping the e-mail", "delete": "delete"}

// costSection prices each environment at three loads with the measured
// warm p50 durations and log bytes, and shows prod's variable cost per
// million requests, item by item, against API Gateway's.
func (r report) costSection(p func(string, ...any)) {
	millis := map[string]float64{}
	names := map[string]string{"get-customer": "get", "list-customers": "list", "create-customer": "create", "update-customer": "update", "delete-customer": "delete"}
	for fn, ms := range r.p50s {
		if op, ok := names[fn]; ok {
			millis[op] = ms
		}
	}
	ops, err := cost.CustomersOperations(millis)
	if err != nil {
		p("Cost model: %v", err)
		return
	}
	logBytes := 0.0
	for _, op := range ops {
		for _, res := range r.roundTrips {
			if res.Name == mixScenario[op.Name] {
				logBytes += op.Share * float64(res.LogBytes)
			}
		}
	}
	load := func(n float64) cost.Load {
		return cost.Load{Requests: n, ActiveUsers: 1000, LogBytesPerRequest: logBytes, LogBytesPerEvent: 1024}
	}
	p("## Cost model")
	p("")
	p("A month of one environment (`internal/cost`; prices are its constants, eu-west-1 list prices known on 2026-11-26, not re-read from the live pages: this machine has no internet). Lambda time is the warm p50 above at the environment's memory, **emulator figures**, plus 50 ms per event function invocation (an estimate). Read from each environment's templates: memory, alarms, dashboards, keys, WAF rules, rule targets, the table's Contributor Insights mode, the stage's tracing and X-Ray sampling (the default rule, 1 request a second and 5%% of the rest, unless a template defines one), and the access log format, each variable at a typical size (%.0f bytes a line in prod). Measured: the handler's log line and metrics per request, %.0f bytes on average over the mix (the round-trip scenarios, with CloudWatch Logs' 26 bytes per event); the platform's START/END/REPORT lines are not sent (`SystemLogLevel` WARN). Assumed: the operation mix below (the seed states none), 1,000 monthly active users, 1 KB of logs per event, no throttling (Contributor Insights in `THROTTLED_KEYS` mode then records nothing).", r.prodAccessLogBytes(), logBytes)
	p("")
	p("| operation | share | Lambda ms | RRU | WRU | events |")
	p("|---|---|---|---|---|---|")
	for _, op := range ops {
		p("| %s | %.0f%% | %.1f | %.1f | %.1f | %.1f |", op.Name, op.Share*100, op.LambdaMillis, op.ReadUnits, op.WriteUnits, op.Events)
	}
	p("")
	p("| environment | Contributor Insights | 1 M requests | 10 M requests | 100 M requests | variable per million | ÷ API Gateway's $%.2f |", cost.APIGatewayRESTPerMillion)
	p("|---|---|---|---|---|---|---|")
	var details []string
	var prodLines [2][]cost.Line
	for _, name := range []string{"dev", "staging", "prod"} {
		env, err := cost.CustomersEnvironment("test/testdata", name)
		if err != nil {
			p("| %s | %v | | | | | |", name, err)
			continue
		}
		row := "| " + name + " | " + env.ContributorInsights
		totals := map[float64]float64{}
		for _, n := range []float64{1e6, 1e7, 1e8} {
			lines, err := cost.Estimate(env, ops, load(n))
			if err != nil {
				row += " | " + err.Error()
				continue
			}
			totals[n] = cost.Total(lines)
			row += fmt.Sprintf(" | $%.2f", totals[n])
			if name == "prod" && n == 1e7 {
				prodLines[0] = lines
			}
			if name == "prod" && n == 1e8 {
				prodLines[1] = lines
			}
			if n == 1e7 {
				d := fmt.Sprintf("**%s at 10 M requests** (%d MB functions, %d alarm metrics, %d composite, %d dashboards, %d KMS keys, %d WAF rules, Contributor Insights %s):\n\n| item | quantity | USD |\n|---|---|---|\n", name, env.MemoryMB, env.AlarmMetrics, env.CompositeAlarms, env.Dashboards, env.KMSKeys, env.WAFRules, env.ContributorInsights)
				for _, l := range lines {
					d += fmt.Sprintf("| %s | %s | %.2f |\n", l.Item, l.Quantity, l.USD)
				}
				details = append(details, d)
			}
		}
		variable := (totals[1e8] - totals[1e7]) / 90
		p("%s | $%.2f | %.2f × |", row, variable, variable/cost.APIGatewayRESTPerMillion)
	}
	p("")
	p("Variable per million: what one more million requests adds, (month at 100 M − month at 10 M) ÷ 90; fixed items (alarms, dashboards, keys, the web ACL and its rules, X-Ray's reservoir once traffic passes one request a second) drop out.")
	p("")
	if prodLines[0] != nil && prodLines[1] != nil {
		p("**prod: the variable cost per million requests, item by item**, and what each buys:")
		p("")
		p("| item | USD per million requests | what it buys |")
		p("|---|---|---|")
		total := 0.0
		for i, l := range prodLines[1] {
			per := (l.USD - prodLines[0][i].USD) / 90
			if per < 0.005 {
				continue
			}
			total += per
			p("| %s | %.2f | %s |", l.Item, per, cost.Buys[l.Item])
		}
		ratio := total / cost.APIGatewayRESTPerMillion
		p("| **all** | **%.2f** | **%.2f × API Gateway's** (target ≤ %.1f ×: %s) |", total, ratio, maxVariableRatio, met(ratio <= maxVariableRatio))
		p("")
	}
	for _, d := range details {
		p("%s", d)
	}
}

// prodAccessLogBytes is the size of one of prod's access log lines.
func (r report) prodAccessLogBytes() float64 {
	env, err := cost.CustomersEnvironment("test/testdata", "prod")
	if err != nil {
		return 0
	}
	return env.AccessLogBytes
}
