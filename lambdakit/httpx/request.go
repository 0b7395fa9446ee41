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

// Header returns the value of the named header, ignoring case; "" when it
// is absent or empty (see LookupHeader to tell the two apart).
func Header(req *Request, name string) string {
	v, _ := LookupHeader(req, name)
	return v
}

// LookupHeader returns the value of the named header, ignoring case, and
// whether the request has it at all. A header sent on several lines is one
// comma-separated list (RFC 9110 §5.3): API Gateway keeps only the last line
// in headers, and every line in multiValueHeaders, which wins.
func LookupHeader(req *Request, name string) (string, bool) {
	for k, vs := range req.MultiValueHeaders {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return strings.Join(vs, ", "), true
		}
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// JSONBody returns the request body after checking that it is JSON
// (415 otherwise) and at most maxBytes long (413 otherwise). JSON is UTF-8
// (RFC 8259 §8.1; application/json defines no charset parameter, RFC 8259
// §11): a charset other than utf-8 is 415 too, not read as UTF-8.
func JSONBody(req *Request, maxBytes int) ([]byte, error) {
	mediaType, params, err := mime.ParseMediaType(Header(req, "Content-Type"))
	if err != nil || mediaType != "application/json" {
		return nil, NewError(http.StatusUnsupportedMediaType, "unsupported-media-type", "Send the body as application/json.")
	}
	if charset, ok := params["charset"]; ok && !strings.EqualFold(charset, "utf-8") {
		return nil, NewError(http.StatusUnsupportedMediaType, "unsupported-media-type", "Send the body as application/json in UTF-8, with no charset or charset=utf-8.")
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

// MatchesAny reports whether an If-None-Match header value (a list of
// entity tags, or "*") matches etag by the weak comparison RFC 9110
// §13.1.2 requires there: W/"1" matches "1".
//
// Deprecated: Preconditions evaluates every precondition header in the
// order RFC 9110 §13.2.2 gives; reading one header alone misses the others.
func MatchesAny(header, etag string) bool {
	return matchList(header, Representation{Exists: true, ETag: etag}, weakMatch)
}

// MatchesStrong reports whether an If-Match header value matches etag by
// the strong comparison RFC 9110 §13.1.1 requires there: a weak tag
// (W/"1") never matches.
//
// Deprecated: use Preconditions (see MatchesAny).
func MatchesStrong(header, etag string) bool {
	return matchList(header, Representation{Exists: true, ETag: etag}, strongMatch)
}

// Principal identifies the authenticated caller. From the Cognito access
// token's claims: "user:<sub>" for a token issued to a user (it carries a
// username, whatever app client the user signed in with), "client:<client_id>"
// for a client-credentials token (no username; sub is the client). Two
// users of one app client are two principals. From a Lambda authorizer,
// "authorizer:<principalId>" (requestContext.authorizer.principalId); from
// IAM (AWS_IAM), "iam:<ARN>" (requestContext.identity.userArn, the
// caller's user or assumed-role session). "" when the request carries none
// of these.
func Principal(req *Request) string {
	claims, _ := req.RequestContext.Authorizer["claims"].(map[string]any)
	claim := func(name string) string { v, _ := claims[name].(string); return v }
	principalID, _ := req.RequestContext.Authorizer["principalId"].(string)
	switch {
	case claim("username") != "" && claim("sub") != "":
		return "user:" + claim("sub")
	case claim("client_id") != "":
		return "client:" + claim("client_id")
	case claims == nil && principalID != "":
		return "authorizer:" + principalID
	case req.RequestContext.Identity.UserArn != "":
		return "iam:" + req.RequestContext.Identity.UserArn
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
