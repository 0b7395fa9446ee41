package validate_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/lambdakit/validate"
)

// anything accepts every JSON document, so only I-JSON's rules refuse.
var anything = validate.MustCompile(fstest.MapFS{"any.json": {Data: []byte(`{}`)}}, "any.json")

// I-JSON (RFC 7493): what encoding/json would decode lossily, or with one
// member silently dropped, is refused with a pointer to where it is.
func TestDecodeRefusesWhatIsNotIJSONWithItsPointer(t *testing.T) {
	unicodeDetail := "is not valid Unicode (I-JSON, RFC 7493 §2.1: UTF-8 without lone surrogates or noncharacters)"
	for _, tc := range []struct {
		name, body string
		want       validate.Errors // nil: accepted
	}{
		{"plain text", `{"name":"Ada"}`, nil},
		{"a surrogate pair escaped", `{"name":"\ud83d\ude00"}`, nil},
		{"a surrogate pair as UTF-8", `{"name":"😀"}`, nil},
		{"escaped U+FFFD itself", `{"name":"\ufffd"}`, nil},
		{"a name and its escaped spelling in different objects", `{"a":{"x":1},"b":{"\u0078":1}}`, nil},
		{"a lone high surrogate", `{"name":"\ud800"}`, validate.Errors{{Pointer: "/name", Detail: unicodeDetail}}},
		{"a lone low surrogate", `{"name":"x\udc00y"}`, validate.Errors{{Pointer: "/name", Detail: unicodeDetail}}},
		{"a high surrogate before another escape", `{"name":"\ud800\u0041"}`, validate.Errors{{Pointer: "/name", Detail: unicodeDetail}}},
		{"two high surrogates", `{"name":"\ud800\ud800"}`, validate.Errors{{Pointer: "/name", Detail: unicodeDetail}}},
		{"a surrogate encoded as UTF-8 bytes", "{\"name\":\"\xed\xa0\x80\"}", validate.Errors{{Pointer: "/name", Detail: unicodeDetail}}},
		{"an invalid UTF-8 byte", "{\"name\":\"Ad\xff\"}", validate.Errors{{Pointer: "/name", Detail: unicodeDetail}}},
		{"a truncated UTF-8 sequence", "{\"name\":\"\xc3\"}", validate.Errors{{Pointer: "/name", Detail: unicodeDetail}}},
		{"an overlong encoding", "{\"name\":\"\xc0\xaf\"}", validate.Errors{{Pointer: "/name", Detail: unicodeDetail}}},
		{"a noncharacter", `{"name":"\ufdd0"}`, validate.Errors{{Pointer: "/name", Detail: unicodeDetail}}},
		{"a plane's last code point", `{"name":"\ud83f\udfff"}`, validate.Errors{{Pointer: "/name", Detail: unicodeDetail}}},
		{"deep in arrays", `{"tags":["ok",["\ud800"]]}`, validate.Errors{{Pointer: "/tags/1/0", Detail: unicodeDetail}}},
		{"in a member name", `{"a":{"\udc00":1}}`, validate.Errors{{Pointer: "/a", Detail: "has a member name that is not valid Unicode (I-JSON, RFC 7493 §2.1)"}}},
		{"a duplicate member", `{"name":"A","email":"a@b.co","name":"B"}`, validate.Errors{{Pointer: "/name", Detail: "is a duplicate member name (I-JSON, RFC 7493 §2.3)"}}},
		{"a duplicate member spelled with an escape", `{"name":"A","n\u0061me":"B"}`, validate.Errors{{Pointer: "/name", Detail: "is a duplicate member name (I-JSON, RFC 7493 §2.3)"}}},
		{"a duplicate member in a nested object", `{"a":[{"x~/":1,"x~/":2}]}`, validate.Errors{{Pointer: "/a/0/x~0~1", Detail: "is a duplicate member name (I-JSON, RFC 7493 §2.3)"}}},
		{"invalid UTF-8 outside strings is not JSON", "{\"name\":1}\xff", validate.Errors{{Pointer: "", Detail: "is not a valid JSON document"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			err := anything.Decode([]byte(tc.body), &v)
			var got validate.Errors
			if err != nil && !errors.As(err, &got) {
				t.Fatalf("error %v is not validate.Errors", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// Whatever the bytes, a document Decode accepts decodes without loss:
// valid UTF-8, no U+FFFD that the body did not hold, and every member of
// every object kept (counted by encoding/json's token stream, which keeps
// duplicates, against the decoded maps, which do not).
func FuzzDecodeIsLossless(f *testing.F) {
	for _, s := range []string{`{"name":"Ada"}`, `{"name":"\ud800"}`, `{"a":1,"a":2}`, "{\"a\":\"\xff\"}", `[{"x":"\ud83d\ude00"}]`, `{"a":{"b":[1,{"c":"\u0000"}]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v any
		if anything.Decode(body, &v) != nil {
			return
		}
		if !utf8.Valid(body) {
			t.Fatalf("accepted invalid UTF-8: %q", body)
		}
		again, _ := json.Marshal(v)
		if strings.ContainsRune(string(again), utf8.RuneError) && !strings.ContainsRune(string(body), utf8.RuneError) && !strings.Contains(strings.ToLower(string(body)), `\ufffd`) {
			t.Fatalf("accepted %q, which decodes to U+FFFD: %s", body, again)
		}
		if members(t, body) != countMembers(v) {
			t.Fatalf("accepted %q, which loses members when decoded", body)
		}
	})
}

// members counts the object members in body's token stream.
func members(t *testing.T, body []byte) int {
	d := json.NewDecoder(strings.NewReader(string(body)))
	var stack []bool // true: in an object, expecting a name
	n := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return n
		}
		inObject := len(stack) > 0 && stack[len(stack)-1]
		switch tok {
		case json.Delim('{'):
			stack = append(stack, true)
			continue
		case json.Delim('['):
			stack = append(stack, false)
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			continue
		}
		if _, isName := tok.(string); isName && inObject {
			n++
			// The value follows: read it whole, so that its strings are not
			// taken for names, and count the members inside it.
			var value json.RawMessage
			if err := d.Decode(&value); err != nil {
				t.Fatalf("token stream of accepted %q: %v", body, err)
			}
			n += members(t, value)
		}
	}
}

func countMembers(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			n += 1 + countMembers(x)
		}
	case []any:
		for _, x := range v {
			n += countMembers(x)
		}
	}
	return n
}
