// Package httpx is the HTTP layer of the Go handlers behind API Gateway's
// Lambda proxy integration: RFC 9457 problem responses, request helpers
// (JSON bodies, headers, entity tags) and the middleware that gives every
// request a deadline, a single structured log line and a safe error body.
// Any team's handlers can use it; it knows nothing of customers.
package httpx

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/acme/customers-api/lambdakit/httpx/wire"
	"github.com/acme/customers-api/lambdakit/validate"
)

// Response is an API Gateway proxy response.
type Response = events.APIGatewayProxyResponse

// ProblemTypeBase prefixes every problem type unless the Service says
// otherwise (see wire.ProblemTypeBase and Service.ProblemTypeBase).
const ProblemTypeBase = wire.ProblemTypeBase

// ContentTypeProblem is the media type of problem responses.
const ContentTypeProblem = "application/problem+json"

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type      string                `json:"type"`
	Title     string                `json:"title"`
	Status    int                   `json:"status"`
	Detail    string                `json:"detail,omitempty"`
	Instance  string                `json:"instance,omitempty"`
	RequestID string                `json:"requestId"`
	Errors    []validate.FieldError `json:"errors,omitempty"`
}

// Error is an error with a place in HTTP: a status, a problem type and a
// message meant for the client. Cause, if set, is logged and never sent.
type Error struct {
	Status  int
	Slug    string
	Title   string
	Detail  string
	Errors  []validate.FieldError
	Headers map[string]string
	Cause   error
}

// Error is for logs: status, slug, detail and the cause.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%d %s: %s: %v", e.Status, e.Slug, e.Detail, e.Cause)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Slug, e.Detail)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// NewError returns an *Error; the title is the status text.
func NewError(status int, slug, detail string) *Error {
	return &Error{Status: status, Slug: slug, Title: http.StatusText(status), Detail: detail}
}

// Mapper turns a service's own errors into HTTP errors; it returns nil for
// errors it does not know.
type Mapper func(error) *Error

// retryAfter is implemented by errors that say the request may succeed
// later (see lambdakit/ddb.UnavailableError).
type retryAfter interface{ RetryAfter() time.Duration }

// classify picks the HTTP error for err: the service's mapping first, then
// the ones every service shares, then 500.
func classify(err error, mapErr Mapper) *Error {
	var (
		he    *Error
		ve    validate.Errors
		retry retryAfter
	)
	if errors.As(err, &he) {
		return he
	}
	if mapErr != nil {
		if he := mapErr(err); he != nil {
			if he.Cause == nil {
				he.Cause = err
			}
			return he
		}
	}
	switch {
	case errors.As(err, &ve):
		e := NewError(http.StatusBadRequest, "validation-error", "The request is not valid; see errors.")
		e.Errors = ve
		return e
	case errors.As(err, &retry):
		e := NewError(http.StatusServiceUnavailable, "service-unavailable", "The service is busy; retry after the time in Retry-After.")
		e.Headers = map[string]string{"Retry-After": strconv.Itoa(max(1, int(retry.RetryAfter().Seconds())))}
		e.Cause = err
		return e
	case errors.Is(err, context.DeadlineExceeded):
		e := NewError(http.StatusServiceUnavailable, "timeout", "The request took too long; retry after the time in Retry-After.")
		e.Headers = map[string]string{"Retry-After": "1"}
		e.Cause = err
		return e
	}
	e := NewError(http.StatusInternalServerError, "internal-error", "An unexpected error occurred; quote the requestId when reporting it.")
	e.Cause = err
	return e
}

// problemResponse renders e for the client. An Error below 400 (the 304
// of Preconditions) is an answer without a body: only its headers.
func problemResponse(e *Error, typeBase, requestID, instance string) Response {
	if e.Status < 400 {
		headers := map[string]string{}
		for k, v := range e.Headers {
			headers[k] = v
		}
		return Response{StatusCode: e.Status, Headers: headers}
	}
	body, _ := json.Marshal(Problem{
		Type: typeBase + e.Slug, Title: e.Title, Status: e.Status, Detail: e.Detail,
		Instance: instance, RequestID: requestID, Errors: e.Errors,
	})
	headers := map[string]string{"Content-Type": ContentTypeProblem}
	for k, v := range e.Headers {
		headers[k] = v
	}
	return Response{StatusCode: e.Status, Headers: headers, Body: string(body)}
}

// ProblemSchema is the JSON Schema of Problem documents.
//
//go:embed problem.schema.json
var ProblemSchema []byte
