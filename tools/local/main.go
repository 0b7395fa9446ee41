// Command local runs the API of a synthesized cloud assembly on this
// machine (see localapi) and talks to a running one.
//
//	go run ./tools/local serve -assembly .local/cdk.out [-port 3000] [-stacks Customers-dev-]
//	    [-rie aws-lambda-rie] [-python python3 | -moto-endpoint URL]
//	go run ./tools/local token [-scopes customers/read]
//	go run ./tools/local apikey
//	go run ./tools/local events
//	go run ./tools/local idle    # fails when one is running
//
// serve finds the Lambda Runtime Interface Emulator and moto through its
// flags or localapi's environment variables (LOCALAPI_RIE, LOCALAPI_PYTHON,
// LOCALAPI_MOTO_ENDPOINT), so it runs from any Go module:
//
//	go run github.com/acme/customers-api/tools/local serve -assembly cdk.out
//
// serve writes .local/state.json (mode 0600: it holds the local machine
// client's secret and the API key) and removes it on exit; the other
// commands read it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/acme/customers-api/localapi"
)

const stateFile = ".local/state.json"

// state is what serve tells the other commands.
type state struct {
	PID                    int
	URL, IdentityURL       string
	APIKey                 string
	ClientID, ClientSecret string
	Scopes                 []string
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: local serve|token|apikey|events|idle [flags]")
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "serve":
		err = serve(args)
	case "token":
		err = token(args)
	case "idle":
		if s, e := running(); e == nil {
			err = fmt.Errorf("already running (pid %d) at %s; stop it with Ctrl-C where it runs", s.PID, s.URL)
		}
	case "apikey":
		var s state
		if s, err = running(); err == nil {
			fmt.Println(s.APIKey)
		}
	case "events":
		err = printEvents()
	default:
		err = fmt.Errorf("unknown command %q: want serve, token, apikey, events or idle", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	assembly := fs.String("assembly", ".local/cdk.out", "cloud assembly directory")
	port := fs.Int("port", 3000, "gateway port on 127.0.0.1")
	logs := fs.String("logs", ".local/local.log", "file for the functions' output and the access log")
	self := fs.String("self", "go run github.com/acme/customers-api/tools/local", "how the banner's hints run this command (make local passes its binary)")
	var opts localapi.Options
	fs.StringVar(&opts.Stacks, "stacks", "", "serve the templates whose stack name starts with this, e.g. Customers-dev- (default every template)")
	fs.StringVar(&opts.RIE, "rie", "", "aws-lambda-rie binary (default $"+localapi.RIEEnv+", else aws-lambda-rie on PATH)")
	fs.StringVar(&opts.Python, "python", "", "Python with moto's server, to run moto (default $"+localapi.PythonEnv+", else python3)")
	fs.StringVar(&opts.MotoEndpoint, "moto-endpoint", "", "URL of a running moto server to use instead (default $"+localapi.MotoEndpointEnv+")")
	fs.Parse(args)
	if s, err := running(); err == nil {
		return fmt.Errorf("already running (pid %d) at %s; stop it with Ctrl-C where it runs", s.PID, s.URL)
	}
	// Say at once when the port is taken, not after moto and the builds.
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		return fmt.Errorf("port %d is not free (%v): run with -port <another port> (make local: PORT=<another port>)", *port, errors.Unwrap(err))
	}
	l.Close()
	if err := os.MkdirAll(filepath.Dir(stateFile), 0o700); err != nil {
		return err
	}
	logFile, err := os.Create(*logs)
	if err != nil {
		return err
	}
	defer logFile.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts.Assembly, opts.Port, opts.Logs = *assembly, *port, logFile
	env, err := localapi.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer env.Close()
	key, err := env.APIKey()
	if err != nil {
		return err
	}
	s := state{PID: os.Getpid(), URL: env.URL, IdentityURL: env.Identity.URL, APIKey: key}
	for _, c := range env.Identity.Clients {
		if c.Secret != "" {
			s.ClientID, s.ClientSecret, s.Scopes = c.ID, c.Secret, c.Scopes
		}
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	if err := os.WriteFile(stateFile, b, 0o600); err != nil {
		return err
	}
	defer os.Remove(stateFile)
	fmt.Printf(`
  Local API     %s  (stage routes without the stage prefix)
  Identity      %s/oauth2/token  (client credentials: %s)
  Local AWS     %s  (moto)
  Logs          %s

  Try it:
    curl -H "Authorization: Bearer $(%[6]s token)" -H "X-Api-Key: $(%[6]s apikey)" %[1]s%[7]s

  %[6]s token [-scopes ...]   an access token (scopes: %[8]s)
  %[6]s apikey                the API key
  %[6]s events                the latest events at each rule target
  Not run locally: %[9]s.
  Ctrl-C stops everything.
`, env.URL, env.Identity.URL, s.ClientID, env.Moto, *logs, *self, firstPath(env), strings.Join(s.Scopes, " "), strings.Join(localapi.Skipped, "; "))
	<-ctx.Done()
	fmt.Println("\nlocal: stopping")
	return nil
}

// firstPath is a GET path of the API for the banner's example.
func firstPath(env *localapi.Env) string {
	paths := env.Gateway.Paths("GET")
	if len(paths) == 0 {
		return "/"
	}
	return paths[0]
}

// notRunning says how to start the local API, in this repository and in
// another module.
const notRunning = "the local API is not running: start it with `make local` here, or `go run github.com/acme/customers-api/tools/local serve -assembly cdk.out` in another module"

// running reads the state of a live serve.
func running() (state, error) {
	var s state
	b, err := os.ReadFile(stateFile)
	if err != nil {
		return s, errors.New(notRunning)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, err
	}
	if syscall.Kill(s.PID, 0) != nil {
		os.Remove(stateFile)
		return s, errors.New(notRunning + " (stale state removed)")
	}
	return s, nil
}

func token(args []string) error {
	fs := flag.NewFlagSet("token", flag.ExitOnError)
	scopes := fs.String("scopes", "", "space- or comma-separated scopes; empty for every scope of the client")
	fs.Parse(args)
	s, err := running()
	if err != nil {
		return err
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {strings.Join(strings.FieldsFunc(*scopes, func(r rune) bool { return r == ',' || r == ' ' }), " ")}}
	req, _ := http.NewRequest(http.MethodPost, s.IdentityURL+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.ClientID, s.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken      string `json:"access_token"`
		ErrorDescription string `json:"error_description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		return fmt.Errorf("token endpoint: %s %s", resp.Status, out.ErrorDescription)
	}
	fmt.Println(out.AccessToken)
	return nil
}

func printEvents() error {
	s, err := running()
	if err != nil {
		return err
	}
	resp, err := http.Get(s.IdentityURL + "/local/events")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var events map[string][]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&events); err != nil {
		return err
	}
	rules := make([]string, 0, len(events))
	for r := range events {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	enc := json.NewEncoder(os.Stdout)
	for _, r := range rules {
		latest := events[r][max(0, len(events[r])-10):]
		for _, e := range latest {
			enc.Encode(struct {
				Target string          `json:"target"`
				Event  json.RawMessage `json:"event"`
			}{r, e})
		}
	}
	return nil
}
