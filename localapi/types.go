package localapi

import (
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/go-jose/go-jose/v4"

	"github.com/acme/customers-api/localapi/internal/gateway"
	"github.com/acme/customers-api/localapi/internal/identity"
)

// The types below are the public face of the internal packages: defined
// here, not aliased, so that `make apicheck` sees every change to them
// (apidiff does not follow an alias into an internal package). Client and
// TokenRequest repeat identity's fields; the conversions Client(*c) and
// identity.TokenRequest(req) stop compiling the moment the two differ.

// Identity is the local stand-in for each Cognito user pool of the
// templates: it signs Cognito-shaped tokens with a local RSA key and serves
// that key as the pool's JWKS at <issuer>/.well-known/jwks.json, which the
// gateway fetches as API Gateway fetches Cognito's.
type Identity struct {
	// URL is where the identity server listens, e.g. http://127.0.0.1:3001.
	URL string
	// Clients are the app clients of every pool, by client id.
	Clients map[string]*Client
	srv     *identity.Server
}

// Client is a Cognito app client of the templates.
type Client struct {
	ID, Name, Pool string
	// Secret is generated at start for clients with GenerateSecret.
	Secret string
	// Flows are the allowed OAuth flows ("client_credentials", "code").
	Flows []string
	// Scopes are the allowed OAuth scopes.
	Scopes []string
}

// TokenRequest describes a token to issue.
type TokenRequest struct {
	// Client is the client id; empty picks the first client allowed the
	// flow (the machine client for a client-credentials token).
	Client string
	// User is the user name of a user token; empty issues a
	// client-credentials token.
	User string
	// Scopes narrows the token to these scopes; empty grants every scope
	// the client is allowed.
	Scopes []string
	// Use is the token_use: "access" (the default) or "id".
	Use string
	// ExpiresIn is the lifetime; zero means an hour, negative issues a
	// token that has already expired.
	ExpiresIn time.Duration
}

func newIdentity(srv *identity.Server) *Identity {
	id := &Identity{URL: srv.URL, Clients: map[string]*Client{}, srv: srv}
	for k, c := range srv.Clients {
		pub := Client(*c)
		id.Clients[k] = &pub
	}
	return id
}

// Issuer is the iss claim of the local pool with this id.
func (id *Identity) Issuer(pool string) string { return id.srv.Issuer(pool) }

// JWKS is the pool's key set, as Cognito publishes it.
func (id *Identity) JWKS() jose.JSONWebKeySet { return id.srv.JWKS() }

// Token issues a signed token as Cognito would: for a client-credentials
// access token sub and client_id are the client id; a user token carries
// the user's sub, username and, for an id token, email and aud. It fails
// on a client or scope the templates do not have.
func (id *Identity) Token(req TokenRequest) (string, error) {
	return id.srv.Token(identity.TokenRequest(req))
}

// ServeHTTP serves the JWKS of each pool and the token endpoint,
// POST /oauth2/token: grant_type=client_credentials with the client's id
// and secret (HTTP Basic or form), as Cognito's; and, a local extension,
// grant_type=password with username, for a user's access and id tokens.
func (id *Identity) ServeHTTP(w http.ResponseWriter, r *http.Request) { id.srv.ServeHTTP(w, r) }

// Gateway serves the REST API stage of the templates as API Gateway does.
type Gateway struct {
	g *gateway.Gateway
}

// APIKeys returns the value of each API key bound to the stage by a usage
// plan, by key name.
func (g *Gateway) APIKeys() map[string]string { return g.g.APIKeys() }

// Paths returns the resource paths that have a method for verb, sorted.
func (g *Gateway) Paths(verb string) []string { return g.g.Paths(verb) }

// Credentials returns the access key the gateway accepts for the IAM role
// with this logical id, role name or ARN: sign requests to IAM-authorized
// (AWS_IAM) methods with it, for the service execute-api in the templates'
// region. The role's identity-based policies in the templates decide what
// it may invoke. There is no STS: the key stands for the role itself. It
// fails for a role the templates lack, or when no method is AWS_IAM.
func (g *Gateway) Credentials(role string) (aws.Credentials, error) { return g.g.Credentials(role) }

// ServeHTTP runs a request through API Gateway's steps in order: route,
// authorizer, API key, usage plan quota and throttles, stage throttle,
// request validator, integration.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.g.ServeHTTP(w, r) }
