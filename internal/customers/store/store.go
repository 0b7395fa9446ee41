// Package store keeps customers in the DynamoDB table described by
// internal/customers/tabledesign. Every write is conditional: creates and e-mail
// changes are transactions that also claim the e-mail address, updates and
// deletes only apply to the version the caller read.
//
// Its files follow its seams: item.go is the customer item's layout (the
// one place that names its attributes), read.go the reads of one customer,
// write.go the conditional writes, list.go the sharded listing, and scan.go
// the full scan that only operator tools make.
package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// API is the part of the DynamoDB client the store uses.
type API interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store reads and writes customers.
type Store struct {
	db    API
	table string
}

// New returns a store over the named table.
func New(db API, table string) *Store { return &Store{db: db, table: table} }

type traceKey struct{}

// WithTrace makes the writes made with ctx record the X-Ray trace header
// on the customer item, so that the change's event continues the trace.
func WithTrace(ctx context.Context, header string) context.Context {
	return context.WithValue(ctx, traceKey{}, header)
}

func traceOf(ctx context.Context) string {
	h, _ := ctx.Value(traceKey{}).(string)
	return h
}
