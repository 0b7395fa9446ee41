// Command riebench measures each handler's bootstrap: its size as deployed
// (linux/arm64) and its first-invoke time under the Lambda Runtime Interface
// Emulator, next to a hello-world bootstrap built with the same flags. The
// emulator runs binaries natively, so the timed builds are for this
// machine's architecture; the customers handlers call a real DynamoDB API
// (moto) on their first invoke.
//
//	go run ./tools/riebench -rie .tools/aws-lambda-rie [-runs 5]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/functions/ddb"
	"github.com/acme/customers-api/internal/customers/store/storetest"
	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/internal/testenv/moto"
)

type target struct {
	name, dir string
	event     events.APIGatewayProxyRequest
	want      int
}

func main() {
	rie := flag.String("rie", ".tools/aws-lambda-rie", "path of the aws-lambda-rie binary")
	runs := flag.Int("runs", 5, "cold starts per function")
	flag.Parse()
	if err := run(*rie, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "riebench:", err)
		os.Exit(1)
	}
}

func run(rie string, runs int) error {
	srv, err := moto.Start()
	if err != nil {
		return err
	}
	defer srv.Stop()
	if err := storetest.CreateTable(context.Background(), ddb.New(srv.Config()), "customers"); err != nil {
		return err
	}
	get := events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/customers/CUST-01JDZ8Q6ZV5X3B9N2M4K7T1R0A",
		PathParameters: map[string]string{"id": "CUST-01JDZ8Q6ZV5X3B9N2M4K7T1R0A"}}
	create := events.APIGatewayProxyRequest{HTTPMethod: "POST", Path: "/customers",
		Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"name":"Ada","email":"ada+{n}@example.com"}`}
	targets := []target{
		{"hello (fixture)", "constructs/gofunction/testdata/hello", events.APIGatewayProxyRequest{}, 0},
		{"list-customers", "functions/list-customers", events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/customers"}, 200},
		{"get-customer", "functions/get-customer", get, 404},
		{"create-customer", "functions/create-customer", create, 201},
		{"update-customer", "functions/update-customer", get, 428},
		{"delete-customer", "functions/delete-customer", get, 404},
	}
	work, err := os.MkdirTemp("", "riebench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	fmt.Printf("%-18s %12s %12s %14s %14s\n", "function", "arm64 size", runtime.GOARCH+" size", "first invoke", "warm invoke")
	for _, t := range targets {
		armDir, hostDir := filepath.Join(work, t.name, "arm64"), filepath.Join(work, t.name, "host")
		if err := gofunction.Build(t.dir, armDir); err != nil {
			return err
		}
		if err := buildHost(t.dir, hostDir); err != nil {
			return err
		}
		var cold, warm []time.Duration
		for range runs {
			c, w, err := invoke(rie, filepath.Join(hostDir, "bootstrap"), srv.Endpoint, t)
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			cold, warm = append(cold, c), append(warm, w)
		}
		fmt.Printf("%-18s %10.1f MB %10.1f MB %11.1f ms %11.1f ms\n", t.name,
			mb(filepath.Join(armDir, "bootstrap")), mb(filepath.Join(hostDir, "bootstrap")), ms(median(cold)), ms(median(warm)))
	}
	fmt.Printf("(median of %d runs; first invoke = emulator start to first response, including process start, init and one DynamoDB round trip to moto)\n", runs)
	return nil
}

// buildHost builds dir for this machine with the same flags as Build.
func buildHost(dir, out string) error {
	args := append([]string{"build"}, gofunction.BuildFlags...)
	cmd := exec.Command("go", append(args, "-o", filepath.Join(out, "bootstrap"), ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: %v\n%s", dir, err, b)
	}
	return nil
}

// invoke starts the emulator with the bootstrap and returns the time to the
// first response and the time of a second, warm invoke.
func invoke(rie, bootstrap, endpoint string, t target) (time.Duration, time.Duration, error) {
	port, err := testenv.FreePort()
	if err != nil {
		return 0, 0, err
	}
	apiPort, err := testenv.FreePort()
	if err != nil {
		return 0, 0, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", "127.0.0.1:"+strconv.Itoa(apiPort), bootstrap)
	cmd.Env = append(os.Environ(), "TABLE_NAME=customers", "AWS_ENDPOINT_URL_DYNAMODB="+endpoint, "AWS_REGION=eu-west-1",
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "LOG_LEVEL=error", "AWS_LAMBDA_FUNCTION_TIMEOUT=10")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	url := "http://" + addr + "/2015-03-31/functions/function/invocations"
	var cold time.Duration
	for deadline := start.Add(20 * time.Second); ; {
		status, err := post(url, t.event, t.want)
		if err == nil {
			cold = time.Since(start)
			break
		}
		if time.Now().After(deadline) || status != 0 {
			return 0, 0, fmt.Errorf("no answer: %v\n%s", err, out.String())
		}
		time.Sleep(time.Millisecond)
	}
	warmStart := time.Now()
	if _, err := post(url, t.event, t.want); err != nil {
		return 0, 0, err
	}
	return cold, time.Since(warmStart), nil
}

var invocations int

// post invokes the function ("{n}" in the body becomes a number unique to
// the invocation); status is the function's statusCode, 0 when the emulator
// is not up yet.
func post(url string, event events.APIGatewayProxyRequest, want int) (int, error) {
	invocations++
	event.Body = strings.ReplaceAll(event.Body, "{n}", strconv.Itoa(invocations))
	body, _ := json.Marshal(event)
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var r struct {
		StatusCode int `json:"statusCode"`
	}
	json.NewDecoder(resp.Body).Decode(&r)
	if r.StatusCode != want {
		return -1, fmt.Errorf("function answered %d, want %d", r.StatusCode, want)
	}
	return r.StatusCode, nil
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mb(path string) float64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return float64(info.Size()) / 1e6
}
