package handlers_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// Every operation evaluates its preconditions with httpx.Preconditions, in
// RFC 9110 §13.2.2's order, against the customer (ETag = version,
// Last-Modified = updatedDate) or, for /customers, the collection.
func TestEveryOperationEvaluatesAllPreconditions(t *testing.T) {
	a := newAPI(t)
	later := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	earlier := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	put := `{"name":"B","email":"%s","status":"ACTIVE"}`
	for i, tc := range []struct {
		name, method string
		item         bool // the request is for the customer, not /customers
		headers      map[string]string
		status       int
	}{
		{"GET with the current ETag in If-None-Match", "GET", true, map[string]string{"If-None-Match": `"1"`}, 304},
		{"GET with If-Match of another version", "GET", true, map[string]string{"If-Match": `"9"`}, 412},
		{"GET with If-Modified-Since after the change", "GET", true, map[string]string{"If-Modified-Since": later}, 304},
		{"GET with If-Modified-Since before the change", "GET", true, map[string]string{"If-Modified-Since": earlier}, 200},
		{"GET with If-Unmodified-Since before the change", "GET", true, map[string]string{"If-Unmodified-Since": earlier}, 412},
		{"HEAD with the current ETag in If-None-Match", "HEAD", true, map[string]string{"If-None-Match": `"1"`}, 304},
		{"PUT with a matching If-Match and If-None-Match *", "PUT", true, map[string]string{"If-Match": `"1"`, "If-None-Match": "*"}, 412},
		{"PUT with a matching If-Match and If-None-Match of it", "PUT", true, map[string]string{"If-Match": `"1"`, "If-None-Match": `W/"1"`}, 412},
		{"PUT with a matching If-Match ignores If-Unmodified-Since", "PUT", true, map[string]string{"If-Match": `"1"`, "If-Unmodified-Since": earlier}, 200},
		{"PUT with If-Match * ", "PUT", true, map[string]string{"If-Match": `*`}, 200},
		{"PUT with If-Match of a list holding the version", "PUT", true, map[string]string{"If-Match": `"0", "1"`}, 200},
		{"PUT with If-Match and If-Modified-Since (ignored for PUT)", "PUT", true, map[string]string{"If-Match": `"1"`, "If-Modified-Since": later}, 200},
		{"DELETE with If-None-Match of the current version", "DELETE", true, map[string]string{"If-None-Match": `"1"`}, 412},
		{"DELETE with If-None-Match *", "DELETE", true, map[string]string{"If-None-Match": `*`}, 412},
		{"DELETE with If-Unmodified-Since before the change", "DELETE", true, map[string]string{"If-Unmodified-Since": earlier}, 412},
		{"DELETE with If-Unmodified-Since after the change", "DELETE", true, map[string]string{"If-Unmodified-Since": later}, 204},
		{"DELETE with If-None-Match of another version", "DELETE", true, map[string]string{"If-None-Match": `"7"`}, 204},
		{"list with If-None-Match *", "GET", false, map[string]string{"If-None-Match": `*`}, 304},
		{"list with If-Match *", "GET", false, map[string]string{"If-Match": `*`}, 200},
		{"list with If-Match of a tag the collection does not have", "GET", false, map[string]string{"If-Match": `"1"`}, 412},
		{"create with If-None-Match *", "POST", false, map[string]string{"If-None-Match": `*`}, 412},
		{"create with If-Match *", "POST", false, map[string]string{"If-Match": `*`}, 201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := a.mustCreate("A", fmt.Sprintf("pre-%d@example.com", i))
			r := req{method: tc.method, path: "/customers", headers: tc.headers}
			switch {
			case tc.item:
				r.path += "/" + c.ID
				if tc.method == "PUT" {
					r.body = fmt.Sprintf(put, c.Email)
				}
			case tc.method == "POST":
				r.body = fmt.Sprintf(`{"name":"N","email":"new-%d@example.com"}`, i)
			}
			resp := a.do(r)
			wantStatus(t, resp, tc.status)
			if tc.status == 304 && (resp.Body != "" || resp.Headers["ETag"] == "" && tc.item) {
				t.Errorf("304 = %+v, want no body and the ETag", resp)
			}
			if tc.status == 200 && tc.item && tc.method == "GET" {
				if lm, err := http.ParseTime(resp.Headers["Last-Modified"]); err != nil || lm.Unix() != mustTime(t, c.UpdatedDate).Unix() {
					t.Errorf("Last-Modified = %q, want updatedDate %s", resp.Headers["Last-Modified"], c.UpdatedDate)
				}
			}
		})
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
