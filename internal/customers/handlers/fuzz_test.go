package handlers_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/lambdakit/idempotency"
)

// statuses is what the contract documents for an operation.
func statuses(name contract.OperationName) []int {
	for _, op := range contract.Operations {
		if op.Name == name {
			return append(slices.Clone(op.Statuses), contract.CommonErrors...)
		}
	}
	panic(string(name))
}

// Whatever the body, content type and Idempotency-Key, a create answers
// with a documented status; an invalid key is a 400 that names the header;
// every error is a problem document with the request id.
func FuzzCreate(f *testing.F) {
	f.Add(`{"name":"Ada","email":"ada@example.com"}`, "application/json", "k-1", true)
	f.Add(`{"name":"Ada","email":"ada@example.com"}`, "application/json", "", true)
	f.Add(`{"name":" ","email":"x"}`, "application/json; charset=utf-8", "", false)
	f.Add(`[]`, "text/plain", "key with space", true)
	f.Add(`{"name":"Ada","email":"\u212Aelvin@example.com","status":"SUSPENDED"}`, "application/json", "k-2", true)
	f.Add(`{"name":"Ada\ud800","email":"ada@example.com"}`, "application/json", "k-1", true)
	f.Add("{\"name\":\"Ada\xff\",\"email\":\"ada@example.com\"}", "application/json", "", false)
	f.Add(`{"name":"Ada","name":"Bob","email":"ada@example.com"}`, "application/json", "", false)
	f.Add(`{"name":"Ada","email":"ada@example.com"}`, "application/json; charset=latin1", "", false)
	f.Add(`{"name":"Ada","email":"\u200bada@example.com"}`, "application/json", "", false)
	documented := statuses(contract.Create)
	f.Fuzz(func(t *testing.T, body, contentType, key string, sendKey bool) {
		a := newAPI(t)
		headers := map[string]string{"Content-Type": contentType}
		if sendKey {
			headers[idempotency.HeaderKey] = key
		}
		resp := a.do(req{method: "POST", path: "/customers", headers: headers, body: body})
		if !slices.Contains(documented, resp.StatusCode) {
			t.Fatalf("status %d is not documented for create (%v): %s", resp.StatusCode, documented, resp.Body)
		}
		if resp.StatusCode >= 400 {
			var p struct {
				Status    int
				RequestID string
				Errors    []struct{ Pointer string }
			}
			if json.Unmarshal([]byte(resp.Body), &p) != nil || p.Status != resp.StatusCode || p.RequestID == "" {
				t.Fatalf("not a problem document: %s", resp.Body)
			}
			if resp.StatusCode >= 500 {
				t.Fatalf("a client's request caused a server error: %s", resp.Body)
			}
		}
		if resp.StatusCode == http.StatusCreated && !utf8.ValidString(body) {
			t.Errorf("a body that is not UTF-8 was accepted: %q", body)
		}
		invalidKey := sendKey && !idempotency.ValidKey(key)
		if invalidKey && resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("invalid key %q answered %d", key, resp.StatusCode)
		}
	})
}
