package handlers_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/lambdakit/httpx"
	"github.com/acme/customers-api/lambdakit/validate"
)

// A body that encoding/json would decode lossily is refused with the
// pointer to the place, so two different bodies are never one request
// (an Idempotency-Key retry with "\ud800" where the first had U+FFFD is not
// a replay); only UTF-8 JSON is accepted.
func TestBodiesThatAreNotIJSONOrUTF8AreRefused(t *testing.T) {
	a := newAPI(t)
	first := a.create("A\uFFFD", "ijson@example.com", map[string]string{"Idempotency-Key": "ijson-1"})
	wantStatus(t, first, http.StatusCreated)
	unicode := "is not valid Unicode (I-JSON, RFC 7493 §2.1: UTF-8 without lone surrogates or noncharacters)"
	for _, tc := range []struct {
		name, body, contentType, key string
		status                       int
		errors                       []validate.FieldError
	}{
		{"a lone surrogate", `{"name":"A\ud800","email":"x@example.com"}`, "application/json", "", 400, []validate.FieldError{{Pointer: "/name", Detail: unicode}}},
		{"a retry whose body differs only by a lone surrogate", `{"name":"A\ud800","email":"ijson@example.com"}`, "application/json", "ijson-1", 400, []validate.FieldError{{Pointer: "/name", Detail: unicode}}},
		{"raw invalid UTF-8", "{\"name\":\"A\xff\",\"email\":\"x@example.com\"}", "application/json", "", 400, []validate.FieldError{{Pointer: "/name", Detail: unicode}}},
		{"a duplicate member", `{"name":"A","email":"x@example.com","email":"y@example.com"}`, "application/json", "", 400, []validate.FieldError{{Pointer: "/email", Detail: "is a duplicate member name (I-JSON, RFC 7493 §2.3)"}}},
		{"Latin-1", `{"name":"A","email":"x@example.com"}`, "application/json; charset=iso-8859-1", "", 415, nil},
		{"UTF-8 named", `{"name":"A","email":"named@example.com"}`, "application/json; charset=UTF-8", "", 201, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			headers := map[string]string{"Content-Type": tc.contentType}
			if tc.key != "" {
				headers["Idempotency-Key"] = tc.key
			}
			resp := a.do(req{method: "POST", path: "/customers", headers: headers, body: tc.body})
			wantStatus(t, resp, tc.status)
			if tc.status == 400 {
				if diff := cmp.Diff(tc.errors, decode[httpx.Problem](t, resp).Errors); diff != "" {
					t.Errorf("errors (-want +got):\n%s", diff)
				}
			}
		})
	}
}
