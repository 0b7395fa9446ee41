package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/acme/customers-api/cdktest/policysim"
	"github.com/acme/customers-api/localapi/internal/template"
)

// Gateway response types of the Lambda and IAM authorizers ("Gateway
// response types for API Gateway", developer guide).
const (
	authorizerConfigurationError = "AUTHORIZER_CONFIGURATION_ERROR"
	invalidSignature             = "INVALID_SIGNATURE"
)

// lambdaAuthorizer is an AWS::ApiGateway::Authorizer of type TOKEN or
// REQUEST, run under the emulator as the handlers are.
type lambdaAuthorizer struct {
	typ, function string
	sources       []string // identity sources, e.g. method.request.header.Authorization
	ttl           time.Duration
	validation    *regexp.Regexp // TOKEN's IdentityValidationExpression

	mu    sync.Mutex
	cache map[string]cachedAuthorization // by identity-source values
}

// authorization is what a Lambda authorizer answered.
type authorization struct {
	principalID string
	policy      *policysim.Policy
	context     map[string]string
}

type cachedAuthorization struct {
	authorization
	expires time.Time
}

// authorizerProperties are the AWS::ApiGateway::Authorizer properties the
// gateway models; any other (AuthorizerCredentials, ProviderARNs on a
// Lambda authorizer, ...) is an error.
var authorizerProperties = []string{"Type", "Name", "RestApiId", "AuthorizerUri", "IdentitySource", "AuthorizerResultTtlInSeconds", "IdentityValidationExpression"}

// loadAuthorizer reads the Lambda authorizer a method's AuthorizerId names
// (AWS::ApiGateway::Authorizer, CloudFormation User Guide), once per
// authorizer.
func (g *Gateway) loadAuthorizer(stack string, ref any) (*lambdaAuthorizer, error) {
	a := g.assembly
	r, ok := a.Lookup(stack, ref)
	if !ok {
		return nil, errors.New("authorizer not in the template")
	}
	if la, ok := g.authorizers[r.Key()]; ok {
		return la, nil
	}
	for k := range r.Properties {
		if !slices.Contains(authorizerProperties, k) {
			return nil, fmt.Errorf("authorizer %s: property %s is not modelled", r.LogicalID, k)
		}
	}
	la := &lambdaAuthorizer{ttl: 300 * time.Second, cache: map[string]cachedAuthorization{}}
	la.typ, _ = r.Properties["Type"].(string)
	if la.typ != "TOKEN" && la.typ != "REQUEST" {
		return nil, fmt.Errorf("authorizer %s: type %q is not a Lambda authorizer", r.LogicalID, la.typ)
	}
	uri, err := a.String(r.Stack, r.Properties["AuthorizerUri"])
	if err != nil {
		return nil, err
	}
	if la.function, err = lambdaFunctionOf(uri); err != nil {
		return nil, fmt.Errorf("authorizer %s: %w", r.LogicalID, err)
	}
	// AuthorizerResultTtlInSeconds: 0 disables caching; absent, API
	// Gateway's default is 300 seconds.
	if ttl, ok := r.Properties["AuthorizerResultTtlInSeconds"].(float64); ok {
		la.ttl = time.Duration(ttl) * time.Second
	}
	if src, _ := r.Properties["IdentitySource"].(string); src != "" {
		for _, s := range strings.Split(src, ",") {
			s = strings.TrimSpace(s)
			if !strings.HasPrefix(s, "method.request.header.") && !strings.HasPrefix(s, "method.request.querystring.") && !strings.HasPrefix(s, "context.") {
				return nil, fmt.Errorf("authorizer %s: identity source %s is not modelled", r.LogicalID, s)
			}
			la.sources = append(la.sources, s)
		}
	}
	if la.typ == "TOKEN" && (len(la.sources) != 1 || !strings.HasPrefix(la.sources[0], "method.request.header.")) {
		return nil, fmt.Errorf("authorizer %s: a TOKEN authorizer needs one header identity source", r.LogicalID)
	}
	// "identitySource" (Authorizer, API Gateway REST API Reference): a
	// REQUEST authorizer needs identity sources when caching is enabled;
	// they are the cache key.
	if la.ttl > 0 && len(la.sources) == 0 {
		return nil, fmt.Errorf("authorizer %s: caching (a TTL of %s) without identity sources", r.LogicalID, la.ttl)
	}
	if expr, _ := r.Properties["IdentityValidationExpression"].(string); expr != "" {
		if la.validation, err = regexp.Compile("^(?:" + expr + ")$"); err != nil {
			return nil, fmt.Errorf("authorizer %s: IdentityValidationExpression: %w", r.LogicalID, err)
		}
	}
	g.authorizers[r.Key()] = la
	return la, nil
}

// lambdaFunctionOf is the unqualified function ARN of a Lambda invocation
// URI, arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations.
func lambdaFunctionOf(uri string) (string, error) {
	i := strings.Index(uri, "/functions/")
	if i < 0 || !strings.Contains(uri, ":lambda:path/") {
		return "", fmt.Errorf("%s is not a Lambda invocation URI", uri)
	}
	fn, ok := strings.CutSuffix(uri[i+len("/functions/"):], "/invocations")
	if !ok {
		return "", fmt.Errorf("%s is not a Lambda invocation URI", uri)
	}
	return template.Unqualified(fn), nil
}

// authorizeCaller runs the method's authorizer, if any, and records who
// the caller is in rc. It returns the gateway response type and message
// that refuse the request, or "".
func (g *Gateway) authorizeCaller(r *http.Request, rc *requestContext, m *method, params map[string]string, body []byte) (string, string) {
	switch m.authType {
	case "COGNITO_USER_POOLS":
		claims, typ, msg := g.authorize(r.Header.Get("Authorization"), m)
		rc.claims = claims
		return typ, msg
	case "CUSTOM":
		auth, typ, msg := g.authorizeLambda(r, rc, m, params, body)
		if typ == "" {
			rc.authorizer = map[string]any{"principalId": auth.principalID}
			for k, v := range auth.context {
				rc.authorizer[k] = v
			}
		}
		return typ, msg
	case "AWS_IAM":
		c, typ, msg := g.authorizeIAM(r, rc, body)
		rc.caller = c
		return typ, msg
	}
	return "", ""
}

// authorizeLambda authorizes a CUSTOM method as API Gateway does ("Use API
// Gateway Lambda authorizers", "Input to an API Gateway Lambda authorizer"
// and "Output from an API Gateway Lambda authorizer", developer guide):
//   - every identity source must have a non-empty value, and a TOKEN must
//     match the IdentityValidationExpression, else 401 without calling the
//     function ("identitySource", Authorizer, API Gateway REST API
//     Reference);
//   - the function gets a TOKEN or REQUEST event with the method ARN; its
//     error "Unauthorized" is a 401, any other error or a malformed answer
//     (no principalId, a policy that is not IAM JSON, a context value that
//     is not a string, number or boolean) a 500
//     AUTHORIZER_CONFIGURATION_ERROR;
//   - its answer is cached for the TTL by the identity-source values, and a
//     cached policy is evaluated again for each request's method ARN;
//   - the policy must allow execute-api:Invoke on the method ARN (IAM
//     evaluation, cdktest/policysim), else 403 ACCESS_DENIED.
func (g *Gateway) authorizeLambda(r *http.Request, rc *requestContext, m *method, params map[string]string, body []byte) (authorization, string, string) {
	la := m.authorizer
	values := make([]string, len(la.sources))
	for i, src := range la.sources {
		switch {
		case strings.HasPrefix(src, "method.request.header."):
			values[i] = r.Header.Get(strings.TrimPrefix(src, "method.request.header."))
		case strings.HasPrefix(src, "method.request.querystring."):
			values[i] = r.URL.Query().Get(strings.TrimPrefix(src, "method.request.querystring."))
		default:
			values[i] = rc.variable(strings.TrimPrefix(src, "context."))
		}
		if strings.TrimSpace(values[i]) == "" {
			return authorization{}, unauthorized, ""
		}
	}
	if la.validation != nil && !la.validation.MatchString(values[0]) {
		return authorization{}, unauthorized, ""
	}
	arn := g.methodARN(rc.verb, rc.path)
	key := strings.Join(values, "\x00")
	la.mu.Lock()
	cached, hit := la.cache[key]
	la.mu.Unlock()
	auth := cached.authorization
	if !hit || !rc.start.Before(cached.expires) {
		var typ string
		if auth, typ = g.invokeAuthorizer(r, rc, m, params, body, arn, values); typ != "" {
			return authorization{}, typ, ""
		}
		if la.ttl > 0 {
			la.mu.Lock()
			la.cache[key] = cachedAuthorization{authorization: auth, expires: rc.start.Add(la.ttl)}
			la.mu.Unlock()
		}
	}
	// The policy is the caller's identity-based policy: no Principal, and
	// the request is the method's execute-api:Invoke.
	d, err := policysim.Evaluate(policysim.Request{
		Principal: policysim.Principal{ARN: "arn:" + g.assembly.Partition + ":iam::" + g.assembly.Account + ":user/lambda-authorizer-principal", Identity: []*policysim.Policy{auth.policy}},
		Action:    "execute-api:Invoke", Resource: arn,
	}, policysim.Target{Account: g.assembly.Account})
	switch {
	case err != nil:
		fmt.Fprintf(g.opts.Logs, "local: %s: authorizer %s answered a policy that is not modelled: %v\n", rc.requestID, la.function, err)
		return authorization{}, authorizerConfigurationError, ""
	case d == policysim.ExplicitDeny:
		return authorization{}, accessDenied, "User is not authorized to access this resource with an explicit deny"
	case d != policysim.Allow:
		return authorization{}, accessDenied, ""
	}
	return auth, "", ""
}

// invokeAuthorizer calls the authorizer's function with its event and
// reads its answer; it returns the gateway response type that refuses the
// request, or "".
func (g *Gateway) invokeAuthorizer(r *http.Request, rc *requestContext, m *method, params map[string]string, body []byte, arn string, values []string) (authorization, string) {
	la := m.authorizer
	var event any = events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: values[0], MethodArn: arn}
	if la.typ == "REQUEST" {
		p := g.event(r, rc, m, params, body)
		event = events.APIGatewayCustomAuthorizerRequestTypeRequest{
			Type: "REQUEST", MethodArn: arn, Resource: p.Resource, Path: p.Path, HTTPMethod: p.HTTPMethod,
			Headers: p.Headers, MultiValueHeaders: p.MultiValueHeaders, QueryStringParameters: p.QueryStringParameters,
			MultiValueQueryStringParameters: p.MultiValueQueryStringParameters, PathParameters: p.PathParameters,
			RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
				Path: p.RequestContext.Path, AccountID: p.RequestContext.AccountID, ResourceID: p.RequestContext.ResourceID,
				Stage: p.RequestContext.Stage, RequestID: p.RequestContext.RequestID, ResourcePath: p.RequestContext.ResourcePath,
				HTTPMethod: p.RequestContext.HTTPMethod, APIID: p.RequestContext.APIID,
				Identity: events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{APIKey: rc.apiKey, SourceIP: rc.sourceIP},
			},
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), 29*time.Second)
	defer cancel()
	payload, err := g.invoke(ctx, la.function, event)
	if err != nil {
		var failure struct{ ErrorMessage string }
		if json.Unmarshal(payload, &failure) == nil && failure.ErrorMessage == "Unauthorized" {
			return authorization{}, unauthorized
		}
		fmt.Fprintf(g.opts.Logs, "local: %s: authorizer %s failed: %v\n", rc.requestID, la.function, err)
		return authorization{}, authorizerConfigurationError
	}
	auth, err := parseAuthorization(payload)
	if err != nil {
		fmt.Fprintf(g.opts.Logs, "local: %s: authorizer %s: %v: %s\n", rc.requestID, la.function, err, payload)
		return authorization{}, authorizerConfigurationError
	}
	return auth, ""
}

// parseAuthorization reads a Lambda authorizer's output: principalId, an
// IAM policy document and a context of string, number or boolean values,
// which the integration gets as strings.
func parseAuthorization(payload []byte) (authorization, error) {
	var out struct {
		PrincipalID    *string         `json:"principalId"`
		PolicyDocument json.RawMessage `json:"policyDocument"`
		Context        map[string]any  `json:"context"`
	}
	if err := json.Unmarshal(payload, &out); err != nil {
		return authorization{}, err
	}
	if out.PrincipalID == nil {
		return authorization{}, errors.New("no principalId")
	}
	policy, err := policysim.Parse(out.PolicyDocument)
	if err != nil {
		return authorization{}, fmt.Errorf("policyDocument: %w", err)
	}
	auth := authorization{principalID: *out.PrincipalID, policy: policy, context: map[string]string{}}
	for k, v := range out.Context {
		switch v := v.(type) {
		case string:
			auth.context[k] = v
		case float64:
			auth.context[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			auth.context[k] = strconv.FormatBool(v)
		default:
			return authorization{}, fmt.Errorf("context.%s is %T: only strings, numbers and booleans are allowed", k, v)
		}
	}
	return auth, nil
}

// callerIdentity adds what the authorizer learned about the caller to a
// proxy event: the Lambda authorizer's principalId and context as
// requestContext.authorizer, or the IAM caller's ARN, access key and
// account as requestContext.identity.
func (rc *requestContext) callerIdentity(e *events.APIGatewayProxyRequest) {
	if rc.authorizer != nil {
		e.RequestContext.Authorizer = rc.authorizer
	}
	if c := rc.caller; c != nil {
		e.RequestContext.Identity.UserArn, e.RequestContext.Identity.AccessKey = c.arn, c.accessKey
		e.RequestContext.Identity.AccountID = strings.Split(c.arn, ":")[4]
	}
}
