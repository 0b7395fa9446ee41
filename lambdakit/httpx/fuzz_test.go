package httpx

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// Whatever the precondition headers, the evaluator answers proceed, 304 or
// 412 (RFC 9110 §13.2.2): 304 only for GET and HEAD and only with
// If-None-Match or If-Modified-Since, 412 only with a header that can
// fail; a strong match is also a weak one; a well-formed list that holds
// the current tag matches it, and one more weak tag changes no strong match.
func FuzzPreconditions(f *testing.F) {
	for _, h := range []string{`"3"`, `W/"3"`, `"1", "3"`, `*`, ``, `,,`, `W/`, `"3`, `"a,b"`} {
		f.Add("PUT", h, "", "", "", int64(3))
		f.Add("GET", "", h, "Sun, 01 Mar 2026 12:00:10 GMT", "", int64(3))
	}
	f.Add("DELETE", `"3"`, `*`, "", "Sun, 01 Mar 2026 12:00:09 GMT", int64(3))
	modified := time.Date(2026, 3, 1, 12, 0, 10, 0, time.UTC)
	f.Fuzz(func(t *testing.T, method, ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince string, version int64) {
		etag := ETag(version)
		cur := Representation{Exists: true, ETag: etag, LastModified: modified}
		headers := map[string]string{}
		for name, v := range map[string]string{"If-Match": ifMatch, "If-None-Match": ifNoneMatch, "If-Modified-Since": ifModifiedSince, "If-Unmodified-Since": ifUnmodifiedSince} {
			if v != "" {
				headers[name] = v
			}
		}
		err := Preconditions(&Request{HTTPMethod: method, Headers: headers}, cur)
		var e *Error
		switch {
		case err == nil:
		case !errors.As(err, &e):
			t.Fatalf("%v is not an *Error", err)
		case e.Status == http.StatusNotModified:
			if method != "GET" && method != "HEAD" || headers["If-None-Match"] == "" && headers["If-Modified-Since"] == "" {
				t.Fatalf("304 for %s with %v", method, headers)
			}
		case e.Status == http.StatusPreconditionFailed:
			if headers["If-Match"] == "" && headers["If-None-Match"] == "" && headers["If-Unmodified-Since"] == "" {
				t.Fatalf("412 for %s with %v", method, headers)
			}
		default:
			t.Fatalf("status %d", e.Status)
		}
		if MatchesStrong(ifMatch, etag) && !MatchesAny(ifMatch, etag) {
			t.Errorf("%q matches %s strongly but not weakly", ifMatch, etag)
		}
		if tags := parseEntityTags(ifMatch); len(tags) > 0 && renderTags(tags) == ifMatch {
			if with := ifMatch + ", " + etag; !MatchesStrong(with, etag) || !MatchesAny(with, etag) {
				t.Errorf("%q does not match %s", with, etag)
			}
			if weak := ifMatch + ", W/" + etag; !MatchesAny(weak, etag) || MatchesStrong(weak, etag) != MatchesStrong(ifMatch, etag) {
				t.Errorf("adding W/%s to %q changed its matches wrongly", etag, ifMatch)
			}
		}
	})
}

// renderTags writes a list of entity tags in the usual form.
func renderTags(tags []entityTag) string {
	parts := make([]string, len(tags))
	for i, tag := range tags {
		parts[i] = tag.opaque
		if tag.weak {
			parts[i] = "W/" + tag.opaque
		}
	}
	return strings.Join(parts, ", ")
}

// documented are the statuses a handler built on httpx answers with when
// it fails: the typed errors it chooses, and 400, 500 and 503 from classify.
var documented = []int{400, 404, 409, 412, 413, 415, 422, 428, 500, 503}

// Whatever a handler fails with, the client gets a problem document with a
// documented status and the request id; an unexpected error's message never
// reaches it (the body does not depend on it).
func FuzzProblemRendering(f *testing.F) {
	f.Add(404, "not-found", "No such thing.", "secret internal cause", true)
	f.Add(0, "", "", "boom", false)
	f.Add(999, "x", "y", "z", true)
	f.Fuzz(func(t *testing.T, status int, slug, detail, cause string, typed bool) {
		render := func(cause string) Response {
			var err error = errors.New(cause)
			if typed && slices.Contains(documented, status) {
				err = &Error{Status: status, Slug: slug, Title: http.StatusText(status), Detail: detail, Cause: err}
			}
			return problemResponse(classify(err, nil), ProblemTypeBase, "req-1", "/p")
		}
		resp := render(cause)
		if !slices.Contains(documented, resp.StatusCode) {
			t.Fatalf("status %d is not documented", resp.StatusCode)
		}
		var p Problem
		if json.Unmarshal([]byte(resp.Body), &p) != nil || p.Status != resp.StatusCode || p.RequestID != "req-1" || resp.Headers["Content-Type"] != ContentTypeProblem {
			t.Fatalf("not a problem document: %v %s", resp.Headers, resp.Body)
		}
		if other := render(cause + "-other"); other.Body != resp.Body {
			t.Errorf("the body depends on the error's cause:\n%s\n%s", resp.Body, other.Body)
		}
	})
}
