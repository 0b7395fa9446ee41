package httpx

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"
)

// Every combination the evaluator decides, for each method and for a
// resource that exists and one that does not, against RFC 9110 §13.2.2.
func TestPreconditionsFollowRFC9110Section13_2_2(t *testing.T) {
	modified := time.Date(2026, 3, 1, 12, 0, 10, 500e6, time.UTC)
	date := func(d time.Duration) string { return modified.Add(d).Format(http.TimeFormat) }
	current := Representation{Exists: true, ETag: `"3"`, LastModified: modified}
	absent := Representation{}
	const (
		ok   = 0
		n304 = http.StatusNotModified
		n412 = http.StatusPreconditionFailed
	)
	for _, tc := range []struct {
		name    string
		headers map[string]string
		state   Representation
		// safe is the outcome for GET and HEAD, unsafe for PUT, POST, DELETE.
		safe, unsafe int
	}{
		{"no preconditions", nil, current, ok, ok},
		{"If-Match the current tag", h("If-Match", `"3"`), current, ok, ok},
		{"If-Match another tag", h("If-Match", `"4"`), current, n412, n412},
		{"If-Match a weak tag: strong comparison", h("If-Match", `W/"3"`), current, n412, n412},
		{"If-Match a list holding the current tag", h("If-Match", `"1", "3"`), current, ok, ok},
		{"If-Match a list without it", h("If-Match", `"1", W/"3"`), current, n412, n412},
		{"If-Match an unquoted tag", h("If-Match", `3`), current, n412, n412},
		{"If-Match * when the resource exists", h("If-Match", `*`), current, ok, ok},
		{"If-Match * when it does not", h("If-Match", `*`), absent, n412, n412},
		{"If-Match empty", h("If-Match", ``), current, n412, n412},
		{"If-Match true, If-None-Match * (step 3 still runs)", h("If-Match", `"3"`, "If-None-Match", `*`), current, n304, n412},
		{"If-Match false comes before If-None-Match", h("If-Match", `"4"`, "If-None-Match", `"3"`), current, n412, n412},
		{"If-None-Match the current tag", h("If-None-Match", `"3"`), current, n304, n412},
		{"If-None-Match a weak tag: weak comparison", h("If-None-Match", `W/"3"`), current, n304, n412},
		{"If-None-Match another tag", h("If-None-Match", `"4"`), current, ok, ok},
		{"If-None-Match a list holding it", h("If-None-Match", `"4", W/"3"`), current, n304, n412},
		{"If-None-Match * when the resource exists", h("If-None-Match", `*`), current, n304, n412},
		{"If-None-Match * when it does not", h("If-None-Match", `*`), absent, ok, ok},
		{"If-Unmodified-Since before the change", h("If-Unmodified-Since", date(-time.Minute)), current, n412, n412},
		{"If-Unmodified-Since the same second", h("If-Unmodified-Since", date(0)), current, ok, ok},
		{"If-Unmodified-Since later", h("If-Unmodified-Since", date(time.Hour)), current, ok, ok},
		{"If-Unmodified-Since not a date is ignored", h("If-Unmodified-Since", "yesterday"), current, ok, ok},
		{"If-Unmodified-Since is ignored with If-Match", h("If-Match", `"3"`, "If-Unmodified-Since", date(-time.Minute)), current, ok, ok},
		{"If-Unmodified-Since without a modification time is ignored", h("If-Unmodified-Since", date(-time.Minute)), Representation{Exists: true, ETag: `"3"`}, ok, ok},
		{"If-Unmodified-Since in RFC 850 form", h("If-Unmodified-Since", modified.Add(-time.Minute).Format(time.RFC850)), current, n412, n412},
		{"If-Modified-Since the same second", h("If-Modified-Since", date(0)), current, n304, ok},
		{"If-Modified-Since later", h("If-Modified-Since", date(time.Hour)), current, n304, ok},
		{"If-Modified-Since before the change", h("If-Modified-Since", date(-time.Minute)), current, ok, ok},
		{"If-Modified-Since in asctime form", h("If-Modified-Since", modified.Format(time.ANSIC)), current, n304, ok},
		{"If-Modified-Since not a date is ignored", h("If-Modified-Since", "now"), current, ok, ok},
		{"If-Modified-Since with two dates is ignored", h("If-Modified-Since", date(0)+", "+date(0)), current, ok, ok},
		{"If-Modified-Since is ignored with If-None-Match", h("If-None-Match", `"4"`, "If-Modified-Since", date(0)), current, ok, ok},
		{"If-Unmodified-Since false comes before If-None-Match", h("If-Unmodified-Since", date(-time.Minute), "If-None-Match", `"3"`), current, n412, n412},
	} {
		for _, method := range []string{"GET", "HEAD", "PUT", "POST", "DELETE"} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				want := tc.unsafe
				if method == "GET" || method == "HEAD" {
					want = tc.safe
				}
				err := Preconditions(&Request{HTTPMethod: method, Headers: tc.headers}, tc.state)
				got := ok
				var e *Error
				if errors.As(err, &e) {
					got = e.Status
				} else if err != nil {
					t.Fatalf("error %v is not an *Error", err)
				}
				if got != want {
					t.Fatalf("%s with %v = %d (%v), want %d", method, tc.headers, got, err, want)
				}
				if got == n304 {
					resp := problemResponse(e, ProblemTypeBase, "req-1", "/x")
					if resp.Body != "" || resp.Headers["ETag"] != `"3"` || resp.Headers["Last-Modified"] != modified.Format(http.TimeFormat) {
						t.Errorf("304 = %+v, want no body, the ETag and Last-Modified", resp)
					}
				}
			})
		}
	}
}

// h builds a header map from name, value pairs.
func h(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// An entity tag may hold a comma (etagc is %x21 / %x23-7E / obs-text), so a
// list is not split on every comma.
func TestEntityTagListsAreParsedNotSplit(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   []entityTag
	}{
		{`"a,b"`, []entityTag{{opaque: `"a,b"`}}},
		{`"a,b", W/"c"`, []entityTag{{opaque: `"a,b"`}, {weak: true, opaque: `"c"`}}},
		{` "x" ,, "y" `, []entityTag{{opaque: `"x"`}, {opaque: `"y"`}}},
		{`junk, "y"`, []entityTag{{opaque: `"y"`}}},
		{`"a b", "y"`, []entityTag{{opaque: `"y"`}}},
		{`"open`, nil},
		{`W/`, nil},
		{`"x"y, "z"`, []entityTag{{opaque: `"z"`}}},
	} {
		got := parseEntityTags(tc.header)
		if len(got) != len(tc.want) {
			t.Errorf("parseEntityTags(%q) = %v, want %v", tc.header, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("parseEntityTags(%q) = %v, want %v", tc.header, got, tc.want)
			}
		}
	}
	if err := Preconditions(&Request{HTTPMethod: "PUT", Headers: h("If-Match", `"a,b"`)}, Representation{Exists: true, ETag: `"a,b"`}); err != nil {
		t.Errorf("If-Match with a comma inside the tag: %v", err)
	}
}

// IfMatch admits exactly the representations that Preconditions lets a
// PUT through with If-Match alone: a store that evaluates If-Match in its
// conditional write decides as the evaluator does.
func TestIfMatchAdmitsWhatPreconditionsLetsThrough(t *testing.T) {
	etags := []string{`"1"`, `"3"`, `"a,b"`, `W/"3"`}
	for _, header := range []string{`"3"`, `"1", "3"`, `W/"3"`, `"1", W/"3"`, `*`, ``, `3`, `"a,b"`, `junk, "1"`} {
		tags, star := IfMatch(&Request{Headers: h("If-Match", header)})
		for _, etag := range etags {
			cur := Representation{Exists: true, ETag: etag}
			admitted := star || slices.Contains(tags, etag)
			passes := Preconditions(&Request{HTTPMethod: "PUT", Headers: h("If-Match", header)}, cur) == nil
			if admitted != passes {
				t.Errorf("If-Match %q against %s: IfMatch admits it %v, Preconditions lets it through %v", header, etag, admitted, passes)
			}
		}
	}
	if tags, star := IfMatch(&Request{}); tags != nil || star {
		t.Errorf("IfMatch without the header = %v, %v; want nothing", tags, star)
	}
}
