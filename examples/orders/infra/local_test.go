package infra_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/acme/customers-api/cdktest"
	"github.com/acme/customers-api/examples/orders/infra"
	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/localapi"
)

// The local gateway is generic: another team's template, built with the
// same constructs, runs locally with its own routes, scopes, key, model and
// handlers, its Lambda authorizer (under the emulator, as the handlers)
// and its IAM-authorized route (SigV4 checked, the caller's policies
// evaluated).
func TestTheOrdersAPIRunsLocallyFromItsTemplate(t *testing.T) {
	dir := t.TempDir()
	stack := newStack(t)
	if err := os.WriteFile(filepath.Join(dir, "Orders-dev.template.json"), cdktest.Template(stack.Stack), 0o600); err != nil {
		t.Fatal(err)
	}
	// This repository's emulator and moto; a consumer in its own module
	// sets LOCALAPI_RIE and LOCALAPI_PYTHON instead (see localapi).
	rie, python, err := testenv.LocalTools()
	if err != nil {
		t.Fatal(err)
	}
	env, err := localapi.Start(context.Background(), localapi.Options{Assembly: dir, RIE: rie, Python: python, Account: "111111111111"})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	token, err := env.Token(localapi.TokenRequest{})
	if err != nil {
		t.Fatal(err)
	}
	readOnly, _ := env.Token(localapi.TokenRequest{Scopes: []string{"orders/read"}})
	key, _ := env.APIKey()
	call := func(method, path, body, bearer, apiKey string) localapi.Response {
		t.Helper()
		resp, err := env.Call(method, path, body, "Content-Type", "application/json", "Authorization", "Bearer "+bearer, "X-Api-Key", apiKey)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	order := `{"customerId":"CUST-01JDZ8Q6ZV5X3B9N2M4K7T1R0A","items":[{"sku":"BOOK-1","quantity":2}]}`
	created := call("POST", "/orders", order, token, key)
	if created.Status != 201 {
		t.Fatalf("create = %s", created)
	}
	var o struct{ OrderID string }
	created.Decode(&o)
	if got := call("GET", "/orders/"+o.OrderID, "", readOnly, key); got.Status != 200 || !strings.Contains(string(got.Body), "BOOK-1") {
		t.Errorf("get = %s", got)
	}
	orderPath := "/orders/" + o.OrderID
	partner := func(token string) localapi.Response {
		return call("GET", "/partner"+orderPath, "", token, key)
	}
	// without sends a request with an API key and no Authorization.
	without := func(path string) localapi.Response {
		resp, err := env.Call("GET", path, "", "X-Api-Key", key)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	logicalID := func(role awsiam.IRole) string {
		return *stack.GetLogicalId(role.Node().DefaultChild().(awscdk.CfnElement))
	}
	shipping, err := env.Gateway.Credentials(logicalID(stack.Shipping))
	if err != nil {
		t.Fatal(err)
	}
	// The service-get function's own role: in the templates, not granted.
	functionRole, err := env.Gateway.Credentials(logicalID(stack.Orders.Functions["service-get"].Role))
	if err != nil {
		t.Fatal(err)
	}
	signed := func(creds aws.Credentials, method, path string, tamper func(*http.Request)) localapi.Response {
		t.Helper()
		req, _ := http.NewRequest(method, env.URL+path, nil)
		req.Header.Set("X-Api-Key", key)
		empty := sha256.Sum256(nil)
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(empty[:]), "execute-api", "eu-west-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		if tamper != nil {
			tamper(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return localapi.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
	}
	// The partner route answers a partner's token through the Lambda
	// authorizer, which passes the partner to the handler; the service
	// route answers the shipping role's signed request.
	for name, resp := range map[string]localapi.Response{
		"partner token":         partner(infra.DevPartners["acme"]),
		"shipping role, signed": signed(shipping, "GET", "/internal"+orderPath, nil),
	} {
		if resp.Status != 200 || !strings.Contains(string(resp.Body), "BOOK-1") {
			t.Errorf("%s: %s, want 200 with the order", name, resp)
		}
	}
	for _, tc := range []struct {
		name             string
		resp             localapi.Response
		status           int
		errorFromGateway bool
	}{
		{"partner route without Authorization (no call to the authorizer)", without("/partner" + orderPath), 401, true},
		{"partner route, unknown token (the authorizer says Unauthorized)", partner("not-a-partner"), 401, true},
		{"partner route, a Cognito token", partner(token), 401, true},
		{"partner route, suspended partner (the policy denies)", partner(infra.DevPartners["globex"]), 403, true},
		{"service route unsigned (Missing Authentication Token, rendered 404)", without("/internal" + orderPath), 404, true},
		{"service route, a partner token instead of a signature", call("GET", "/internal"+orderPath, "", infra.DevPartners["acme"], key), 403, true},
		{"service route, signature of another path", signed(shipping, "GET", "/internal"+orderPath, func(r *http.Request) { r.URL.Path += "X" }), 403, true},
		{"service route, signed with a wrong secret", signed(aws.Credentials{AccessKeyID: shipping.AccessKeyID, SecretAccessKey: "wrong"}, "GET", "/internal"+orderPath, nil), 403, true},
		{"service route, unknown access key", signed(aws.Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "x"}, "GET", "/internal"+orderPath, nil), 403, true},
		{"service route, a role without the grant", signed(functionRole, "GET", "/internal"+orderPath, nil), 403, true},
		{"shipping role on the Cognito route", signed(shipping, "GET", orderPath, nil), 401, true},
		{"no token", call("POST", "/orders", order, "", key), 401, true},
		{"read scope writing", call("POST", "/orders", order, readOnly, key), 401, true},
		{"no API key", call("POST", "/orders", order, token, ""), 403, true},
		{"body against the model", call("POST", "/orders", `{"customerId":"CUST-1","items":[]}`, token, key), 400, true},
		{"unknown route", call("GET", "/customers", "", token, key), 404, true},
		{"unknown order", call("GET", "/orders/ORD-01JDZ8Q6ZV5X3B9N2M4K7T1R0A", "", token, key), 404, false},
	} {
		if tc.resp.Status != tc.status || (tc.resp.Header.Get("X-Amzn-Errortype") != "") != tc.errorFromGateway {
			t.Errorf("%s: %s (x-amzn-ErrorType %q), want %d from the gateway: %v", tc.name, tc.resp, tc.resp.Header.Get("X-Amzn-Errortype"), tc.status, tc.errorFromGateway)
		}
	}
}
