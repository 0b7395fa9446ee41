// Package envelope is the format of business events: a CloudEvents 1.0
// structured JSON event with a deterministic id, so that consumers can drop
// the duplicates that at-least-once delivery brings. Any service can use it.
package envelope

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// SpecVersion is the CloudEvents version the envelope follows.
const SpecVersion = "1.0"

// Event is one business event.
type Event struct {
	// ID is the same for every delivery of the same change (see ID).
	ID string `json:"id"`
	// Type names what happened, e.g. "customer.created".
	Type        string `json:"type"`
	SpecVersion string `json:"specversion"`
	// Source is the producing service, e.g. "/customers".
	Source string `json:"source"`
	// Subject is the entity the event is about, e.g. the customer id.
	Subject string `json:"subject"`
	// Time is when the change happened.
	Time time.Time `json:"time"`
	// DataSchema identifies the version of Data's shape.
	DataSchema      string `json:"dataschema"`
	DataContentType string `json:"datacontenttype"`
	// TraceParent is the X-Ray trace header of the request that made the
	// change, when it had one.
	TraceParent string          `json:"traceparent,omitempty"`
	Data        json.RawMessage `json:"data"`
}

// ID derives a deterministic event id from what identifies a change, for
// example the entity id, its version and the event type. It has the form of
// a UUID.
func ID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	h := hex.EncodeToString(sum[:16])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}

// New returns an event with data encoded as JSON.
func New(id, typ, source, subject, dataSchema string, at time.Time, trace string, data any) (Event, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("encode %s data: %w", typ, err)
	}
	return Event{
		ID: id, Type: typ, SpecVersion: SpecVersion, Source: source, Subject: subject,
		Time: at.UTC(), DataSchema: dataSchema, DataContentType: "application/json",
		TraceParent: trace, Data: b,
	}, nil
}
