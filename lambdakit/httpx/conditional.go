package httpx

import (
	"net/http"
	"strings"
	"time"
)

// Representation is what a request's preconditions are evaluated against:
// the current state of the target resource.
type Representation struct {
	// Exists is false when the resource has no current representation
	// ("If-Match: *" is then false and "If-None-Match: *" true).
	Exists bool
	// ETag is the current entity tag, e.g. `"3"` or `W/"3"`; "" when the
	// resource has none.
	ETag string
	// LastModified is the current representation's modification time; zero
	// when the resource has none. HTTP dates have whole seconds (RFC 9110
	// §5.6.7), so it is compared truncated to the second.
	LastModified time.Time
}

// Validators are the response headers that describe r: ETag and, when r
// has a modification time, Last-Modified (RFC 9110 §8.8.2, §8.8.3).
func (r Representation) Validators() map[string]string {
	h := map[string]string{}
	if r.ETag != "" {
		h["ETag"] = r.ETag
	}
	if !r.LastModified.IsZero() {
		h["Last-Modified"] = r.LastModified.UTC().Format(http.TimeFormat)
	}
	return h
}

// Conditional reports whether req carries any precondition header that
// Preconditions evaluates (If-Match, If-None-Match, If-Modified-Since,
// If-Unmodified-Since).
func Conditional(req *Request) bool {
	for _, name := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if _, ok := LookupHeader(req, name); ok {
			return true
		}
	}
	return false
}

// Preconditions evaluates the request's preconditions against the target's
// current representation in the order of RFC 9110 §13.2.2:
//
//  1. If-Match (§13.1.1, strong comparison; "*" is true when the resource
//     exists): false is 412.
//  2. Without If-Match, If-Unmodified-Since (§13.1.4; ignored when the date
//     is invalid or the resource has no modification time): false is 412.
//  3. If-None-Match (§13.1.2, weak comparison; "*" is false when the
//     resource exists): false is 304 for GET and HEAD, 412 otherwise.
//  4. Without If-None-Match, for GET and HEAD only, If-Modified-Since
//     (§13.1.3; ignored when the date is invalid): false is 304.
//
// It returns nil to go on with the request, or an *Error: 304 Not Modified
// (no body; the ETag and Last-Modified of cur, §15.4.5) or 412
// precondition-failed naming the header that failed. Call it only where
// the response would otherwise be 2xx (§13.2.1): a missing resource's 404
// comes first.
func Preconditions(req *Request, cur Representation) error {
	safe := req.HTTPMethod == http.MethodGet || req.HTTPMethod == http.MethodHead
	ifMatch, hasIfMatch := LookupHeader(req, "If-Match")
	switch {
	case hasIfMatch:
		if !matchList(ifMatch, cur, strongMatch) {
			return preconditionFailed("If-Match", "does not match the current ETag")
		}
	default:
		if since, ok := httpDate(req, "If-Unmodified-Since"); ok && !cur.LastModified.IsZero() && modifiedAfter(cur, since) {
			return preconditionFailed("If-Unmodified-Since", "is earlier than the resource's Last-Modified")
		}
	}
	ifNoneMatch, hasIfNoneMatch := LookupHeader(req, "If-None-Match")
	switch {
	case hasIfNoneMatch:
		if matchList(ifNoneMatch, cur, weakMatch) {
			if safe {
				return notModified(cur)
			}
			return preconditionFailed("If-None-Match", "matches the current ETag")
		}
	case safe:
		if since, ok := httpDate(req, "If-Modified-Since"); ok && !cur.LastModified.IsZero() && !modifiedAfter(cur, since) {
			return notModified(cur)
		}
	}
	return nil
}

// IfMatch returns what the request's If-Match admits by the strong
// comparison (RFC 9110 §13.1.1, §8.8.3.2), for a store that evaluates it
// inside a conditional write: the list's strong entity tags, with their
// quotes (weak tags never match strongly and are left out), or star for
// "*". Both are empty when the request has no If-Match. Preconditions
// decides the same way: a representation matches exactly when its ETag is
// one of tags, or it exists and star is true.
func IfMatch(req *Request) (tags []string, star bool) {
	value, ok := LookupHeader(req, "If-Match")
	if !ok {
		return nil, false
	}
	if strings.TrimSpace(value) == "*" {
		return nil, true
	}
	for _, tag := range parseEntityTags(value) {
		if !tag.weak {
			tags = append(tags, tag.opaque)
		}
	}
	return tags, false
}

func preconditionFailed(header, why string) *Error {
	return NewError(http.StatusPreconditionFailed, "precondition-failed",
		header+" "+why+"; fetch the resource again and retry with its current validators.")
}

// notModified is the 304 answer: no body, and the validators a 200 would
// have carried (RFC 9110 §15.4.5).
func notModified(cur Representation) *Error {
	e := &Error{Status: http.StatusNotModified, Title: http.StatusText(http.StatusNotModified)}
	e.Headers = cur.Validators()
	return e
}

// modifiedAfter reports whether cur changed after date, at the one-second
// resolution of HTTP dates.
func modifiedAfter(cur Representation, date time.Time) bool {
	return cur.LastModified.Truncate(time.Second).After(date)
}

// httpDate returns the named header as an HTTP-date (RFC 9110 §5.6.7: the
// IMF-fixdate and the two obsolete forms); ok is false when it is absent,
// not a date or a list of several (§13.1.3, §13.1.4: then it is ignored).
func httpDate(req *Request, name string) (time.Time, bool) {
	v, present := LookupHeader(req, name)
	if !present {
		return time.Time{}, false
	}
	t, err := http.ParseTime(strings.TrimSpace(v))
	return t, err == nil
}

// matchList evaluates an If-Match or If-None-Match value: "*" matches any
// current representation, a list of entity tags matches when one of them
// matches cur's by compare (RFC 9110 §13.1.1, §13.1.2). An unparsable
// member matches nothing.
func matchList(value string, cur Representation, compare func(a, b entityTag) bool) bool {
	if strings.TrimSpace(value) == "*" {
		return cur.Exists
	}
	current, ok := parseEntityTag(cur.ETag)
	if !cur.Exists || !ok {
		return false
	}
	for _, tag := range parseEntityTags(value) {
		if compare(tag, current) {
			return true
		}
	}
	return false
}

// entityTag is an entity-tag (RFC 9110 §8.8.3): an opaque quoted string,
// weak or strong.
type entityTag struct {
	weak   bool
	opaque string // with its quotes
}

// strongMatch is strong comparison (RFC 9110 §8.8.3.2): both strong and
// the same opaque tag.
func strongMatch(a, b entityTag) bool { return !a.weak && !b.weak && a.opaque == b.opaque }

// weakMatch is weak comparison: the same opaque tag, weak or not.
func weakMatch(a, b entityTag) bool { return a.opaque == b.opaque }

func parseEntityTag(s string) (entityTag, bool) {
	tags := parseEntityTags(s)
	if len(tags) != 1 {
		return entityTag{}, false
	}
	return tags[0], true
}

// parseEntityTags reads a #entity-tag list (RFC 9110 §5.6.1, §8.8.3):
// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, where etagc is %x21,
// %x23-7E or obs-text, so a comma inside the quotes is part of the tag.
// Members that are not entity tags are skipped.
func parseEntityTags(s string) []entityTag {
	var out []entityTag
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			break
		}
		var tag entityTag
		if strings.HasPrefix(s[i:], `W/`) {
			tag.weak = true
			i += 2
		}
		if i >= len(s) || s[i] != '"' {
			i = skipMember(s, i)
			continue
		}
		end := i + 1
		for end < len(s) && s[end] != '"' && (s[end] == 0x21 || s[end] >= 0x23 && s[end] != 0x7f) {
			end++
		}
		if end >= len(s) || s[end] != '"' {
			i = skipMember(s, end)
			continue
		}
		tag.opaque = s[i : end+1]
		i = end + 1
		if rest := strings.TrimLeft(s[i:], " \t"); rest != "" && rest[0] != ',' {
			i = skipMember(s, i)
			continue
		}
		out = append(out, tag)
	}
	return out
}

// skipMember returns the index after the next comma from i.
func skipMember(s string, i int) int {
	if j := strings.IndexByte(s[i:], ','); j >= 0 {
		return i + j + 1
	}
	return len(s)
}
