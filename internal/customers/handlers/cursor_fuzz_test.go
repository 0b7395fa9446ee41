package handlers

import (
	"encoding/base64"
	"testing"
	"time"
	"unicode/utf8"

	td "github.com/acme/customers-api/internal/customers/tabledesign"
)

// A decoded cursor re-encodes to itself, and every position a listing can
// issue decodes back to itself under its own status filter only.
func FuzzCursor(f *testing.F) {
	valid := td.ListPosition(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "CUST-01ARZ3NDEKTSV4RRFFQ69G5FAV")
	f.Add(encodeCursor("", valid), "", valid)
	f.Add(encodeCursor("ACTIVE", valid), "ACTIVE", valid)
	f.Add("not-a-cursor", "SUSPENDED", "x")
	// A payload with trailing bytes and a checksum that matches it: the
	// checksum is no secret, so anyone can make one.
	trailing := []byte(`{"v":1,"a":"` + valid + `"} `)
	f.Add(base64.RawURLEncoding.EncodeToString(trailing)+"."+base64.RawURLEncoding.EncodeToString(checksum(trailing)), "", valid)
	f.Fuzz(func(t *testing.T, token, status, after string) {
		if got, err := decodeCursor(token, status); err == nil && encodeCursor(status, got) != token {
			t.Errorf("%q decoded to %q, which encodes to %q", token, got, encodeCursor(status, got))
		}
		if !td.ListPositionPattern.MatchString(after) || !utf8.ValidString(status) {
			return // not a position or a status filter a listing can have
		}
		issued := encodeCursor(status, after)
		if got, err := decodeCursor(issued, status); err != nil || got != after {
			t.Errorf("issued cursor for %q/%q decodes to %q, %v", status, after, got, err)
		}
		if _, err := decodeCursor(issued, status+"X"); err == nil {
			t.Errorf("a cursor for status %q was accepted for %q", status, status+"X")
		}
	})
}
