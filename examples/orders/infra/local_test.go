package infra_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme/customers-api/cdktest"
	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/localapi"
)

// The local gateway is generic: another team's template, built with the
// same constructs, runs locally with its own routes, scopes, key, model and
// handlers.
func TestTheOrdersAPIRunsLocallyFromItsTemplate(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Orders-dev.template.json"), cdktest.Template(newStack(t).Stack), 0o600); err != nil {
		t.Fatal(err)
	}
	// This repository's emulator and moto; a consumer in its own module
	// sets LOCALAPI_RIE and LOCALAPI_PYTHON instead (see localapi).
	rie, python, err := testenv.LocalTools()
	if err != nil {
		t.Fatal(err)
	}
	env, err := localapi.Start(context.Background(), localapi.Options{Assembly: dir, RIE: rie, Python: python})
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
	for _, tc := range []struct {
		name             string
		resp             localapi.Response
		status           int
		errorFromGateway bool
	}{
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
