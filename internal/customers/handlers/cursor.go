package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	td "github.com/acme/customers-api/internal/customers/tabledesign"
)

// A cursor is the opaque nextCursor of a listing: the position after the
// last customer of a page, bound to the status filter it was issued for,
// with a checksum. The checksum catches edited or truncated cursors; it is
// not a secret, because a forged position only reveals what listing the
// whole collection reveals anyway.
type cursor struct {
	Version int    `json:"v"`
	Status  string `json:"s,omitempty"`
	After   string `json:"a"`
}

var (
	errBadCursor = errors.New("malformed cursor")
	b64          = base64.RawURLEncoding
)

func checksum(payload []byte) []byte {
	sum := sha256.Sum256(append([]byte("customers-cursor/v1:"), payload...))
	return sum[:12]
}

func encodeCursor(status, after string) string {
	payload, _ := json.Marshal(cursor{Version: 1, Status: status, After: after})
	return b64.EncodeToString(payload) + "." + b64.EncodeToString(checksum(payload))
}

// decodeCursor returns the position in token, which must have been issued
// for the same status filter.
func decodeCursor(token, status string) (string, error) {
	p, sum, ok := strings.Cut(token, ".")
	if !ok {
		return "", errBadCursor
	}
	payload, err1 := b64.DecodeString(p)
	got, err2 := b64.DecodeString(sum)
	if err1 != nil || err2 != nil || !bytes.Equal(got, checksum(payload)) {
		return "", errBadCursor
	}
	var c cursor
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || c.Version != 1 || c.Status != status || !td.ListPositionPattern.MatchString(c.After) {
		return "", errBadCursor
	}
	// Only the form this listing issues: the checksum is no secret, so a
	// payload with extra bytes and a matching checksum is not enough.
	if encodeCursor(c.Status, c.After) != token {
		return "", errBadCursor
	}
	return c.After, nil
}
