// Package customers is the customers domain: the Customer record, its
// validation (from the JSON Schemas in schemas/, the same ones API Gateway
// uses), identifiers and the domain errors. It knows nothing of HTTP or
// DynamoDB.
package customers

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/acme/customers-api/lambdakit/validate"
)

// Status is a customer's lifecycle state.
type Status string

// The statuses a customer can have.
const (
	Active    Status = "ACTIVE"
	Inactive  Status = "INACTIVE"
	Suspended Status = "SUSPENDED"
)

// Statuses lists every valid status.
var Statuses = []Status{Active, Inactive, Suspended}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Customer is the stored record.
type Customer struct {
	ID          string    `json:"customerId"`
	Name        string    `json:"name"`
	Email       string    `json:"email"`
	Status      Status    `json:"status"`
	CreatedDate time.Time `json:"createdDate"`
	UpdatedDate time.Time `json:"updatedDate"`
	// Version increases by one on every change; it is the ETag.
	Version int64 `json:"version"`
}

// TimeLayout is how createdDate and updatedDate are written in JSON: RFC
// 3339 §5.6 date-time in UTC with exactly three fraction digits, so that
// the strings sort in time order (encoding/json's time.RFC3339Nano drops
// trailing zeros: "…10.5Z" would sort after "…10.53Z").
const TimeLayout = "2006-01-02T15:04:05.000Z"

// MarshalJSON writes the customer with its dates in TimeLayout (they are
// stored with millisecond precision; finer digits are cut, not rounded).
func (c Customer) MarshalJSON() ([]byte, error) {
	type fields Customer // without this method
	return json.Marshal(struct {
		fields
		CreatedDate string `json:"createdDate"`
		UpdatedDate string `json:"updatedDate"`
	}{fields(c), c.CreatedDate.UTC().Format(TimeLayout), c.UpdatedDate.UTC().Format(TimeLayout)})
}

// Draft is what a client may set: the body of a create or an update.
type Draft struct {
	Name   string `json:"name"`
	Email  string `json:"email"`
	Status Status `json:"status"`
}

// Domain errors; the HTTP layer maps each to a status code.
var (
	ErrNotFound        = errors.New("customer not found")
	ErrEmailTaken      = errors.New("e-mail address already belongs to another customer")
	ErrVersionMismatch = errors.New("customer changed since the given version")
)

// IDPrefix starts every customer id.
const IDPrefix = "CUST-"

// NewID returns "CUST-" and a ULID: unique, and sortable by creation time.
func NewID(now time.Time) string {
	return IDPrefix + ulid.MustNew(ulid.Timestamp(now), rand.Reader).String()
}

// Normalize returns the draft as it is stored: name trimmed, e-mail trimmed
// and lower-cased, status defaulted to ACTIVE. It checks what the schema
// cannot: the trimmed name's length and that the e-mail parses as a plain
// address. Errors are validate.Errors.
func (d Draft) Normalize() (Draft, error) {
	d.Name = strings.TrimSpace(d.Name)
	if d.Status == "" {
		d.Status = Active
	}
	var errs validate.Errors
	if n := len([]rune(d.Name)); n < 1 || n > 200 {
		errs = append(errs, validate.FieldError{Pointer: "/name", Detail: "must be 1 to 200 characters after trimming"})
	}
	var err error
	if d.Email, err = NormalizeEmail(d.Email); err != nil {
		errs = append(errs, validate.FieldError{Pointer: "/email", Detail: err.Error()})
	}
	if !d.Status.Valid() {
		errs = append(errs, validate.FieldError{Pointer: "/status", Detail: fmt.Sprintf("must be one of %v", Statuses)})
	}
	if len(errs) > 0 {
		return Draft{}, errs
	}
	return d, nil
}

// asciiLower lower-cases the ASCII letters A-Z and nothing else.
// strings.ToLower also folds other runes onto ASCII ones (the Kelvin sign
// U+212A becomes "k"), which would store a mailbox other than the one sent
// and let two different addresses collide on one claim.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}
