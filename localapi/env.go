// Package localapi runs a synthesized REST API on this machine, front door
// included, from the templates in a cloud assembly directory (cdk.out): the
// same resources, methods, Cognito authorizer and scopes, API keys, usage
// plans, throttles, request validators and gateway responses as API
// Gateway, in front of each function's real handler under the Lambda
// Runtime Interface Emulator, with the tables, topics, queues, buses and
// rules created in moto and the event source mappings polled. Tokens come
// from a local identity server that stands in for each Cognito user pool.
//
//	env, err := localapi.Start(ctx, localapi.Options{Assembly: "cdk.out"})
//	defer env.Close()
//	token, _ := env.Token(localapi.TokenRequest{})
//	// GET env.URL + "/customers" with Authorization and X-Api-Key
//
// Behaviour follows the API Gateway developer guide; the README's
// conformance table lists each behaviour and what was chosen where AWS
// does not document it. The package serves any template the constructs of
// this module produce; a resource type or property it does not model is
// an error, or is listed in Skipped, never silently different.
//
// The package is a facade over its internal packages, one per concern:
// template (the templates and their intrinsic functions), provision (the
// resources created in moto), identity (the Cognito stand-in), gateway
// (routes, authorizers, API keys, usage plans and throttles, validation,
// gateway responses, the Lambda proxy integration), lambda (the functions
// under the emulator) and pumps (event source mappings and rule targets).
//
// # Running from another module
//
// The package needs nothing of this repository's layout, only three things
// on the machine, each found through an Options field, else an environment
// variable, else a default; a missing one stops Start with a one-line error
// naming the option, the variable and the install command:
//
//   - the Lambda Runtime Interface Emulator: Options.RIE, else $LOCALAPI_RIE,
//     else aws-lambda-rie on PATH (install: RIEInstall);
//   - moto: Options.MotoEndpoint, else $LOCALAPI_MOTO_ENDPOINT, the URL of a
//     moto server already running; else Start runs its own with
//     Options.Python, else $LOCALAPI_PYTHON, else python3, which must have
//     moto's server at the version this module pins
//     (pip install 'moto[server]==5.2.5');
//   - a Go toolchain on PATH, to build each function's handler package
//     (the template's acme:go-entry metadata, relative to the root of the Go
//     module that holds the working directory).
//
// Node.js and the CDK CLI are not needed: they only synthesize the cloud
// assembly that Start reads. From another module:
//
//	go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@<version in RIEInstall>
//	python3 -m venv .venv && .venv/bin/pip install 'moto[server]==5.2.5'
//	LOCALAPI_PYTHON=.venv/bin/python go run github.com/acme/customers-api/tools/local serve -assembly cdk.out
package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/acme/customers-api/internal/motoserver"
	"github.com/acme/customers-api/localapi/internal/gateway"
	"github.com/acme/customers-api/localapi/internal/identity"
	"github.com/acme/customers-api/localapi/internal/lambda"
	"github.com/acme/customers-api/localapi/internal/provision"
	"github.com/acme/customers-api/localapi/internal/pumps"
	"github.com/acme/customers-api/localapi/internal/template"
)

// Options configure Start.
type Options struct {
	// Assembly is the cloud assembly directory, e.g. "cdk.out". Required.
	Assembly string
	// Stacks selects the templates whose stack name starts with it, e.g.
	// "Customers-dev-"; empty means every template, which must then hold
	// exactly one REST API.
	Stacks string
	// Account is the 12-digit account the templates are deployed to: the
	// account of the ARNs the gateway builds (a method's execute-api ARN,
	// compared with the templates' IAM policies) and of the proxy events.
	// Default: 123456789012 (package cfnref's).
	Account string
	// Port is the gateway's port on 127.0.0.1; 0 picks a free one.
	Port int
	// IdentityPort is the identity server's port; 0 picks a free one.
	IdentityPort int
	// RIE is the path of the Lambda Runtime Interface Emulator
	// (aws-lambda-rie). Default: $LOCALAPI_RIE, else aws-lambda-rie on PATH.
	RIE string
	// MotoEndpoint is the URL of a moto server already running, e.g.
	// http://127.0.0.1:5000, which the environment then uses instead of
	// starting its own, and leaves running. Its conditional writes are not
	// serialized as those of the server Start runs are (see
	// internal/motoserver). Default: $LOCALAPI_MOTO_ENDPOINT, else Start
	// runs a moto server with Python.
	MotoEndpoint string
	// Python is the Python 3 interpreter, a path or a name on PATH, that
	// runs the moto server when there is no MotoEndpoint; it must import
	// moto's server (pip install 'moto[server]==5.2.5'). Default:
	// $LOCALAPI_PYTHON, else python3.
	Python string
	// Logs receives the functions' output, the access log and the local
	// environment's own messages; nil discards them.
	Logs io.Writer
	// Quotas replaces the quota limit of usage plans, by plan name, so that
	// a test can exhaust a quota without thousands of requests.
	Quotas map[string]int
	// PollInterval is how often event source mappings poll; 0 means 100 ms.
	PollInterval time.Duration
}

// Skipped lists, for the README and the start-up banner, what the local
// environment leaves out of the templates it runs.
var Skipped = provision.Skipped

// Env is a running local environment.
type Env struct {
	// URL is the gateway's base URL, e.g. http://127.0.0.1:3000. Paths are
	// the API's resource paths, without the stage.
	URL string
	// Identity issues the tokens the gateway accepts.
	Identity *Identity
	// Gateway is the local API Gateway.
	Gateway *Gateway
	// Moto is the endpoint of the moto server holding the local AWS.
	Moto string

	opts     Options
	assembly *template.Assembly
	motoSrv  *motoserver.Server // nil when MotoEndpoint was given
	fns      *lambda.Functions
	pumps    *pumps.Pumps
	work     string
	servers  []*http.Server
	cancel   context.CancelFunc
}

// Start builds and starts the environment: moto, the provisioned
// resources, the identity server, the gateway and the event source
// mappings. Functions start on their first invocation. Close it.
func Start(ctx context.Context, opts Options) (_ *Env, err error) {
	if opts.PollInterval == 0 {
		opts.PollInterval = 100 * time.Millisecond
	}
	if opts.Logs == nil {
		opts.Logs = io.Discard
	}
	if opts.RIE, err = findRIE(opts.RIE); err != nil {
		return nil, err
	}
	e := &Env{opts: opts}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	if e.assembly, err = template.Load(opts.Assembly, opts.Stacks); err != nil {
		return nil, err
	}
	if opts.Account != "" {
		e.assembly.Account = opts.Account
	}
	if e.work, err = os.MkdirTemp("", "localapi"); err != nil {
		return nil, err
	}
	if e.Moto, err = e.startMoto(opts); err != nil {
		return nil, err
	}
	motoConfig := motoserver.Config(e.Moto)
	targets, err := provision.Provision(ctx, e.assembly, motoConfig)
	if err != nil {
		return nil, err
	}
	idp, err := identity.New(e.assembly)
	if err != nil {
		return nil, err
	}
	e.Identity = newIdentity(idp)
	if e.Identity.URL, err = e.serve(opts.IdentityPort, e.control()); err != nil {
		return nil, err
	}
	idp.URL = e.Identity.URL
	region := e.assembly.Region
	// The environment that sends each function's AWS SDK to moto.
	motoEnv := []string{"AWS_ENDPOINT_URL=" + e.Moto, "AWS_REGION=" + region, "AWS_DEFAULT_REGION=" + region,
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if e.fns, err = lambda.Load(ctx, e.assembly, lambda.Options{RIE: opts.RIE, Work: e.work, Logs: opts.Logs, Env: motoEnv}); err != nil {
		return nil, err
	}
	g, err := gateway.New(e.assembly, idp, gateway.Options{Logs: opts.Logs, Quotas: opts.Quotas}, e.fns.Invoke)
	if err != nil {
		return nil, err
	}
	e.Gateway = &Gateway{g: g}
	if e.URL, err = e.serve(opts.Port, e.Gateway); err != nil {
		return nil, err
	}
	e.pumps, err = pumps.New(e.assembly, targets, pumps.Options{AWS: motoConfig, Invoke: e.fns.Invoke, Has: e.fns.Has,
		PollInterval: opts.PollInterval, Logs: opts.Logs})
	if err != nil {
		return nil, err
	}
	var run context.Context
	run, e.cancel = context.WithCancel(context.Background())
	e.pumps.Start(run)
	return e, nil
}

// serve listens on 127.0.0.1:port and returns the base URL.
func (e *Env) serve(port int, h http.Handler) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return "", fmt.Errorf("localapi: port %d: %w", port, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	e.servers = append(e.servers, srv)
	go srv.Serve(l)
	return "http://" + l.Addr().String(), nil
}

// control serves the identity endpoints and GET /local/events.
func (e *Env) control() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", e.Identity)
	mux.HandleFunc("GET /local/events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(e.Events())
	})
	return mux
}

// Events returns the events delivered so far to each rule's SQS target,
// by the rule's logical id, oldest first. The local environment drains the
// target queues to keep them.
func (e *Env) Events() map[string][]json.RawMessage { return e.pumps.Events() }

// Token issues an access token (see TokenRequest).
func (e *Env) Token(req TokenRequest) (string, error) { return e.Identity.Token(req) }

// APIKey returns the value of an API key that a usage plan binds to the
// stage (the first by name).
func (e *Env) APIKey() (string, error) {
	keys := e.Gateway.APIKeys()
	name := ""
	for n := range keys {
		if name == "" || n < name {
			name = n
		}
	}
	if name == "" {
		return "", errors.New("localapi: no enabled API key is in a usage plan of the stage")
	}
	return keys[name], nil
}

// Close stops everything Start started.
func (e *Env) Close() {
	if e.cancel != nil {
		e.cancel()
	}
	for _, s := range e.servers {
		s.Close()
	}
	if e.pumps != nil {
		e.pumps.Wait()
	}
	if e.fns != nil {
		e.fns.Stop()
	}
	if e.motoSrv != nil {
		e.motoSrv.Stop()
	}
	if e.work != "" {
		os.RemoveAll(e.work)
	}
}
