// Package ddb creates the DynamoDB client a Lambda container shares between
// invocations (New) and tells callers which DynamoDB errors are worth retrying
// later (throttling, service faults, time-outs) so they can answer 503 with
// Retry-After instead of 500.
package ddb

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// New returns a client for cfg with this package's retry policy: three
// attempts, backing off at most 200ms, so that a throttled request still
// answers (503) well within API Gateway's 29 seconds.
func New(cfg aws.Config) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 3
			so.MaxBackoff = 200 * time.Millisecond
		})
	})
}

// UnavailableError is a DynamoDB call that failed for reasons on the
// service's side; the same request may succeed later.
type UnavailableError struct{ Err error }

// Error names the failed operation and its cause.
func (e *UnavailableError) Error() string { return "dynamodb unavailable: " + e.Err.Error() }

// Unwrap returns the SDK error.
func (e *UnavailableError) Unwrap() error { return e.Err }

// RetryAfter is how long a client should wait before retrying.
func (e *UnavailableError) RetryAfter() time.Duration { return time.Second }

// retryableCodes are the error codes DynamoDB uses for throttling, for
// faults on its side, and for a write that met a transaction in flight on
// the same item: retrying the same request later may succeed.
var retryableCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"RequestLimitExceeded":                   true,
	"InternalServerError":                    true,
	"InternalFailure":                        true,
	"ServiceUnavailable":                     true,
	"TransactionConflictException":           true,
	"TransactionInProgressException":         true,
}

// Classify wraps err in an *UnavailableError when retrying later may
// succeed, and annotates it with op either way. nil stays nil.
func Classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if unavailable(err) {
		return &UnavailableError{Err: fmt.Errorf("%s: %w", op, err)}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func unavailable(err error) bool {
	var (
		api      smithy.APIError
		netErr   net.Error
		cancel   *types.TransactionCanceledException
		resp     *smithyhttp.ResponseError
		attempts *retry.MaxAttemptsError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &resp) && resp.HTTPStatusCode() >= 500:
		return true // any fault on DynamoDB's side, whatever its code
	case errors.As(err, &attempts):
		return true // the SDK retried a retryable error until it gave up
	case errors.As(err, &cancel):
		for _, r := range cancel.CancellationReasons {
			if code := aws.ToString(r.Code); code == "ThrottlingError" || code == "ProvisionedThroughputExceeded" ||
				code == "RequestLimitExceeded" || code == "TransactionConflict" {
				return true
			}
		}
		return false
	case errors.As(err, &api):
		return retryableCodes[api.ErrorCode()]
	case errors.As(err, &netErr):
		return true
	}
	return false
}

// CancellationReason returns the code DynamoDB gave for the i-th item of a
// cancelled transaction ("ConditionalCheckFailed", "TransactionConflict",
// ...), or "" when err is not a cancelled transaction.
func CancellationReason(err error, i int) string {
	var cancel *types.TransactionCanceledException
	if !errors.As(err, &cancel) || i >= len(cancel.CancellationReasons) {
		return ""
	}
	return aws.ToString(cancel.CancellationReasons[i].Code)
}

// Conflicted reports whether a transaction was cancelled because another
// transaction was writing the same items; retrying it is safe. A conflict
// that outlasts the caller's retries classifies as unavailable.
func Conflicted(err error) bool {
	var cancel *types.TransactionCanceledException
	if !errors.As(err, &cancel) {
		return false
	}
	for _, r := range cancel.CancellationReasons {
		if aws.ToString(r.Code) == "TransactionConflict" {
			return true
		}
	}
	return false
}
