package restapi

import (
	"fmt"
	"net/http"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/functions/httpx/wire"
)

// ProblemTypeBase prefixes problem types, as in the handlers (see
// wire.ProblemTypeBase).
const ProblemTypeBase = wire.ProblemTypeBase

// GatewayResponse is an error that API Gateway answers itself, before or
// instead of a Lambda.
type GatewayResponse struct {
	Type   awsapigateway.ResponseType
	Status int // 0 keeps API Gateway's status (DEFAULT_4XX and DEFAULT_5XX)
	Slug   string
	Detail string
}

// GatewayResponses are rendered as problem documents. Authorizers answer
// 401 without a valid token and 403 when its scopes do not allow the method.
var GatewayResponses = []GatewayResponse{
	{awsapigateway.ResponseType_BAD_REQUEST_BODY(), 400, "validation-error", "The request body does not match the operation's schema."},
	{awsapigateway.ResponseType_BAD_REQUEST_PARAMETERS(), 400, "validation-error", "A required request parameter is missing."},
	{awsapigateway.ResponseType_UNAUTHORIZED(), 401, "unauthenticated", "Send a valid bearer token in Authorization."},
	{awsapigateway.ResponseType_EXPIRED_TOKEN(), 401, "unauthenticated", "The bearer token has expired."},
	{awsapigateway.ResponseType_ACCESS_DENIED(), 403, "forbidden", "The token does not allow this operation."},
	{awsapigateway.ResponseType_INVALID_API_KEY(), 403, "invalid-api-key", "Send a valid API key in X-Api-Key."},
	{awsapigateway.ResponseType_MISSING_AUTHENTICATION_TOKEN(), 404, "route-not-found", "No such resource or method."},
	{awsapigateway.ResponseType_WAF_FILTERED(), 403, "request-blocked", "The request was blocked by the web application firewall."},
	{awsapigateway.ResponseType_REQUEST_TOO_LARGE(), 413, "payload-too-large", "The request is too large."},
	{awsapigateway.ResponseType_UNSUPPORTED_MEDIA_TYPE(), 415, "unsupported-media-type", "Send the body as application/json."},
	{awsapigateway.ResponseType_THROTTLED(), 429, "throttled", "Too many requests; retry after the time in Retry-After."},
	{awsapigateway.ResponseType_QUOTA_EXCEEDED(), 429, "quota-exceeded", "The API key's daily quota is used up."},
	{awsapigateway.ResponseType_INTEGRATION_TIMEOUT(), 504, "timeout", "The request took too long."},
	{awsapigateway.ResponseType_DEFAULT_4XX(), 0, "client-error", "The request was not accepted."},
	{awsapigateway.ResponseType_DEFAULT_5XX(), 0, "server-error", "The service could not answer; quote the requestId when reporting it."},
}

// problemTemplate is the body of a gateway response, in the shape of
// httpx.Problem; $context.requestId is the id clients quote.
func problemTemplate(g GatewayResponse) string {
	status, title := "", "Error"
	if g.Status != 0 {
		status = fmt.Sprintf(`"status":%d,`, g.Status)
		title = http.StatusText(g.Status)
	}
	return fmt.Sprintf(`{"type":"%s%s","title":"%s",%s"detail":"%s","requestId":"$context.requestId"}`,
		ProblemTypeBase, g.Slug, title, status, g.Detail)
}

func (r *RestAPI) addGatewayResponses(origins []string) {
	for _, g := range GatewayResponses {
		headers := map[string]*string{"Content-Type": jsii.String("'application/problem+json'")}
		// A gateway response cannot choose among origins; with one allowed
		// origin (or "*") browsers can still read the error.
		if len(origins) == 1 {
			headers["Access-Control-Allow-Origin"] = jsii.String("'" + origins[0] + "'")
			headers["Vary"] = jsii.String("'Origin'")
		}
		if g.Status == 429 {
			headers["Retry-After"] = jsii.String("'1'")
		}
		opts := &awsapigateway.GatewayResponseOptions{
			Type:            g.Type,
			ResponseHeaders: &headers,
			Templates:       &map[string]*string{"application/json": jsii.String(problemTemplate(g))},
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
