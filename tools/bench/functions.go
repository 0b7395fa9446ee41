package main

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/acme/customers-api/internal/customers/handlers"
	"github.com/acme/customers-api/internal/customers/roundtrips"
	"github.com/acme/customers-api/internal/customers/store/storetest"
	"github.com/acme/customers-api/internal/gobuild"
	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/internal/testenv/moto"
	"github.com/acme/customers-api/lambdakit/ddb"
)

// target is one bootstrap timed on its success path: event(n) is the n-th
// invocation's event (n counts every invocation of the target), want its
// status (0 for hello-world, which answers a string). probe is a request
// the handler refuses before any AWS call, to time start-up without I/O.
type target struct {
	name, dir, table string
	event            func(n int) any
	want             int
	probe            any
	probeWant        int
}

// call is an event source and the status every answer must have.
type call struct {
	event func(n int) any
	want  int
}

// functionResult is one bootstrap's figures.
type functionResult struct {
	name            string
	size, zipped    int64
	first, p50, p99 time.Duration // medians over the cold starts
	peakRSS         int64         // kB, the largest over the cold starts
	initOverWarm    time.Duration // first - p50
	// probeInit is first - warm p50 of the probe: start-up and a first
	// request without I/O.
	probeInit time.Duration
	// inits are the package initializations that took longest, and
	// initTotal all of them (GODEBUG=inittrace=1).
	inits     []packageInit
	initTotal float64 // ms
}

// packageInit is one package's initialization, as inittrace reports it.
type packageInit struct {
	pkg string
	ms  float64
}

// seed writes the data the success paths need through the real handlers,
// each target its own table (moto answers a query in time proportional to
// the table): customers to get and update, customers to delete, a full
// page to list.
type seed struct {
	h   *handlers.Handlers
	ids []string
}

func newSeed(ctx context.Context, db *dynamodb.Client, table string, customers int) (*seed, error) {
	if err := storetest.CreateTable(ctx, db, table); err != nil {
		return nil, err
	}
	s := &seed{h: handlers.New(handlers.Deps{DB: db, Table: table, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})}
	for n := range customers {
		id, err := s.create(ctx, n)
		if err != nil {
			return nil, err
		}
		s.ids = append(s.ids, id)
	}
	return s, nil
}

func (s *seed) create(ctx context.Context, n int) (string, error) {
	resp, err := s.h.Create()(ctx, events.APIGatewayProxyRequest{HTTPMethod: "POST", Path: "/customers",
		Headers: map[string]string{"Content-Type": "application/json"},
		Body:    fmt.Sprintf(`{"name":"Customer %d","email":"c%d@example.com"}`, n, n)})
	if err != nil || resp.StatusCode != 201 {
		return "", fmt.Errorf("seed create: %d %s %v", resp.StatusCode, resp.Body, err)
	}
	var c struct{ CustomerID string }
	json.Unmarshal([]byte(resp.Body), &c)
	return c.CustomerID, nil
}

// targets prepares the table and returns every timed bootstrap: hello-world
// first, then each handler on its success path with real data.
func targets(ctx context.Context, srv *moto.Server, invokes int) ([]target, error) {
	db := ddb.New(srv.Config())
	if _, err := newSeed(ctx, db, "list", 25); err != nil {
		return nil, err
	}
	read, err := newSeed(ctx, db, "read", 1)
	if err != nil {
		return nil, err
	}
	del, err := newSeed(ctx, db, "delete", invokes)
	if err != nil {
		return nil, err
	}
	if _, err := newSeed(ctx, db, "create", 0); err != nil {
		return nil, err
	}
	updated := read.ids[0]
	return []target{
		{"hello-world", "internal/gobuild/testdata/hello", "", func(int) any { return "bench" }, 0, "bench", 0},
		{"list-customers", "functions/list-customers", "list", func(int) any {
			return events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/customers", Resource: "/customers", QueryStringParameters: map[string]string{"limit": "20"}}
		}, 200, events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/customers", Resource: "/customers", QueryStringParameters: map[string]string{"limit": "x"}}, 400},
		{"get-customer", "functions/get-customer", "read", func(int) any { return roundtrips.ByID("GET", updated, nil, "") }, 200, roundtrips.ByID("GET", "bad", nil, ""), 400},
		{"create-customer", "functions/create-customer", "create", func(n int) any {
			return events.APIGatewayProxyRequest{HTTPMethod: "POST", Path: "/customers", Resource: "/customers",
				Headers: map[string]string{"Content-Type": "application/json"}, Body: fmt.Sprintf(`{"name":"Ada","email":"ada+%d@example.com"}`, n)}
		}, 201, events.APIGatewayProxyRequest{HTTPMethod: "POST", Path: "/customers", Resource: "/customers",
			Headers: map[string]string{"Content-Type": "application/json"}, Body: `{}`}, 400},
		// Each update renames the customer, so version n+1 follows n.
		{"update-customer", "functions/update-customer", "read", func(n int) any {
			return roundtrips.ByID("PUT", updated, map[string]string{"If-Match": strconv.Quote(strconv.Itoa(n + 1))},
				fmt.Sprintf(`{"name":"Customer %d","email":"c0@example.com","status":"ACTIVE"}`, n+1000))
		}, 200, roundtrips.ByID("PUT", updated, nil, `{"name":"A","email":"a@example.com","status":"ACTIVE"}`), 428},
		{"delete-customer", "functions/delete-customer", "delete", func(n int) any { return roundtrips.ByID("DELETE", del.ids[n], nil, "") }, 204, roundtrips.ByID("DELETE", "bad", nil, ""), 400},
	}, nil
}

// measureFunctions builds each target for arm64 (sizes) and for this
// machine (timing), and starts it cold `runs` times, each followed by
// `invokes` warm invocations.
func measureFunctions(rie string, runs, invokes int) ([]functionResult, error) {
	srv, err := moto.Start()
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	ctx := context.Background()
	ts, err := targets(ctx, srv, runs*(invokes+1))
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "bench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	var out []functionResult
	hosts := make([]string, len(ts)) // each target's host bootstrap
	for i, t := range ts {
		armDir, hostDir := filepath.Join(work, t.name, "arm64"), filepath.Join(work, t.name, "host")
		if err := gobuild.Build(t.dir, armDir); err != nil {
			return nil, err
		}
		if err := gobuild.BuildHost(t.dir, hostDir); err != nil {
			return nil, err
		}
		r := functionResult{name: t.name}
		if r.size, r.zipped, err = sizes(filepath.Join(armDir, "bootstrap")); err != nil {
			return nil, err
		}
		hosts[i] = filepath.Join(hostDir, "bootstrap")
		var firsts, p50s, p99s []time.Duration
		n := 0
		success := call{t.event, t.want}
		for range runs {
			first, warm, rss, err := coldStart(rie, hosts[i], srv.Endpoint, t.table, success, &n, invokes)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", t.name, err)
			}
			slices.Sort(warm)
			firsts = append(firsts, first)
			p50s, p99s = append(p50s, percentile(warm, 50)), append(p99s, percentile(warm, 99))
			r.peakRSS = max(r.peakRSS, rss)
		}
		if r.inits, r.initTotal, err = initTrace(hosts[i], t.table); err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
		r.first, r.p50, r.p99 = median(firsts), median(p50s), median(p99s)
		r.initOverWarm = r.first - r.p50
		out = append(out, r)
	}
	// Start-up without I/O, once moto is idle: every target in turn, so
	// that drift in the machine's load falls on all of them alike.
	probes := make([][]time.Duration, len(ts))
	probeNs := make([]int, len(ts))
	for range probeRuns {
		for i, t := range ts {
			first, warm, _, err := coldStart(rie, hosts[i], srv.Endpoint, t.table, call{func(int) any { return t.probe }, t.probeWant}, &probeNs[i], 20)
			if err != nil {
				return nil, fmt.Errorf("%s probe: %w", t.name, err)
			}
			slices.Sort(warm)
			probes[i] = append(probes[i], first-percentile(warm, 50))
		}
	}
	for i := range out {
		out[i].probeInit = median(probes[i])
	}
	return out, nil
}

// probeRuns is how many times each target is started for its start-up
// without I/O.
const probeRuns = 15

// initTrace starts the bootstrap with GODEBUG=inittrace=1 and no runtime
// API to talk to, so that it stops right after initializing, and returns
// the four slowest package initializations and the total.
func initTrace(bootstrap, table string) ([]packageInit, float64, error) {
	cmd := exec.Command(bootstrap)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:1", "TABLE_NAME="+table,
		"AWS_REGION=eu-west-1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing")
	out, _ := cmd.CombinedOutput() // it exits 1 without a runtime API
	var inits []packageInit
	total := 0.0
	for _, line := range strings.Split(string(out), "\n") {
		// init github.com/x/y @4.6 ms, 8.3 ms clock, 1701760 bytes, 21294 allocs
		f := strings.Fields(line)
		if len(f) < 7 || f[0] != "init" || f[6] != "clock," {
			continue
		}
		ms, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			return nil, 0, fmt.Errorf("inittrace line %q: %w", line, err)
		}
		inits = append(inits, packageInit{strings.TrimPrefix(f[1], "github.com/"), ms})
		total += ms
	}
	if len(inits) == 0 {
		return nil, 0, fmt.Errorf("no inittrace output:\n%s", out)
	}
	slices.SortFunc(inits, func(a, b packageInit) int { return cmp.Compare(b.ms, a.ms) })
	return inits[:min(4, len(inits))], total, nil
}

// sizes returns a file's size and its size in a deflated zip, as CDK
// uploads the asset.
func sizes(path string) (int64, int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Deflate})
	if err != nil {
		return 0, 0, err
	}
	w.Write(b)
	if err := zw.Close(); err != nil {
		return 0, 0, err
	}
	return int64(len(b)), int64(buf.Len()), nil
}

// coldStart starts the emulator with the bootstrap, times the first
// invocation from process start, then `invokes` warm ones, and reads the
// bootstrap's peak resident set size.
func coldStart(rie, bootstrap, endpoint, table string, c call, n *int, invokes int) (time.Duration, []time.Duration, int64, error) {
	port, err := testenv.FreePort()
	if err != nil {
		return 0, nil, 0, err
	}
	apiPort, err := testenv.FreePort()
	if err != nil {
		return 0, nil, 0, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", "127.0.0.1:"+strconv.Itoa(apiPort), bootstrap)
	cmd.Env = append(os.Environ(), "TABLE_NAME="+table, "AWS_ENDPOINT_URL_DYNAMODB="+endpoint, "AWS_REGION=eu-west-1",
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_LAMBDA_LOG_LEVEL=ERROR", "AWS_LAMBDA_FUNCTION_TIMEOUT=10")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, nil, 0, err
	}
	defer func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() }()
	url := "http://" + addr + "/2015-03-31/functions/function/invocations"
	var first time.Duration
	for deadline := start.Add(20 * time.Second); ; {
		up, err := invoke(url, c, *n)
		if err == nil {
			first = time.Since(start)
			*n++
			break
		}
		if up || time.Now().After(deadline) {
			return 0, nil, 0, fmt.Errorf("first invocation: %v\n%s", err, logs.String())
		}
		time.Sleep(time.Millisecond)
	}
	var warm []time.Duration
	for range invokes {
		s := time.Now()
		if _, err := invoke(url, c, *n); err != nil {
			return 0, nil, 0, fmt.Errorf("warm invocation %d: %v\n%s", *n, err, logs.String())
		}
		warm = append(warm, time.Since(s))
		*n++
	}
	return first, warm, peakRSS(bootstrap), nil
}

// invoke sends the n-th event; up reports whether the emulator answered.
func invoke(url string, c call, n int) (up bool, err error) {
	body, _ := json.Marshal(c.event(n))
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	payload, _ := io.ReadAll(resp.Body)
	var r struct {
		StatusCode int `json:"statusCode"`
	}
	json.Unmarshal(payload, &r)
	if r.StatusCode != c.want {
		return true, fmt.Errorf("function answered %s, want status %d", payload, c.want)
	}
	return true, nil
}

// peakRSS is VmHWM (kB) of the process running bootstrap.
func peakRSS(bootstrap string) int64 {
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, stat := range procs {
		dir := filepath.Dir(stat)
		exe, err := os.Readlink(filepath.Join(dir, "exe"))
		if err != nil || exe != bootstrap {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(dir, "status"))
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
				return kb
			}
		}
	}
	return 0
}

func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(len(sorted)-1, i-1))]
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}
