package infra_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/acme/customers-api/localapi"
)

// The products API on the local gateway: its handlers under the Lambda
// emulator, its table in moto, and each of API Gateway's refusals in front
// of them (README "API Gateway behaviours, locally").
func TestTheLocalGatewayServesTheProductsAPIAndRefusesWhatAPIGatewayRefuses(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Products-dev.template.json"), template, 0o600); err != nil {
		t.Fatal(err)
	}
	// The quota admits the four calls below that pass the authorizer and
	// the key; the fifth is refused.
	env, err := localapi.Start(context.Background(), localapi.Options{Assembly: dir, Quotas: map[string]int{"products-dev-partners": 4}})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	writer, err := env.Token(localapi.TokenRequest{})
	if err != nil {
		t.Fatal(err)
	}
	reader, err := env.Token(localapi.TokenRequest{Scopes: []string{"products/read"}})
	if err != nil {
		t.Fatal(err)
	}
	key, err := env.APIKey()
	if err != nil {
		t.Fatal(err)
	}
	const product = `{"sku":"LAMP-01","name":"Desk lamp","priceCents":2999}`
	for _, step := range []struct {
		name, method, path, body, token, key string
		status                               int
		// fromGateway: API Gateway refused the call (x-amzn-ErrorType),
		// not the handler.
		fromGateway bool
	}{
		{"no token", "POST", "/products", product, "", key, 401, true},
		{"a token without products/write", "POST", "/products", product, reader, key, 401, true},
		{"no API key", "POST", "/products", product, writer, "", 403, true},
		{"create", "POST", "/products", product, writer, key, 201, false},
		{"read it back", "GET", "/products/LAMP-01", "", reader, key, 200, false},
		{"create it again", "POST", "/products", product, writer, key, 409, false},
		{"a body the model refuses", "POST", "/products", `{"sku":"x","name":"","priceCents":-1}`, writer, key, 400, true},
		{"over the plan's quota", "GET", "/products/LAMP-01", "", reader, key, 429, true},
	} {
		resp, err := env.Call(step.method, step.path, step.body, "Content-Type", "application/json", "Authorization", "Bearer "+step.token, "X-Api-Key", step.key)
		if err != nil {
			t.Fatal(err)
		}
		if fromGateway := resp.Header.Get("X-Amzn-Errortype") != ""; resp.Status != step.status || fromGateway != step.fromGateway {
			t.Errorf("%s: %s (x-amzn-ErrorType %q); want %d, from the gateway: %v", step.name, resp, resp.Header.Get("X-Amzn-Errortype"), step.status, step.fromGateway)
		}
	}
}
