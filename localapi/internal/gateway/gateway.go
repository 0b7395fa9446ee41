package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/acme/customers-api/localapi/internal/identity"
	"github.com/acme/customers-api/localapi/internal/template"
)

// Gateway serves one REST API stage of the templates as API Gateway does.
type Gateway struct {
	assembly       *template.Assembly
	identity       *identity.Server
	opts           Options
	invoke         Invoke
	apiID, stage   string
	root           *node
	responses      map[string]gatewayResponse
	keys           map[string]*apiKey // by value
	stageThrottles map[string]throttle
	limits         *limits
	accessLog      string
	authorizers    map[string]*lambdaAuthorizer // by resource key
	callers        map[string]*caller           // IAM callers by access key id

	jwksMu sync.Mutex
	jwks   map[string]*jose.JSONWebKeySet // by issuer
}

// Options configure New.
type Options struct {
	// Logs receives the access log and the gateway's own messages; nil
	// discards them.
	Logs io.Writer
	// Quotas replaces the quota limit of usage plans, by plan name.
	Quotas map[string]int
}

// Invoke calls a function, by its unqualified ARN, with an event and
// returns its response payload; an error is a function error, or ctx's.
type Invoke func(ctx context.Context, function string, event any) ([]byte, error)

// New reads the one REST API of the templates and its stage: resources,
// methods, authorizers, models, validators, API keys, usage plans,
// throttles and gateway responses. The identity server issues the tokens
// its Cognito authorizers accept; invoke runs its Lambda integrations. A
// resource type, property or integration it does not model is an error.
func New(a *template.Assembly, id *identity.Server, opts Options, invoke Invoke) (*Gateway, error) {
	apis := a.Resources("AWS::ApiGateway::RestApi")
	if len(apis) != 1 {
		return nil, fmt.Errorf("localapi: the templates define %d REST APIs; the local gateway serves exactly one", len(apis))
	}
	api := apis[0]
	if opts.Logs == nil {
		opts.Logs = io.Discard
	}
	var stage template.Resource
	for _, s := range a.Resources("AWS::ApiGateway::Stage") {
		if owner, ok := a.Lookup(s.Stack, s.Properties["RestApiId"]); ok && owner.Key() == api.Key() {
			stage = s
		}
	}
	if stage.LogicalID == "" {
		return nil, fmt.Errorf("localapi: REST API %s has no stage", api.LogicalID)
	}
	g := &Gateway{assembly: a, identity: id, opts: opts, invoke: invoke,
		limits: newLimits(), jwks: map[string]*jose.JSONWebKeySet{}, authorizers: map[string]*lambdaAuthorizer{}}
	// The API's id is the one its Ref resolves to, so that execute-api
	// ARNs match the templates' IAM policies.
	var err error
	if g.apiID, err = a.Ref(api); err != nil {
		return nil, err
	}
	g.stage, _ = stage.Properties["StageName"].(string)
	if als, ok := stage.Properties["AccessLogSetting"].(map[string]any); ok {
		g.accessLog, _ = als["Format"].(string)
	}
	g.loadResponses(api)
	if err := errors.Join(g.loadRoutes(api), g.loadKeys(api, stage), g.loadStageThrottles(stage)); err != nil {
		return nil, err
	}
	return g, nil
}

// APIKeys returns the value of each API key bound to the stage by a usage
// plan, by key name.
func (g *Gateway) APIKeys() map[string]string {
	out := map[string]string{}
	for v, k := range g.keys {
		if len(k.plans) > 0 && k.enabled {
			out[k.name] = v
		}
	}
	return out
}

// requestContext is what API Gateway knows about a request; its fields
// feed the proxy event, the gateway responses and the access log.
type requestContext struct {
	requestID, path, verb, resourcePath, sourceIP, userAgent string
	apiKey, apiKeyID                                         string
	claims                                                   map[string]string
	authorizer                                               map[string]any // a Lambda authorizer's principalId and context
	caller                                                   *caller        // the IAM caller
	errorType, errorMessage, validationError                 string
	status                                                   int
	start                                                    time.Time
	integrationLatency                                       time.Duration
	stage, apiID                                             string
}

func (rc *requestContext) variable(name string) string {
	switch name {
	case "requestId", "extendedRequestId":
		return rc.requestID
	case "error.message":
		return rc.errorMessage
	case "error.messageString":
		b, _ := json.Marshal(rc.errorMessage)
		return string(b)
	case "error.responseType":
		return rc.errorType
	case "error.validationErrorString":
		return rc.validationError
	case "resourcePath":
		return rc.resourcePath
	case "httpMethod":
		return rc.verb
	case "path":
		return "/" + rc.stage + rc.path
	case "stage":
		return rc.stage
	case "apiId":
		return rc.apiID
	case "identity.sourceIp":
		return rc.sourceIP
	case "identity.userAgent":
		return rc.userAgent
	case "identity.apiKey":
		return rc.apiKey
	case "identity.apiKeyId":
		return rc.apiKeyID
	case "protocol":
		return "HTTP/1.1"
	case "status":
		return strconv.Itoa(rc.status)
	case "requestTime":
		return rc.start.UTC().Format("02/Jan/2006:15:04:05 -0700")
	case "requestTimeEpoch":
		return strconv.FormatInt(rc.start.UnixMilli(), 10)
	case "responseLatency":
		return strconv.FormatInt(time.Since(rc.start).Milliseconds(), 10)
	case "integrationLatency":
		return strconv.FormatInt(rc.integrationLatency.Milliseconds(), 10)
	}
	if claim, ok := strings.CutPrefix(name, "authorizer.claims."); ok {
		return rc.claims[claim]
	}
	return ""
}

// ServeHTTP runs a request through API Gateway's steps in order: route,
// authorizer, API key, usage plan quota and throttles, stage throttle,
// request validator, integration.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc := &requestContext{requestID: newRequestID(), path: r.URL.Path, verb: r.Method, userAgent: r.UserAgent(),
		start: time.Now(), stage: g.stage, apiID: g.apiID}
	rc.sourceIP, _, _ = net.SplitHostPort(r.RemoteAddr)
	defer g.logAccess(rc)
	rec := &statusRecorder{ResponseWriter: w}
	w = rec
	defer func() { rc.status = rec.status }()

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBodyBytes))
	if err != nil {
		g.fail(w, rc, requestTooLarge, "")
		return
	}
	n, m, params, found := g.route(r.Method, r.URL.Path)
	if !found || m == nil {
		g.fail(w, rc, missingAuthToken, "")
		return
	}
	rc.resourcePath = n.path
	if typ, msg := g.authorizeCaller(r, rc, m, params, body); typ != "" {
		g.fail(w, rc, typ, msg)
		return
	}
	if m.apiKeyRequired {
		rc.apiKey = r.Header.Get("X-Api-Key")
		k, ok := g.keys[rc.apiKey]
		if !ok || !k.enabled || len(k.plans) == 0 {
			g.fail(w, rc, invalidAPIKey, "")
			return
		}
		rc.apiKeyID = k.id
		if typ := g.limits.admit(k, m, rc.start); typ != "" {
			g.fail(w, rc, typ, "")
			return
		}
	}
	if !g.admitStage(m, rc.start) {
		g.fail(w, rc, throttled, "")
		return
	}
	if typ, msg, detail := validate(m, r, body); typ != "" {
		rc.validationError = detail
		g.fail(w, rc, typ, msg)
		return
	}
	switch m.integration {
	case "MOCK":
		// A MOCK integration answers with its default integration response:
		// status, literal header mappings and the mapping template's body
		// ("Set up mock integrations", API Gateway developer guide).
		for k, v := range m.mock.headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("x-amzn-RequestId", rc.requestID)
		w.WriteHeader(m.mock.status)
		w.Write([]byte(rc.render(m.mock.body, func(v string) string { return v })))
	case "AWS_PROXY":
		g.proxy(w, r, rc, m, params, body)
	}
}

// authorize checks a Cognito user pool token as API Gateway does: a
// signature by a key of the issuer's JWKS, the issuer, expiry and, with
// method scopes, an access token holding one of them; without scopes, an
// id token. It returns the claims, every value a string, or the gateway
// response type and message that refuse the request.
func (g *Gateway) authorize(header string, m *method) (map[string]string, string, string) {
	raw := strings.TrimSpace(header)
	if after, ok := strings.CutPrefix(raw, "Bearer "); ok {
		raw = strings.TrimSpace(after)
	}
	if raw == "" {
		return nil, unauthorized, ""
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, unauthorized, ""
	}
	var unverified struct {
		Iss string `json:"iss"` // go-jose matches names exactly
	}
	if tok.UnsafeClaimsWithoutVerification(&unverified) != nil || !slices.Contains(m.issuers, unverified.Iss) {
		return nil, unauthorized, ""
	}
	keys, err := g.keySet(unverified.Iss)
	if err != nil {
		return nil, unauthorized, ""
	}
	var std jwt.Claims
	claims := map[string]any{}
	if err := tok.Claims(keys, &std, &claims); err != nil {
		return nil, unauthorized, ""
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: unverified.Iss, Time: time.Now()}, 0); err != nil {
		if errors.Is(err, jwt.ErrExpired) {
			return nil, unauthorized, "The incoming token has expired"
		}
		return nil, unauthorized, ""
	}
	use, _ := claims["token_use"].(string)
	if len(m.scopes) == 0 {
		if use != "id" {
			return nil, unauthorized, ""
		}
	} else {
		scope, _ := claims["scope"].(string)
		granted := strings.Fields(scope)
		if use != "access" || !slices.ContainsFunc(m.scopes, func(s string) bool { return slices.Contains(granted, s) }) {
			return nil, unauthorized, ""
		}
	}
	out := map[string]string{}
	for k, v := range claims {
		out[k] = claimString(k, v)
	}
	return out, "", ""
}

// claimString renders a claim as API Gateway passes it to the integration:
// exp, iat and auth_time as dates, other numbers in decimal, lists in
// brackets.
func claimString(name string, v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		if name == "exp" || name == "iat" || name == "auth_time" {
			return time.Unix(int64(v), 0).UTC().Format("Mon Jan 02 15:04:05 UTC 2006")
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = fmt.Sprint(p)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprint(v)
}

// keySet fetches the issuer's JWKS over HTTP once.
func (g *Gateway) keySet(issuer string) (*jose.JSONWebKeySet, error) {
	g.jwksMu.Lock()
	defer g.jwksMu.Unlock()
	if ks, ok := g.jwks[issuer]; ok {
		return ks, nil
	}
	resp, err := http.Get(issuer + "/.well-known/jwks.json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("JWKS of %s: %s", issuer, resp.Status)
	}
	ks := &jose.JSONWebKeySet{}
	if err := json.NewDecoder(resp.Body).Decode(ks); err != nil {
		return nil, err
	}
	g.jwks[issuer] = ks
	return ks, nil
}

// logAccess writes the stage's access log line, rendered from the
// template's format.
func (g *Gateway) logAccess(rc *requestContext) {
	if g.accessLog == "" {
		return
	}
	// The format is JSON with the variables inside strings.
	line := rc.render(g.accessLog, func(v string) string {
		s, _ := json.Marshal(v)
		return string(bytes.Trim(s, `"`))
	})
	fmt.Fprintln(g.opts.Logs, line)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func newRequestID() string {
	b := []byte(template.RandomString(32))
	const hex = "0123456789abcdef"
	for i := range b {
		b[i] = hex[int(b[i])%16]
	}
	s := string(b)
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
