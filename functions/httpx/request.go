package httpx

import (
	"context"
	"encoding/base64"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Request is an API Gateway REST (v1) proxy request.
type Request = events.APIGatewayProxyRequest

// Header returns the first value of the named header, ignoring case.
func Header(req *Request, name string) string {
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, vs := range req.MultiValueHeaders {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// JSONBody returns the request body after checking that it is JSON
// (415 otherwise) and at most maxBytes long (413 otherwise).
func JSONBody(req *Request, maxBytes int) ([]byte, error) {
	mediaType, _, err := mime.ParseMediaType(Header(req, "Content-Type"))
	if err != nil || mediaType != "application/json" {
		return nil, NewError(http.StatusUnsupportedMediaType, "unsupported-media-type", "Send the body as application/json.")
	}
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
			return nil, NewError(http.StatusBadRequest, "malformed-body", "The body is not valid base64.")
		}
	}
	if len(body) > maxBytes {
		return nil, NewError(http.StatusRequestEntityTooLarge, "payload-too-large", "The body is larger than "+strconv.Itoa(maxBytes)+" bytes.")
	}
	return body, nil
}

// ETag is the strong entity tag of a resource version.
func ETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// MatchesAny reports whether an If-Match or If-None-Match header value
// (a list of entity tags, or "*") matches etag. Weak tags compare equal to
// their strong form, as If-None-Match requires; If-Match callers get strong
// tags from this API only.
func MatchesAny(header, etag string) bool {
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == etag {
			return true
		}
	}
	return false
}

// Principal identifies the authenticated caller: the Cognito client id of a
// machine client, or the subject of a user; "" when the request carries no
// authorizer claims.
func Principal(req *Request) string {
	claims, _ := req.RequestContext.Authorizer["claims"].(map[string]any)
	for _, name := range []string{"client_id", "sub"} {
		if v, ok := claims[name].(string); ok && v != "" {
			return v
		}
	}
	return ""
}

// ResourcePath is the path of a sub-resource of the requested one as the
// client sees it, stage or base path included: for a request to
// /prod/customers, ResourcePath(req, id) is /prod/customers/{id}.
func ResourcePath(req *Request, child string) string {
	base := req.RequestContext.Path
	if base == "" {
		base = req.Path
	}
	return strings.TrimSuffix(base, "/") + "/" + child
}

// TraceHeader is the X-Ray trace header of the current Lambda invocation
// ("Root=1-...;Parent=...;Sampled=1"), or "" outside Lambda.
func TraceHeader(ctx context.Context) string {
	v, _ := ctx.Value("x-amzn-trace-id").(string)
	return v
}
