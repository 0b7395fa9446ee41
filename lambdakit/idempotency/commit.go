package idempotency

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme/customers-api/lambdakit/httpx"
)

// Commit makes an operation idempotent without a round trip of its own,
// when the operation knows its response before it writes and writes with
// one TransactWriteItems: the key's record, completed and holding resp, is
// written in that transaction. write must add record as the LAST item of
// its TransactWriteItems call and return that call's error (wrapped or
// not). Intent is not used: a transaction that committed holds its answer.
//
//   - The transaction commits: resp is returned, and every later request
//     with the key and body replays it (HeaderReplayed).
//   - The record's condition fails, because the key is held: DynamoDB
//     returns the holder with the cancellation reason
//     (ReturnValuesOnConditionCheckFailure ALL_OLD, see
//     https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html),
//     so no read is needed. This request's own record (the SDK retried a
//     transaction whose response was lost) gives resp; another body is
//     ErrKeyReused; a completed response is replayed; a run of Do still in
//     progress is waited for as Do waits.
//   - Another transaction is in progress on the record (the reason is
//     TransactionConflict: a concurrent duplicate is committing): the write
//     is tried again after a pause, until the request's deadline, then
//     ErrInFlight (409 with Retry-After).
//   - Any other failure is rendered with httpx.ErrorResponse. A client
//     error (4xx) is stored as the key's response with one conditional
//     PutItem, bounded by the deadline plus Options.StoreTime, so that a
//     retry gets it again; a server error stores nothing: the transaction
//     did not commit, so the key is free for the retry, or it did commit
//     (its response was lost) and the retry replays resp.
//
// Errors are ErrKeyReused, ErrInFlight, or a DynamoDB failure reading the
// holder's record.
func (s *Store) Commit(ctx context.Context, r Request, resp httpx.Response, write func(ctx context.Context, record types.TransactWriteItem) error) (httpx.Response, error) {
	pk := KeyPrefix + Fingerprint(r.Scope, r.Key)
	token := rand.Text()
	for wait := 25 * time.Millisecond; ; wait = min(2*wait, 400*time.Millisecond) {
		put, err := s.completed(pk, r, token, resp)
		if err != nil {
			return httpx.Response{}, err
		}
		err = write(ctx, types.TransactWriteItem{Put: &types.Put{
			TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression,
			ExpressionAttributeNames: put.ExpressionAttributeNames, ExpressionAttributeValues: put.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}})
		if err == nil {
			return resp, nil
		}
		switch reason := lastReason(err); aws.ToString(reason.Code) {
		case "ConditionalCheckFailed":
			holder, err := s.holder(ctx, pk, reason.Item)
			if err != nil {
				return httpx.Response{}, err
			}
			if holder != nil && holder.Token == token {
				return resp, nil // the SDK retried a transaction that had committed
			}
			if holder != nil {
				if out, done, err := answer(ctx, holder, r); done {
					return out, err
				}
			}
		case "TransactionConflict":
			// A duplicate's transaction is in progress: wait for its answer.
		default:
			return s.keep(ctx, pk, r, token, httpx.ErrorResponse(ctx, err)), nil
		}
		if !pause(ctx, wait) {
			return httpx.Response{}, ErrInFlight
		}
	}
}

// lastReason is the cancellation reason of the last item of a cancelled
// transaction (the record's, in Commit), or a zero reason.
func lastReason(err error) types.CancellationReason {
	var cancel *types.TransactionCanceledException
	if !errors.As(err, &cancel) || len(cancel.CancellationReasons) == 0 {
		return types.CancellationReason{}
	}
	return cancel.CancellationReasons[len(cancel.CancellationReasons)-1]
}

// completed is the conditional put of a completed record holding resp.
func (s *Store) completed(pk string, r Request, token string, resp httpx.Response) (*dynamodb.PutItemInput, error) {
	now := s.opt.Now()
	item, err := attributevalue.MarshalMap(record{
		PK: pk, SK: sortValue, Type: itemType, Fingerprint: r.Fingerprint, Status: statusCompleted, Token: token,
		ExpiresAt: now.Add(s.opt.Retention).Unix(), StatusCode: resp.StatusCode, Headers: resp.Headers, Body: resp.Body,
	})
	if err != nil {
		return nil, fmt.Errorf("encode idempotency record: %w", err)
	}
	return s.putIfFree(item, now)
}

// keep stores a client error as the key's response, so that a retry gets
// it again; a server error is returned as it is, leaving the key free. A
// failure to store is logged with the request: the response has happened.
func (s *Store) keep(ctx context.Context, pk string, r Request, token string, resp httpx.Response) httpx.Response {
	if resp.StatusCode >= 500 {
		return resp
	}
	store, cancel := s.storeContext(ctx)
	defer cancel()
	put, err := s.completed(pk, r, token, resp)
	if err == nil {
		_, err = s.db.PutItem(store, put)
	}
	if err != nil {
		httpx.Annotate(ctx, "idempotencyError", err.Error())
	}
	return resp
}
