package idempotency_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme/customers-api/internal/customers/store/storetest"
	"github.com/acme/customers-api/lambdakit/httpx"
	"github.com/acme/customers-api/lambdakit/idempotency"
	"github.com/acme/customers-api/lambdakit/idempotency/layout"
)

// recording is the store's DynamoDB client, moto behind it, and the IAM
// action of every call it makes.
type recording struct {
	*dynamodb.Client
	mu      sync.Mutex
	actions []string
	// withoutHolder drops the record a failed condition returns, as a
	// DynamoDB implementation that does not return it would.
	withoutHolder bool
}

func (r *recording) record(action string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.actions, action) {
		r.actions = append(r.actions, action)
	}
}

func (r *recording) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.record("dynamodb:GetItem")
	return r.Client.GetItem(ctx, in, o...)
}

func (r *recording) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.record("dynamodb:PutItem")
	out, err := r.Client.PutItem(ctx, in, o...)
	var failed *types.ConditionalCheckFailedException
	if r.withoutHolder && errors.As(err, &failed) {
		failed.Item = nil
	}
	return out, err
}

func (r *recording) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.record("dynamodb:UpdateItem")
	return r.Client.UpdateItem(ctx, in, o...)
}

func (r *recording) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	r.record("dynamodb:DeleteItem")
	return r.Client.DeleteItem(ctx, in, o...)
}

// layout.Actions, which constructs/resourceapi requires of an Idempotent
// operation's TableAccess, are exactly the actions the store's paths call
// on DynamoDB (a transaction's Put is authorized as dynamodb:PutItem, "Using
// IAM with DynamoDB transactions", DynamoDB Developer Guide): a first run,
// a replay, a released 5xx, a reused key, and Commit's transaction and
// stored 4xx, and the read of the key's holder where DynamoDB does not
// return it.
func TestLayoutActionsAreWhatTheStoreCalls(t *testing.T) {
	client, table := storetest.NewTable(t, srv)
	db := &recording{Client: client}
	s, ctx, runs := idempotency.New(db, table, idempotency.Options{}), context.Background(), &atomic.Int32{}
	r := idempotency.Request{Scope: "client-a", Key: "k-layout", Fingerprint: idempotency.Fingerprint("a")}
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusCreated, http.StatusCreated} {
		if _, err := s.Do(ctx, r, counting(runs, status)); err != nil {
			t.Fatal(err)
		}
	}
	reused := r
	reused.Fingerprint = idempotency.Fingerprint("b")
	s.Do(ctx, reused, counting(runs, http.StatusCreated))
	db.withoutHolder = true
	s.Do(ctx, r, counting(runs, http.StatusCreated))
	db.withoutHolder = false
	transact := func(ctx context.Context, record types.TransactWriteItem) error {
		db.record("dynamodb:PutItem") // the transaction's one item is a Put
		_, err := client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{record}})
		return err
	}
	committed := idempotency.Request{Scope: "client-a", Key: "k-commit", Fingerprint: idempotency.Fingerprint("c")}
	for range 2 {
		if _, err := s.Commit(ctx, committed, httpResponse(http.StatusCreated), transact); err != nil {
			t.Fatal(err)
		}
	}
	refused := idempotency.Request{Scope: "client-a", Key: "k-refused", Fingerprint: idempotency.Fingerprint("d")}
	s.Commit(ctx, refused, httpResponse(http.StatusCreated), func(context.Context, types.TransactWriteItem) error {
		return idempotency.ErrKeyReused // a client error, which Commit stores
	})
	slices.Sort(db.actions)
	want := slices.Sorted(slices.Values(layout.Actions))
	if !slices.Equal(db.actions, want) {
		t.Errorf("the store called %v; layout.Actions is %v", db.actions, want)
	}
}

func httpResponse(status int) httpx.Response {
	return httpx.Response{StatusCode: status, Body: `{"n":1}`}
}
