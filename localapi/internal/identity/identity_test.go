package identity

import (
	"github.com/acme/customers-api/localapi/internal/template/templatetest"

	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// newServer reads a pool with a machine client (client credentials,
// items/read and items/write) and a web client (code flow).
func newServer(t *testing.T) *Server {
	t.Helper()
	a := templatetest.Load(t, `{"Resources": {
	  "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {}},
	  "Machine": {"Type": "AWS::Cognito::UserPoolClient", "Properties": {"UserPoolId": {"Ref": "Pool"}, "ClientName": "machine",
	    "GenerateSecret": true, "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["items/read", "items/write"]}},
	  "Web": {"Type": "AWS::Cognito::UserPoolClient", "Properties": {"UserPoolId": {"Ref": "Pool"}, "ClientName": "web",
	    "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"]}}
	}}`)
	s, err := New(a)
	if err != nil {
		t.Fatal(err)
	}
	s.URL = "http://127.0.0.1:9"
	return s
}

// verify checks a token's signature against the server's JWKS, as the
// gateway does, and returns its claims.
func verify(t *testing.T, s *Server, raw string) map[string]any {
	t.Helper()
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{}
	if err := tok.Claims(s.JWKS(), &claims); err != nil {
		t.Fatalf("the token does not verify against the JWKS: %v", err)
	}
	return claims
}

func TestAClientCredentialsTokenIsSignedForThePoolWithTheScopesAsked(t *testing.T) {
	s := newServer(t)
	raw, err := s.Token(TokenRequest{Scopes: []string{"items/read"}})
	if err != nil {
		t.Fatal(err)
	}
	c := verify(t, s, raw)
	var machine *Client
	for _, cl := range s.Clients {
		if cl.Name == "machine" {
			machine = cl
		}
	}
	if machine == nil || machine.Secret == "" {
		t.Fatalf("the machine client has no generated secret: %+v", machine)
	}
	want := map[string]any{"iss": s.Issuer(machine.Pool), "token_use": "access", "scope": "items/read", "client_id": machine.ID, "sub": machine.ID}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("claim %s = %v, want %v", k, c[k], v)
		}
	}
	if !strings.HasPrefix(s.Issuer(machine.Pool), s.URL+"/") {
		t.Errorf("issuer %s is not under the server's URL", s.Issuer(machine.Pool))
	}
}

func TestATokenIsRefusedForAScopeOrClientTheTemplatesDoNotAllow(t *testing.T) {
	s := newServer(t)
	for name, req := range map[string]TokenRequest{
		"scope not allowed": {Scopes: []string{"items/delete"}},
		"unknown client":    {Client: "nobody"},
		"unknown token use": {Use: "refresh"},
	} {
		if tok, err := s.Token(req); err == nil {
			t.Errorf("%s: issued %s", name, tok)
		}
	}
}

func TestAUserIdTokenNamesTheUserAndTheWebClient(t *testing.T) {
	s := newServer(t)
	raw, err := s.Token(TokenRequest{User: "ada", Use: "id", ExpiresIn: -time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c := verify(t, s, raw)
	if c["cognito:username"] != "ada" || c["token_use"] != "id" || c["email"] != "ada" {
		t.Errorf("claims = %v, want ada's id token", c)
	}
	if exp, _ := c["exp"].(float64); int64(exp) >= time.Now().Unix() {
		t.Errorf("exp %v is not in the past for a negative ExpiresIn", exp)
	}
	for _, cl := range s.Clients {
		if cl.Name == "web" && c["aud"] != cl.ID {
			t.Errorf("aud = %v, want the web client %s (the only one with the code flow)", c["aud"], cl.ID)
		}
	}
}
