// Package identity is the local stand-in for the Cognito user pools of the
// templates: their app clients, Cognito-shaped tokens signed with a local
// key, each pool's JWKS, and the OAuth 2.0 token endpoint.
package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/acme/customers-api/localapi/internal/template"
)

// Server is the local stand-in for each Cognito user pool of the
// templates: it signs Cognito-shaped tokens with a local RSA key and
// serves that key as the pool's JWKS at <issuer>/.well-known/jwks.json,
// which the gateway fetches as API Gateway fetches Cognito's.
type Server struct {
	// URL is where the identity server listens, e.g. http://127.0.0.1:3001.
	URL string
	key *rsa.PrivateKey
	kid string
	// Clients are the app clients of every pool, by client id.
	Clients map[string]*Client
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

// New reads the app clients of the templates' user pools and makes the
// signing key. Set URL once the server listens.
func New(a *template.Assembly) (*Server, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	id := &Server{key: key, kid: "local-" + template.ShortHash(fmt.Sprint(time.Now().UnixNano())), Clients: map[string]*Client{}}
	for _, r := range a.Resources("AWS::Cognito::UserPoolClient") {
		c := &Client{}
		if c.ID, err = a.Ref(r); err != nil {
			return nil, err
		}
		c.Name, _ = r.Properties["ClientName"].(string)
		if c.Name == "" {
			c.Name = r.LogicalID
		}
		if c.Pool, err = a.String(r.Stack, r.Properties["UserPoolId"]); err != nil {
			return nil, err
		}
		if err := a.Decode(r, "AllowedOAuthFlows", &c.Flows); err != nil {
			return nil, err
		}
		if err := a.Decode(r, "AllowedOAuthScopes", &c.Scopes); err != nil {
			return nil, err
		}
		if secret, _ := r.Properties["GenerateSecret"].(bool); secret {
			c.Secret = template.RandomString(32)
		}
		id.Clients[c.ID] = c
	}
	return id, nil
}

// Issuer is the iss claim of the local pool with this id.
func (id *Server) Issuer(pool string) string { return id.URL + "/" + pool }

// JWKS is the pool's key set, as Cognito publishes it.
func (id *Server) JWKS() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &id.key.PublicKey, KeyID: id.kid, Algorithm: "RS256", Use: "sig"}}}
}

// Token issues a signed token as Cognito would: for a client-credentials
// access token sub and client_id are the client id; a user token carries
// the user's sub, username and, for an id token, email and aud.
func (id *Server) Token(req TokenRequest) (string, error) {
	flow := "client_credentials"
	if req.User != "" {
		flow = "code"
	}
	c, err := id.client(req.Client, flow)
	if err != nil {
		return "", err
	}
	scopes := c.Scopes
	if len(req.Scopes) > 0 {
		for _, s := range req.Scopes {
			if !slices.Contains(c.Scopes, s) {
				return "", fmt.Errorf("localapi: client %s is not allowed scope %q (allowed: %s)", c.Name, s, strings.Join(c.Scopes, " "))
			}
		}
		scopes = req.Scopes
	}
	use := req.Use
	if use == "" {
		use = "access"
	}
	ttl := req.ExpiresIn
	if ttl == 0 {
		ttl = time.Hour
	}
	now := time.Now()
	claims := map[string]any{
		"iss": id.Issuer(c.Pool), "token_use": use, "auth_time": now.Unix(), "iat": now.Unix(),
		"exp": now.Add(ttl).Unix(), "jti": template.RandomString(16), "version": 2,
	}
	if req.User == "" {
		claims["sub"], claims["client_id"] = c.ID, c.ID
	} else {
		claims["sub"] = "local-user-" + template.ShortHash(req.User)
		claims["cognito:username"], claims["username"] = req.User, req.User
		claims["origin_jti"], claims["event_id"] = template.RandomString(16), template.RandomString(16)
	}
	switch use {
	case "access":
		claims["client_id"] = c.ID
		claims["scope"] = strings.Join(scopes, " ")
	case "id":
		claims["aud"], claims["email"], claims["email_verified"] = c.ID, req.User, true
	default:
		return "", fmt.Errorf("localapi: token_use %q: want access or id", use)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: id.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", id.kid))
	if err != nil {
		return "", err
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

func (id *Server) client(want, flow string) (*Client, error) {
	if want != "" {
		if c, ok := id.Clients[want]; ok {
			return c, nil
		}
		for _, c := range id.Clients {
			if c.Name == want {
				return c, nil
			}
		}
		return nil, fmt.Errorf("localapi: no app client %q in the templates", want)
	}
	ids := make([]string, 0, len(id.Clients))
	for k := range id.Clients {
		ids = append(ids, k)
	}
	slices.Sort(ids)
	for _, k := range ids {
		if slices.Contains(id.Clients[k].Flows, flow) {
			return id.Clients[k], nil
		}
	}
	return nil, fmt.Errorf("localapi: no app client of the templates allows the %s flow", flow)
}

// ServeHTTP serves the JWKS of each pool and the token endpoint,
// POST /oauth2/token: grant_type=client_credentials with the client's id
// and secret (HTTP Basic or form), as Cognito's; and, a local extension,
// grant_type=password with username, for a user's access and id tokens.
func (id *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/.well-known/jwks.json") && r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(id.JWKS())
		return
	}
	if r.URL.Path != "/oauth2/token" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	oauthError := func(status int, code string, err error) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": err.Error()})
	}
	if err := r.ParseForm(); err != nil {
		oauthError(http.StatusBadRequest, "invalid_request", err)
		return
	}
	clientID, secret, basic := r.BasicAuth()
	if !basic {
		clientID, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	req := TokenRequest{Client: clientID, Scopes: strings.Fields(r.PostForm.Get("scope"))}
	resp := map[string]any{"token_type": "Bearer", "expires_in": 3600}
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		c, err := id.client(clientID, "client_credentials")
		if err != nil || c.Secret == "" || secret != c.Secret || !slices.Contains(c.Flows, "client_credentials") {
			oauthError(http.StatusBadRequest, "invalid_client", errors.New("unknown client, wrong secret or a client without client credentials"))
			return
		}
	case "password":
		if req.User = r.PostForm.Get("username"); req.User == "" {
			oauthError(http.StatusBadRequest, "invalid_request", errors.New("username is required"))
			return
		}
		idReq := req
		idReq.Use, idReq.Scopes = "id", nil
		token, err := id.Token(idReq)
		if err != nil {
			oauthError(http.StatusBadRequest, "invalid_request", err)
			return
		}
		resp["id_token"] = token
	default:
		oauthError(http.StatusBadRequest, "unsupported_grant_type", errors.New("grant_type must be client_credentials or password"))
		return
	}
	token, err := id.Token(req)
	if err != nil {
		oauthError(http.StatusBadRequest, "invalid_scope", err)
		return
	}
	resp["access_token"] = token
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}
