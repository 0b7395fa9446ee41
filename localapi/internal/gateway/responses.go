package gateway

import (
	"github.com/acme/customers-api/localapi/internal/template"

	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Gateway response types this gateway produces, with API Gateway's default
// status and message ("Gateway response types for API Gateway", developer
// guide) and the x-amzn-ErrorType header it sends with them.
const (
	accessDenied        = "ACCESS_DENIED"
	badRequestBody      = "BAD_REQUEST_BODY"
	badRequestParams    = "BAD_REQUEST_PARAMETERS"
	integrationFailure  = "INTEGRATION_FAILURE"
	integrationTimeout  = "INTEGRATION_TIMEOUT"
	invalidAPIKey       = "INVALID_API_KEY"
	missingAuthToken    = "MISSING_AUTHENTICATION_TOKEN"
	quotaExceeded       = "QUOTA_EXCEEDED"
	requestTooLarge     = "REQUEST_TOO_LARGE"
	throttled           = "THROTTLED"
	unauthorized        = "UNAUTHORIZED"
	default4XX          = "DEFAULT_4XX"
	default5XX          = "DEFAULT_5XX"
	maxRequestBodyBytes = 10 << 20
)

var defaults = map[string]struct {
	status           int
	message, errType string
}{
	accessDenied: {403, "User is not authorized to access this resource", "AccessDeniedException"},
	// A Lambda authorizer's error other than "Unauthorized", or its
	// malformed answer.
	authorizerConfigurationError: {500, "", "AuthorizerConfigurationException"},
	invalidSignature:             {403, "The request signature we calculated does not match the signature you provided.", "InvalidSignatureException"},
	badRequestBody:               {400, "Invalid request body", "BadRequestException"},
	badRequestParams:             {400, "Missing required request parameters", "BadRequestException"},
	integrationFailure:           {502, "Internal server error", "InternalServerErrorException"},
	integrationTimeout:           {504, "Endpoint request timed out", "InternalServerErrorException"},
	invalidAPIKey:                {403, "Forbidden", "ForbiddenException"},
	missingAuthToken:             {403, "Missing Authentication Token", "MissingAuthenticationTokenException"},
	quotaExceeded:                {429, "Limit Exceeded", "LimitExceededException"},
	requestTooLarge:              {413, "Request Too Long", "RequestTooLongException"},
	throttled:                    {429, "Too Many Requests", "TooManyRequestsException"},
	unauthorized:                 {401, "Unauthorized", "UnauthorizedException"},
}

// gatewayResponse is an AWS::ApiGateway::GatewayResponse.
type gatewayResponse struct {
	status    int
	headers   map[string]string // literal values
	templates map[string]string
}

func (g *Gateway) loadResponses(api template.Resource) {
	g.responses = map[string]gatewayResponse{}
	for _, r := range g.assembly.Resources("AWS::ApiGateway::GatewayResponse") {
		if owner, ok := g.assembly.Lookup(r.Stack, r.Properties["RestApiId"]); !ok || owner.Key() != api.Key() {
			continue
		}
		gr := gatewayResponse{headers: map[string]string{}, templates: map[string]string{}}
		gr.status, _ = strconv.Atoi(stringOf(r.Properties["StatusCode"]))
		params, _ := r.Properties["ResponseParameters"].(map[string]any)
		for k, v := range params {
			name, ok := strings.CutPrefix(k, "gatewayresponse.header.")
			s, _ := v.(string)
			if ok && len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
				gr.headers[name] = s[1 : len(s)-1]
			}
		}
		templates, _ := r.Properties["ResponseTemplates"].(map[string]any)
		for k, v := range templates {
			gr.templates[k], _ = v.(string)
		}
		g.responses[stringOf(r.Properties["ResponseType"])] = gr
	}
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

var contextVariable = regexp.MustCompile(`\$(?:!?\{)?context\.([A-Za-z0-9_.]+)\}?`)

// render substitutes the $context variables of a template (a gateway
// response body, an access log format) with the request's values, each
// passed through escape.
func (rc *requestContext) render(tmpl string, escape func(string) string) string {
	return contextVariable.ReplaceAllStringFunc(tmpl, func(v string) string {
		return escape(rc.variable(contextVariable.FindStringSubmatch(v)[1]))
	})
}

// fail answers with the gateway response of a type: the template's
// override of it, else its DEFAULT_4XX or DEFAULT_5XX override, else API
// Gateway's default, {"message": "..."}. Headers are the override's literal
// values; the body template's $context variables are substituted.
func (g *Gateway) fail(w http.ResponseWriter, rc *requestContext, typ, message string) {
	def := defaults[typ]
	if message == "" {
		message = def.message
	}
	rc.errorType, rc.errorMessage, rc.status = typ, message, def.status
	gr, ok := g.responses[typ]
	if !ok {
		fallback := default4XX
		if def.status >= 500 {
			fallback = default5XX
		}
		gr, ok = g.responses[fallback]
	}
	status := def.status
	if specific, found := g.responses[typ]; found && specific.status != 0 {
		status = specific.status
	}
	rc.status = status
	msg, _ := json.Marshal(message)
	body := `{"message":` + string(msg) + `}`
	if tmpl, found := gr.templates["application/json"]; ok && found {
		body = rc.render(tmpl, func(v string) string { return v })
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	for k, v := range gr.headers {
		h.Set(k, v)
	}
	h.Set("x-amzn-ErrorType", def.errType)
	h.Set("x-amzn-RequestId", rc.requestID)
	w.WriteHeader(status)
	w.Write([]byte(body))
}
