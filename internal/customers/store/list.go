package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme/customers-api/internal/customers"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
	"github.com/acme/customers-api/lambdakit/ddb"
)

// ListQuery selects a page of customers, newest first.
type ListQuery struct {
	// Status, when set, lists only customers with that status.
	Status customers.Status
	// Limit is the page size.
	Limit int
	// After is the ListSortKey of the last customer of the previous page.
	After string
}

// Page is one page of a listing.
type Page struct {
	Items []customers.Customer
	// Next is the ListSortKey to pass as After for the next page; "" on the
	// last page.
	Next string
}

// ShardLimit is how many items List first asks each shard for, for a page
// of n: twice a shard's even share, plus 2, never more than n. A shard is
// a hash of the id, so each holds about n/ListShards of the n newest; the
// first queries read about a third of what n from every shard would, and
// a shard that holds more than that is read again: a second round trip for
// about 1.5% of pages of 20 (a shard holding 8 or more of the 20, by the
// binomial distribution with p = 1/8).
func ShardLimit(n int) int { return min(n, 2*((n+td.ListShards-1)/td.ListShards)+2) }

// List returns a page of customers, newest first. It queries every shard of
// the list index in parallel (ShardLimit items each) and merges the results;
// a shard whose unread items could still belong to the page is queried
// again, for a whole page.
func (s *Store) List(ctx context.Context, q ListQuery) (Page, error) {
	type shard struct {
		items []sdkItem
		next  map[string]types.AttributeValue // LastEvaluatedKey
		err   error
	}
	shards := make([]shard, td.ListShards)
	pending, limit := make([]int, td.ListShards), ShardLimit(q.Limit)
	for sh := range pending {
		pending[sh] = sh
	}
	var merged []sdkItem
	for len(pending) > 0 {
		var wg sync.WaitGroup
		for _, sh := range pending {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := &shards[sh]
				in, err := s.shardQuery(q, sh)
				if err != nil {
					r.err = err
					return
				}
				in.Limit, in.ExclusiveStartKey = aws.Int32(int32(limit)), r.next
				out, err := s.db.Query(ctx, in)
				if err != nil {
					r.err = ddb.Classify("list customers", err)
					return
				}
				for _, it := range out.Items {
					r.items = append(r.items, it)
				}
				r.next = out.LastEvaluatedKey
			}()
		}
		wg.Wait()
		merged = merged[:0]
		for _, r := range shards {
			if r.err != nil {
				return Page{}, r.err
			}
			merged = append(merged, r.items...)
		}
		slices.SortFunc(merged, func(a, b sdkItem) int { return strings.Compare(b.s(td.ListSortKey), a.s(td.ListSortKey)) })
		// A shard with more items must be read on while the page is not
		// full or its last item read is newer than the page's last.
		pending, limit = pending[:0], q.Limit
		for sh, r := range shards {
			if r.next != nil && (len(merged) < q.Limit || len(r.items) == 0 || r.items[len(r.items)-1].s(td.ListSortKey) > merged[q.Limit-1].s(td.ListSortKey)) {
				pending = append(pending, sh)
			}
		}
	}
	more := len(merged) > q.Limit
	for _, r := range shards {
		more = more || r.next != nil
	}
	if len(merged) > q.Limit {
		merged = merged[:q.Limit]
	}
	page := Page{Items: make([]customers.Customer, 0, len(merged))}
	for _, it := range merged {
		c, err := decodeCustomer(it)
		if err != nil {
			return Page{}, err
		}
		page.Items = append(page.Items, c)
	}
	if more && len(merged) > 0 {
		page.Next = merged[len(merged)-1].s(td.ListSortKey)
	}
	return page, nil
}

func (s *Store) shardQuery(q ListQuery, sh int) (*dynamodb.QueryInput, error) {
	index, pkName, pk := td.ListIndex, td.ListPartitionKey, td.ListPartition(sh)
	if q.Status != "" {
		index, pkName, pk = td.StatusIndex, td.StatusPartitionKey, td.StatusPartition(string(q.Status), sh)
	}
	keyCond := expression.Key(pkName).Equal(expression.Value(pk))
	if q.After != "" {
		keyCond = keyCond.And(expression.Key(td.ListSortKey).LessThan(expression.Value(q.After)))
	}
	expr, err := expression.NewBuilder().WithKeyCondition(keyCond).Build()
	if err != nil {
		return nil, fmt.Errorf("build list query: %w", err)
	}
	return &dynamodb.QueryInput{
		TableName: &s.table, IndexName: aws.String(index),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(q.Limit)),
	}, nil
}
