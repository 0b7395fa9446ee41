// Package wire holds the HTTP conventions that API Gateway (built by
// constructs/restapi) and the handlers (lambdakit/httpx) must share: the
// problem type URIs and the response headers browsers may read. It has no
// dependencies, so infrastructure code imports it without linking any
// runtime library.
package wire

import "strings"

// ProblemTypeBase prefixes every problem type: a problem's type is
// ProblemTypeBase + its slug, e.g. "urn:problem-type:validation-error".
const ProblemTypeBase = "urn:problem-type:"

// ExposeHeaders are the response headers a browser may read across origins.
var ExposeHeaders = []string{"ETag", "Location", "Retry-After", "Idempotent-Replayed"}

// ExposeHeadersValue is ExposeHeaders as an Access-Control-Expose-Headers
// value.
func ExposeHeadersValue() string { return strings.Join(ExposeHeaders, ", ") }
