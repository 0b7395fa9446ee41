package httpx

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
)

// Strong matching implies weak matching; a list holding a version's ETag
// matches it both ways, and its weak form only weakly.
func FuzzETagMatching(f *testing.F) {
	for _, h := range []string{`"3"`, `W/"3"`, `"1", "3"`, `*`, ``, `,,`, `W/`, `"3`} {
		f.Add(h, int64(3))
	}
	f.Fuzz(func(t *testing.T, header string, version int64) {
		etag := ETag(version)
		if MatchesStrong(header, etag) && !MatchesAny(header, etag) {
			t.Errorf("%q matches %s strongly but not weakly", header, etag)
		}
		with := header + ", " + etag
		if !MatchesStrong(with, etag) || !MatchesAny(with, etag) {
			t.Errorf("%q does not match %s", with, etag)
		}
		weak := header + ", W/" + etag
		if !MatchesAny(weak, etag) {
			t.Errorf("%q does not weakly match %s", weak, etag)
		}
		if MatchesStrong(weak, etag) != MatchesStrong(header, etag) {
			t.Errorf("adding a weak tag changed the strong match of %q", header)
		}
	})
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
			return problemResponse(classify(err, nil), "req-1", "/p")
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
