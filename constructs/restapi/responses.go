package restapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/lambdakit/httpx/wire"
)

// ProblemTypeBase prefixes problem types unless Settings.ProblemTypeBase
// says otherwise, as in the handlers (see wire.ProblemTypeBase).
const ProblemTypeBase = wire.ProblemTypeBase

// GatewayResponse is an error that API Gateway answers itself, before or
// instead of a Lambda.
type GatewayResponse struct {
	Type   awsapigateway.ResponseType
	Status int // 0 keeps API Gateway's status (DEFAULT_4XX and DEFAULT_5XX)
	Slug   string
	Detail string
	// Errors, when set, is the template of the detail of the one entry of
	// the problem's errors list (pointer "": a gateway response template
	// can name no place in the request), as the handlers' validation
	// errors have one: a JSON string, or a $context variable that renders
	// as one.
	Errors string
	// Challenge, when set, is the WWW-Authenticate header's value.
	Challenge string
}

// GatewayResponses are rendered as problem documents.
//
// WWW-Authenticate (RFC 9110 §11.6.1: a 401 MUST carry it) follows RFC 6750
// §3. A gateway response's headers are static per response type, and a
// Cognito authorizer answers UNAUTHORIZED for a missing, invalid, expired
// or under-scoped token alike, so UNAUTHORIZED's challenge has no error
// code (§3.1 allows it, and requires it absent for a request without a
// token). A token without the operation's scope is therefore a 401 here,
// never a 403: the Cognito authorizer does not send ACCESS_DENIED for a
// scope. EXPIRED_TOKEN's challenge is invalid_token, and ACCESS_DENIED's
// (403) insufficient_scope, for the authorizers that send them (a Lambda
// authorizer's Deny policy is ACCESS_DENIED).
var GatewayResponses = []GatewayResponse{
	{Type: awsapigateway.ResponseType_BAD_REQUEST_BODY(), Status: 400, Slug: "validation-error", Detail: "The request body does not match the operation's schema; see errors.",
		// $context.error.validationErrorString can quote the rejected
		// value (personal data), so it is never sent.
		Errors: `"does not match the operation's schema (API Gateway's validator names no pointer; the OpenAPI document has the schema)"`},
	{Type: awsapigateway.ResponseType_BAD_REQUEST_PARAMETERS(), Status: 400, Slug: "validation-error", Detail: "A required request parameter is missing; see errors.",
		// "Missing required request parameters: [name, ...]": names only.
		Errors: `$context.error.messageString`},
	{Type: awsapigateway.ResponseType_UNAUTHORIZED(), Status: 401, Slug: "unauthenticated", Detail: "Send a valid bearer token in Authorization.",
		Challenge: `Bearer realm="` + Realm + `"`},
	{Type: awsapigateway.ResponseType_EXPIRED_TOKEN(), Status: 401, Slug: "unauthenticated", Detail: "The bearer token has expired.",
		Challenge: `Bearer realm="` + Realm + `", error="invalid_token", error_description="The access token expired"`},
	{Type: awsapigateway.ResponseType_ACCESS_DENIED(), Status: 403, Slug: "forbidden", Detail: "The token does not allow this operation.",
		Challenge: `Bearer realm="` + Realm + `", error="insufficient_scope"`},
	{Type: awsapigateway.ResponseType_INVALID_API_KEY(), Status: 403, Slug: "invalid-api-key", Detail: "Send a valid API key in X-Api-Key."},
	{Type: awsapigateway.ResponseType_MISSING_AUTHENTICATION_TOKEN(), Status: 404, Slug: "route-not-found", Detail: "No such resource."},
	{Type: awsapigateway.ResponseType_WAF_FILTERED(), Status: 403, Slug: "request-blocked", Detail: "The request was blocked by the web application firewall."},
	{Type: awsapigateway.ResponseType_REQUEST_TOO_LARGE(), Status: 413, Slug: "payload-too-large", Detail: "The request is too large."},
	{Type: awsapigateway.ResponseType_UNSUPPORTED_MEDIA_TYPE(), Status: 415, Slug: "unsupported-media-type", Detail: "Send the body as application/json."},
	{Type: awsapigateway.ResponseType_THROTTLED(), Status: 429, Slug: "throttled", Detail: "Too many requests; retry after the time in Retry-After."},
	{Type: awsapigateway.ResponseType_QUOTA_EXCEEDED(), Status: 429, Slug: "quota-exceeded", Detail: "The API key's daily quota is used up."},
	{Type: awsapigateway.ResponseType_INTEGRATION_TIMEOUT(), Status: 504, Slug: "timeout", Detail: "The request took too long."},
	{Type: awsapigateway.ResponseType_DEFAULT_4XX(), Slug: "client-error", Detail: "The request was not accepted."},
	{Type: awsapigateway.ResponseType_DEFAULT_5XX(), Slug: "server-error", Detail: "The service could not answer; quote the requestId when reporting it."},
}

// Realm is the realm of the API's Bearer challenges (RFC 6750 §3).
const Realm = "api"

// problemTemplate is the body of a gateway response, in the shape of
// httpx.Problem; $context.requestId is the id clients quote.
func problemTemplate(typeBase string, g GatewayResponse) string {
	status, title := "", "Error"
	if g.Status != 0 {
		status = fmt.Sprintf(`"status":%d,`, g.Status)
		title = http.StatusText(g.Status)
	}
	errs := ""
	if g.Errors != "" {
		errs = `,"errors":[{"pointer":"","detail":` + g.Errors + `}]`
	}
	return fmt.Sprintf(`{"type":"%s%s","title":"%s",%s"detail":"%s","requestId":"$context.requestId"%s}`,
		typeBase, g.Slug, title, status, g.Detail, errs)
}

func (r *RestAPI) addGatewayResponses(origins []string) {
	for _, g := range GatewayResponses {
		headers := map[string]*string{"Content-Type": jsii.String("'application/problem+json'")}
		// A gateway response cannot choose among origins; with one allowed
		// origin (or "*") browsers can still read the error.
		if len(origins) == 1 {
			headers["Access-Control-Allow-Origin"] = jsii.String("'" + origins[0] + "'")
			// As on the handlers' responses: browser code can read
			// Retry-After on a throttled 429 only when it is exposed.
			headers["Access-Control-Expose-Headers"] = jsii.String("'" + wire.ExposeHeadersValue() + "'")
			headers["Vary"] = jsii.String("'Origin'")
		}
		if g.Status == 429 {
			headers["Retry-After"] = jsii.String("'1'")
		}
		if g.Challenge != "" {
			headers["WWW-Authenticate"] = jsii.String("'" + g.Challenge + "'")
		}
		opts := &awsapigateway.GatewayResponseOptions{
			Type:            g.Type,
			ResponseHeaders: &headers,
			Templates:       &map[string]*string{"application/json": jsii.String(problemTemplate(r.ProblemTypeBase, g))},
		}
		if g.Status != 0 {
			opts.StatusCode = jsii.String(fmt.Sprint(g.Status))
		}
		r.Api.AddGatewayResponse(jsii.String(*g.Type.ResponseType()), opts)
	}
}

// AccessLogFormat is one JSON line per request with what an operator needs
// to follow it: ids, caller, route, outcome, timings, and the authorizer's
// and WAF's verdicts.
const AccessLogFormat = `{"requestId":"$context.requestId","extendedRequestId":"$context.extendedRequestId",` +
	`"xrayTraceId":"$context.xrayTraceId","requestTime":"$context.requestTime","sourceIp":"$context.identity.sourceIp",` +
	`"userAgent":"$context.identity.userAgent","apiKeyId":"$context.identity.apiKeyId",` +
	`"principal":"$context.authorizer.claims.client_id","subject":"$context.authorizer.claims.sub",` +
	`"method":"$context.httpMethod","resourcePath":"$context.resourcePath","path":"$context.path",` +
	`"status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength",` +
	`"latencyMs":"$context.responseLatency","integrationLatencyMs":"$context.integrationLatency",` +
	`"integrationStatus":"$context.integrationStatus","errorType":"$context.error.responseType",` +
	`"errorMessage":"$context.error.message","authorizerError":"$context.authorizer.error",` +
	`"wafStatus":"$context.waf.status","wafError":"$context.waf.error"}`

// addMethodNotAllowed gives every resource that has operations an ANY
// method that answers 405 with Allow (RFC 9110 §15.5.6), so that a method
// the resource lacks is told apart from an unknown path (404, the
// MISSING_AUTHENTICATION_TOKEN response). API Gateway has no gateway
// response for it: a resource's own methods win over ANY ("Set up an HTTP
// method", API Gateway developer guide), and ANY's MOCK integration (no
// Lambda, no authorizer, no API key: it reveals no more than the 401 the
// resource's real methods give an anonymous caller) writes the problem
// document from its integration response.
func (r *RestAPI) addMethodNotAllowed(ops []Operation, origins []string) {
	allowed := map[string][]string{}
	var paths []string
	for _, op := range ops {
		if allowed[op.Path] == nil {
			paths = append(paths, op.Path)
		}
		allowed[op.Path] = append(allowed[op.Path], op.Method)
		if op.Method == "GET" {
			allowed[op.Path] = append(allowed[op.Path], "HEAD")
		}
	}
	for _, path := range paths {
		methods := allowed[path]
		if len(origins) > 0 { // CORS preflights (see cors)
			methods = append(methods, "OPTIONS")
		}
		slices.Sort(methods)
		headers := map[string]*string{
			"method.response.header.Allow":        jsii.String("'" + strings.Join(methods, ", ") + "'"),
			"method.response.header.Content-Type": jsii.String("'application/problem+json'"),
		}
		if len(origins) == 1 {
			headers["method.response.header.Access-Control-Allow-Origin"] = jsii.String("'" + origins[0] + "'")
			headers["method.response.header.Access-Control-Expose-Headers"] = jsii.String("'" + wire.ExposeHeadersValue() + "'")
			headers["method.response.header.Vary"] = jsii.String("'Origin'")
		}
		declared := map[string]*bool{}
		for name := range headers {
			declared[name] = jsii.Bool(true)
		}
		body := fmt.Sprintf(`{"type":"%smethod-not-allowed","title":"%s","status":405,"detail":"The resource does not have this method; Allow lists those it has.","requestId":"$context.requestId"}`,
			r.ProblemTypeBase, http.StatusText(http.StatusMethodNotAllowed))
		integration := awsapigateway.NewMockIntegration(&awsapigateway.IntegrationOptions{
			RequestTemplates: &map[string]*string{"application/json": jsii.String(`{"statusCode": 405}`)},
			IntegrationResponses: &[]*awsapigateway.IntegrationResponse{{
				StatusCode:         jsii.String("405"),
				ResponseParameters: &headers,
				ResponseTemplates:  &map[string]*string{"application/json": jsii.String(body)},
			}},
		})
		m := r.Api.Root().ResourceForPath(jsii.String(path)).AddMethod(jsii.String("ANY"), integration, &awsapigateway.MethodOptions{
			AuthorizationType: awsapigateway.AuthorizationType_NONE,
			MethodResponses:   &[]*awsapigateway.MethodResponse{{StatusCode: jsii.String("405"), ResponseParameters: &declared}},
		})
		r.leaveOpen(m)
		cdknag.NagSuppressions_AddResourceSuppressions(m, &[]*cdknag.NagPackSuppression{
			{Id: jsii.String("AwsSolutions-APIG4"), Reason: jsii.String("The ANY method only answers 405 Method Not Allowed from a MOCK integration; it reaches no backend.")},
			{Id: jsii.String("AwsSolutions-COG4"), Reason: jsii.String("The ANY method only answers 405 Method Not Allowed from a MOCK integration; it reaches no backend.")},
		}, nil)
	}
}
