// Package idempotency makes retried HTTP requests safe: the first request
// with an Idempotency-Key runs, and every later one with the same key gets
// the first one's response (marked as a replay) for as long as the record
// lives, which is a day by default. A record is an item in the service's
// DynamoDB table that expires through TTL.
//
// The table must have string keys named PartitionKey and SortKey and TTL on
// TTLAttribute; records live under partition keys starting with KeyPrefix
// (grant the handler dynamodb:LeadingKeys KeyPrefix+"*").
//
// A key reused with a different request body is refused (422). A request
// that arrives while the first one is still running waits for its response,
// up to the caller's deadline, and is told to retry (409) if it does not
// come. A first request that ends in a 5xx releases the key so that the
// client's retry runs again; so does one whose lease ran out (it was cut off
// by its Lambda deadline). Such a retry gets the first run's Intent back
// (IntentOf), so an operation that committed before it failed to answer can
// find its own write instead of doing it twice. Writing and releasing the
// record are bounded by the request's deadline plus Options.StoreTime.
//
// Do costs two writes around the operation (the key before, the response
// after). An operation that knows its response before it writes, and writes
// with one TransactWriteItems, can use Commit instead: the completed record
// is written in the operation's own transaction, at no round trip of its
// own. Records written by either are understood by both.
package idempotency

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme/customers-api/lambdakit/ddb"
	"github.com/acme/customers-api/lambdakit/httpx"
	"github.com/acme/customers-api/lambdakit/idempotency/layout"
)

// The table layout the records need (see the layout package, which
// infrastructure code imports).
const (
	PartitionKey = layout.PartitionKey
	SortKey      = layout.SortKey
	TTLAttribute = layout.TTLAttribute
	KeyPrefix    = layout.KeyPrefix
	sortValue    = "IDEMPOTENCY"
	itemType     = "idempotency"
)

// HeaderKey is the request header that carries the key; HeaderReplayed
// marks a replayed response.
const (
	HeaderKey      = "Idempotency-Key"
	HeaderReplayed = "Idempotent-Replayed"
)

// API is the part of the DynamoDB client the store uses.
type API interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Options configure a Store; zero fields take the defaults.
type Options struct {
	// Retention is how long a completed response is replayed (default 24h).
	Retention time.Duration
	// Lease is how long a running request holds its key before another may
	// take over (default 60s); never past the request's deadline plus
	// StoreTime, when it has one.
	Lease time.Duration
	// StoreTime is how long past the request's deadline storing or
	// releasing the record may take (default 300ms). Keep it below the
	// handler's deadline margin (httpx.Service.DeadlineMargin).
	StoreTime time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Store keeps idempotency records.
type Store struct {
	db    API
	table string
	opt   Options
}

// New returns a store over the named table.
func New(db API, table string, opt Options) *Store {
	if opt.Retention == 0 {
		opt.Retention = 24 * time.Hour
	}
	if opt.Lease == 0 {
		opt.Lease = time.Minute
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.StoreTime == 0 {
		opt.StoreTime = 300 * time.Millisecond
	}
	return &Store{db: db, table: table, opt: opt}
}

// Errors the HTTP layer shows the client.
var (
	ErrKeyReused = &httpx.Error{Status: http.StatusUnprocessableEntity, Slug: "idempotency-key-reused",
		Title: http.StatusText(http.StatusUnprocessableEntity), Detail: "This Idempotency-Key was used with a different request."}
	ErrInFlight = &httpx.Error{Status: http.StatusConflict, Slug: "request-in-progress",
		Title: http.StatusText(http.StatusConflict), Detail: "A request with this Idempotency-Key is still being processed; retry later.",
		Headers: map[string]string{"Retry-After": "1"}}
)

const (
	statusInProgress = "IN_PROGRESS"
	statusCompleted  = "COMPLETED"
	statusReleased   = "RELEASED"
)

// record is the stored item. leaseUntil is in Unix milliseconds, expiresAt
// (the TTL attribute) in Unix seconds.
type record struct {
	PK          string            `dynamodbav:"pk"`
	SK          string            `dynamodbav:"sk"`
	Type        string            `dynamodbav:"type"`
	Fingerprint string            `dynamodbav:"fingerprint"`
	Status      string            `dynamodbav:"status"`
	Token       string            `dynamodbav:"token"`
	LeaseUntil  int64             `dynamodbav:"leaseUntil"`
	Intent      string            `dynamodbav:"intent,omitempty"`
	ExpiresAt   int64             `dynamodbav:"expiresAt"`
	StatusCode  int               `dynamodbav:"statusCode,omitempty"`
	Headers     map[string]string `dynamodbav:"headers,omitempty"`
	Body        string            `dynamodbav:"body,omitempty"`
}

// Request identifies one idempotent request.
type Request struct {
	// Scope separates callers (for example the authenticated client id) and
	// routes, so that two clients' keys never collide.
	Scope string
	// Key is the client's Idempotency-Key.
	Key string
	// Fingerprint identifies the request's content (see Fingerprint).
	Fingerprint string
	// Intent is what the operation commits to before it runs, for example
	// the id a create will give the new resource. It is stored with the key
	// before the operation runs; read the one to use with IntentOf.
	Intent string
}

type intentKey struct{}

// IntentOf is the intent the running operation must use: its request's,
// or, when an earlier run with the same key and body failed or was cut off,
// that run's. "" outside Store.Do or without an intent.
func IntentOf(ctx context.Context) string {
	v, _ := ctx.Value(intentKey{}).(string)
	return v
}

// Fingerprint hashes the parts of a request that must not change between
// retries.
func Fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ValidKey reports whether a client's key is 1 to 255 visible ASCII
// characters.
func ValidKey(key string) bool {
	if len(key) < 1 || len(key) > 255 {
		return false
	}
	for _, c := range []byte(key) {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// Do runs fn once for the request and returns its response; a repeated
// request gets the stored response with HeaderReplayed set. Errors are
// ErrKeyReused, ErrInFlight, or a DynamoDB failure.
func (s *Store) Do(ctx context.Context, r Request, fn func(context.Context) httpx.Response) (httpx.Response, error) {
	pk := KeyPrefix + Fingerprint(r.Scope, r.Key)
	for wait := 25 * time.Millisecond; ; wait = min(2*wait, 400*time.Millisecond) {
		token, intent, existing, err := s.acquire(ctx, pk, r)
		if err != nil {
			return httpx.Response{}, err
		}
		if existing == nil {
			return s.run(context.WithValue(ctx, intentKey{}, intent), pk, token, fn), nil
		}
		if resp, done, err := answer(ctx, existing, r); done {
			return resp, err
		}
		// Another invocation is running it: wait for its response.
		if !pause(ctx, wait) {
			return httpx.Response{}, ErrInFlight
		}
	}
}

// pause waits d, unless the request's deadline would pass first; false
// means the caller must give up (ErrInFlight).
func pause(ctx context.Context, d time.Duration) bool {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return false
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

func (s *Store) key(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		PartitionKey: &types.AttributeValueMemberS{Value: pk},
		SortKey:      &types.AttributeValueMemberS{Value: sortValue},
	}
}

// acquire takes the key and returns a token proving it and the intent to
// use, or returns the record that holds the key. A record is free when it
// does not exist, has expired (TTL deletes lazily), was released after a
// server error, or is a run whose lease has ended; taking a released or
// lapsed record of the same request keeps its intent.
func (s *Store) acquire(ctx context.Context, pk string, r Request) (token, intent string, _ *record, _ error) {
	now := s.opt.Now()
	token = rand.Text()
	lease := now.Add(s.opt.Lease)
	if deadline, ok := ctx.Deadline(); ok && deadline.Add(s.opt.StoreTime).Before(lease) {
		lease = deadline.Add(s.opt.StoreTime) // a run cannot outlive its deadline
	}
	item, err := attributevalue.MarshalMap(record{
		PK: pk, SK: sortValue, Type: itemType, Fingerprint: r.Fingerprint,
		Status: statusInProgress, Token: token, Intent: r.Intent,
		LeaseUntil: lease.UnixMilli(), ExpiresAt: now.Add(s.opt.Retention).Unix(),
	})
	if err != nil {
		return "", "", nil, fmt.Errorf("encode idempotency record: %w", err)
	}
	put, err := s.putIfFree(item, now)
	if err != nil {
		return "", "", nil, err
	}
	out, err := s.db.PutItem(ctx, put)
	var taken *types.ConditionalCheckFailedException
	if !errors.As(err, &taken) {
		if err != nil {
			return "", "", nil, ddb.Classify("acquire idempotency key", err)
		}
		intent, err := s.keepIntent(ctx, pk, token, r, out.Attributes)
		return token, intent, nil, err
	}
	rec, err := s.holder(ctx, pk, taken.Item)
	switch {
	case err != nil:
		return "", "", nil, err
	case rec == nil:
		return s.acquire(ctx, pk, r) // released meanwhile
	case rec.Token == token:
		// The SDK retried a put whose response was lost: the record is ours.
		return token, rec.Intent, nil, nil
	}
	return "", "", rec, nil
}

// putIfFree is the conditional put of a new record: it succeeds only while
// the key is free, that is when no record exists, the record has expired
// (TTL deletes lazily), was released after a server error, or is a run
// whose lease has ended. When the condition fails, DynamoDB returns the
// record that holds the key (ReturnValuesOnConditionCheckFailure, see
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html).
func (s *Store) putIfFree(item map[string]types.AttributeValue, now time.Time) (*dynamodb.PutItemInput, error) {
	free := expression.AttributeNotExists(expression.Name(PartitionKey)).
		Or(expression.Name(TTLAttribute).LessThan(expression.Value(now.Unix()))).
		Or(expression.Name("status").Equal(expression.Value(statusReleased))).
		Or(expression.Name("status").Equal(expression.Value(statusInProgress)).
			And(expression.Name("leaseUntil").LessThan(expression.Value(now.UnixMilli()))))
	cond, err := expression.NewBuilder().WithCondition(free).Build()
	if err != nil {
		return nil, fmt.Errorf("build idempotency condition: %w", err)
	}
	return &dynamodb.PutItemInput{
		TableName: &s.table, Item: item,
		ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
		ReturnValues:                        types.ReturnValueAllOld,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}, nil
}

// holder decodes the record that failed a put's condition, as DynamoDB
// returned it (item), or reads it when the implementation returned none.
// nil means the record is gone (released or expired meanwhile).
func (s *Store) holder(ctx context.Context, pk string, item map[string]types.AttributeValue) (*record, error) {
	if item == nil { // not every DynamoDB implementation returns it
		out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: s.key(pk), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, ddb.Classify("read idempotency record", err)
		}
		if item = out.Item; item == nil {
			return nil, nil
		}
	}
	var rec record
	if err := attributevalue.UnmarshalMap(item, &rec); err != nil {
		return nil, fmt.Errorf("decode idempotency record: %w", err)
	}
	return &rec, nil
}

// keepIntent returns the intent of the run that now holds the key: the
// replaced record's, when it was an earlier run of the same request that
// failed or lapsed (recording it in the new record), else the request's.
func (s *Store) keepIntent(ctx context.Context, pk, token string, r Request, replaced map[string]types.AttributeValue) (string, error) {
	var old record
	if replaced == nil || attributevalue.UnmarshalMap(replaced, &old) != nil ||
		old.Fingerprint != r.Fingerprint || old.Intent == "" || old.Intent == r.Intent {
		return r.Intent, nil
	}
	expr, err := expression.NewBuilder().
		WithUpdate(expression.Set(expression.Name("intent"), expression.Value(old.Intent))).
		WithCondition(expression.Name("token").Equal(expression.Value(token))).Build()
	if err != nil {
		return "", err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: s.key(pk), UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	return old.Intent, ddb.Classify("keep idempotency intent", err)
}

// run executes fn, then stores its response, or releases the key when the
// response is a server error so that a retry runs again. A failure to store
// is logged with the request: the response has happened and is returned.
func (s *Store) run(ctx context.Context, pk, token string, fn func(context.Context) httpx.Response) httpx.Response {
	resp := fn(ctx)
	store, cancel := s.storeContext(ctx)
	defer cancel()
	mine := expression.Name("token").Equal(expression.Value(token))
	var err error
	if resp.StatusCode >= 500 {
		err = s.release(store, pk, mine)
	} else {
		err = s.complete(store, pk, mine, resp)
	}
	if err != nil {
		httpx.Annotate(ctx, "idempotencyError", err.Error())
	}
	return resp
}

// storeContext is the context to write a record in once the operation has
// answered: it lasts even when the request's context is ending (a lost
// record would let a retry run the operation twice), but not past the
// deadline plus StoreTime: the answer must still leave before Lambda stops.
func (s *Store) storeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	store := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(store, deadline.Add(s.opt.StoreTime))
	}
	return store, func() {}
}

// release frees the key for a retry, keeping the record's fingerprint and
// intent for it.
func (s *Store) release(ctx context.Context, pk string, mine expression.ConditionBuilder) error {
	expr, err := expression.NewBuilder().
		WithUpdate(expression.Set(expression.Name("status"), expression.Value(statusReleased))).
		WithCondition(mine).Build()
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: s.key(pk), UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	return ddb.Classify("release idempotency key", err)
}

func (s *Store) complete(ctx context.Context, pk string, mine expression.ConditionBuilder, resp httpx.Response) error {
	update := expression.
		Set(expression.Name("status"), expression.Value(statusCompleted)).
		Set(expression.Name("statusCode"), expression.Value(resp.StatusCode)).
		Set(expression.Name("headers"), expression.Value(resp.Headers)).
		Set(expression.Name("body"), expression.Value(resp.Body)).
		Set(expression.Name(TTLAttribute), expression.Value(s.opt.Now().Add(s.opt.Retention).Unix()))
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(mine).Build()
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: s.key(pk), UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	return ddb.Classify("store idempotent response", err)
}

// answer is what a request gets from the record that holds its key:
// ErrKeyReused for another body, the stored response for a completed one;
// done is false while the holder still runs.
func answer(ctx context.Context, holder *record, r Request) (_ httpx.Response, done bool, _ error) {
	switch {
	case holder.Fingerprint != r.Fingerprint:
		return httpx.Response{}, true, ErrKeyReused
	case holder.Status == statusCompleted:
		httpx.Annotate(ctx, "idempotentReplay", true)
		return replay(holder), true, nil
	}
	return httpx.Response{}, false, nil
}

func replay(r *record) httpx.Response {
	headers := map[string]string{HeaderReplayed: "true"}
	for k, v := range r.Headers {
		headers[k] = v
	}
	return httpx.Response{StatusCode: r.StatusCode, Headers: headers, Body: r.Body}
}
