package gateway

import (
	"github.com/acme/customers-api/localapi/internal/identity"

	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The token endpoint, over HTTP as `make local-token` and clients use it.
func TestTheTokenEndpointIssuesTokensTheGatewayAccepts(t *testing.T) {
	srv, id := newTestGateway(t)
	var machine *identity.Client
	for _, c := range id.Clients {
		if c.Secret != "" {
			machine = c
		}
	}
	request := func(form url.Values, user, password string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", id.URL+"/oauth2/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out := map[string]any{}
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	status, out := request(url.Values{"grant_type": {"client_credentials"}, "scope": {"items/write"}}, machine.ID, machine.Secret)
	access, _ := out["access_token"].(string)
	if status != 200 || access == "" {
		t.Fatalf("client credentials: %d %v", status, out)
	}
	if code, _, body := (call{"POST", "/items", `{"n":1}`, map[string]string{"Authorization": "Bearer " + access, "Content-Type": "application/json"}}).do(t, srv); code != 200 {
		t.Errorf("the gateway refused the endpoint's token: %d %s", code, body)
	}
	for name, tc := range map[string]struct {
		form           url.Values
		user, password string
		want           string
	}{
		"wrong secret":          {url.Values{"grant_type": {"client_credentials"}}, machine.ID, "wrong", "invalid_client"},
		"scope not allowed":     {url.Values{"grant_type": {"client_credentials"}, "scope": {"admin/all"}}, machine.ID, machine.Secret, "invalid_scope"},
		"unknown grant":         {url.Values{"grant_type": {"implicit"}}, machine.ID, machine.Secret, "unsupported_grant_type"},
		"password without user": {url.Values{"grant_type": {"password"}}, "", "", "invalid_request"},
	} {
		if status, out := request(tc.form, tc.user, tc.password); status != 400 || out["error"] != tc.want {
			t.Errorf("%s: %d %v, want 400 %s", name, status, out, tc.want)
		}
	}
	status, out = request(url.Values{"grant_type": {"password"}, "username": {"ada@example.com"}}, "", "")
	idToken, _ := out["id_token"].(string)
	if status != 200 || idToken == "" || out["access_token"] == "" {
		t.Fatalf("user tokens: %d %v", status, out)
	}
	if code, _, body := (call{"GET", "/items/7", "", map[string]string{"Authorization": idToken}}).do(t, srv); code != 200 || !strings.Contains(body, `"email":"ada@example.com"`) {
		t.Errorf("the gateway refused the user's id token: %d %s", code, body)
	}
}
