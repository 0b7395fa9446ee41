// Package store keeps customers in the DynamoDB table described by
// internal/customers/tabledesign. Every write is conditional: creates and e-mail
// changes are transactions that also claim the e-mail address, updates and
// deletes only apply to the version the caller read.
package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme/customers-api/internal/customers"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
	"github.com/acme/customers-api/lambdakit/ddb"
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

type customerItem struct {
	PK          string `dynamodbav:"pk"`
	SK          string `dynamodbav:"sk"`
	Type        string `dynamodbav:"type"`
	CustomerID  string `dynamodbav:"customerId"`
	Name        string `dynamodbav:"name"`
	Email       string `dynamodbav:"email"`
	Status      string `dynamodbav:"status"`
	CreatedDate string `dynamodbav:"createdDate"`
	UpdatedDate string `dynamodbav:"updatedDate"`
	Version     int64  `dynamodbav:"version"`
	ListPK      string `dynamodbav:"listPk"`
	StatusPK    string `dynamodbav:"statusPk"`
	ListSK      string `dynamodbav:"listSk"`
	// TraceHeader is the X-Ray trace of the request that wrote this
	// version; the event publisher passes it on.
	TraceHeader string `dynamodbav:"traceHeader,omitempty"`
	// WriteToken is unique to the update that wrote this version, so that
	// an SDK retry can recognize its own write (see Update).
	WriteToken string `dynamodbav:"writeToken,omitempty"`
}

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

type emailItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	Type       string `dynamodbav:"type"`
	CustomerID string `dynamodbav:"customerId"`
}

func customerKey(id string) map[string]types.AttributeValue { return key(td.CustomerKey(id)) }

func emailKey(email string) map[string]types.AttributeValue { return key(td.EmailKey(email)) }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		td.PartitionKey: &types.AttributeValueMemberS{Value: pk},
		td.SortKey:      &types.AttributeValueMemberS{Value: sk},
	}
}

// shard spreads customers over the list indexes' partitions.
func shard(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % td.ListShards)
}

func toItem(c customers.Customer) customerItem {
	s := shard(c.ID)
	pk, sk := td.CustomerKey(c.ID)
	return customerItem{
		PK: pk, SK: sk, Type: td.TypeCustomer,
		CustomerID: c.ID, Name: c.Name, Email: c.Email, Status: string(c.Status),
		CreatedDate: c.CreatedDate.UTC().Format(td.TimeLayout),
		UpdatedDate: c.UpdatedDate.UTC().Format(td.TimeLayout),
		Version:     c.Version,
		ListPK:      td.ListPartition(s), StatusPK: td.StatusPartition(string(c.Status), s), ListSK: td.ListPosition(c.CreatedDate, c.ID),
	}
}

// ParseTime reads a timestamp as the store writes it.
func ParseTime(s string) (time.Time, error) { return time.Parse(td.TimeLayout, s) }

func fromItem(it customerItem) (customers.Customer, error) {
	created, err := ParseTime(it.CreatedDate)
	if err != nil {
		return customers.Customer{}, fmt.Errorf("customer %s: createdDate: %w", it.CustomerID, err)
	}
	updated, err := ParseTime(it.UpdatedDate)
	if err != nil {
		return customers.Customer{}, fmt.Errorf("customer %s: updatedDate: %w", it.CustomerID, err)
	}
	return customers.Customer{
		ID: it.CustomerID, Name: it.Name, Email: it.Email, Status: customers.Status(it.Status),
		CreatedDate: created, UpdatedDate: updated, Version: it.Version,
	}, nil
}

// Get returns the customer with the given id, or customers.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (customers.Customer, error) {
	var it customerItem
	if err := s.getItem(ctx, customerKey(id), "customer "+id, &it); err != nil {
		return customers.Customer{}, err
	}
	return fromItem(it)
}

// lookupAttempts bounds how often FindByEmail re-reads a claim whose
// customer changed its address between the two reads.
const lookupAttempts = 3

// FindByEmail returns the customer that holds the (normalized) e-mail
// address, or customers.ErrNotFound. The claim and the customer are two
// reads: when the customer no longer has the address by the second one, the
// claim is read again, and a customer is only ever returned with the address
// asked for.
func (s *Store) FindByEmail(ctx context.Context, email string) (customers.Customer, error) {
	for range lookupAttempts {
		var it emailItem
		if err := s.getItem(ctx, emailKey(email), "e-mail claim", &it); err != nil {
			return customers.Customer{}, err
		}
		c, err := s.Get(ctx, it.CustomerID)
		switch {
		case err == nil && c.Email == email:
			return c, nil
		case err != nil && !errors.Is(err, customers.ErrNotFound):
			return customers.Customer{}, err
		}
		// The customer moved to another address, or was deleted, after the
		// claim was read: read the claim again.
	}
	return customers.Customer{}, customers.ErrNotFound
}

// getItem reads one item, strongly consistent, into v; a missing item is
// customers.ErrNotFound. what names the item in errors.
func (s *Store) getItem(ctx context.Context, key map[string]types.AttributeValue, what string, v any) error {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return ddb.Classify("get "+what, err)
	}
	if out.Item == nil {
		return customers.ErrNotFound
	}
	if err := attributevalue.UnmarshalMap(out.Item, v); err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
}

// Create stores a new customer and claims its e-mail address, atomically,
// in one TransactWriteItems, with the items of also after its own (an
// idempotency record, see idempotency.Store.Commit). It returns
// customers.ErrEmailTaken when another customer holds the address; that
// error still wraps the cancellation, so the reasons of also's items can be
// read from it.
func (s *Store) Create(ctx context.Context, c customers.Customer, also ...types.TransactWriteItem) error {
	put, err := s.putCustomer(c, traceOf(ctx))
	if err != nil {
		return err
	}
	claim, err := s.claimEmail(c)
	if err != nil {
		return err
	}
	err = s.transact(ctx, "create customer", append([]types.TransactWriteItem{put, claim}, also...)...)
	if ddb.CancellationReason(err, 1) == "ConditionalCheckFailed" {
		return fmt.Errorf("%w: %w", customers.ErrEmailTaken, err)
	}
	return err
}

// Change is a PUT of a customer's writable fields.
type Change struct {
	ID          string
	Name, Email string
	Status      customers.Status
	// Versions are the versions the stored customer may be at (the strong
	// entity tags of If-Match); AnyVersion accepts any (If-Match: *).
	Versions   []int64
	AnyVersion bool
	// Updated is the updatedDate of the new version.
	Updated time.Time
}

func (ch Change) admits(version int64) bool {
	return ch.AnyVersion || slices.Contains(ch.Versions, version)
}

// Apply writes ch and returns the customer as stored afterwards.
//
// Keeping the e-mail address, it is one round trip: a conditional
// UpdateItem (the version is one ch admits, the address is ch's, and the
// name or status differ) that returns the new item (ReturnValues ALL_NEW).
// When the condition fails, DynamoDB returns the stored item
// (ReturnValuesOnConditionCheckFailure ALL_OLD, see
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html),
// which tells why without another read: no item is ErrNotFound; this
// request's write token means the SDK retried an update that had applied
// (the stored customer is returned); a version ch does not admit is
// ErrVersionMismatch; the same values are no change (the stored customer,
// its version unchanged); another address is an e-mail change, which moves
// the claim in a transaction (Update), the second round trip.
func (s *Store) Apply(ctx context.Context, ch Change) (customers.Customer, error) {
	versionOK := expression.AttributeExists(expression.Name(td.PartitionKey))
	if !ch.AnyVersion {
		if len(ch.Versions) == 0 {
			return customers.Customer{}, fmt.Errorf("apply change to %s: no version to match", ch.ID)
		}
		var others []expression.OperandBuilder
		for _, v := range ch.Versions[1:] {
			others = append(others, expression.Value(v))
		}
		versionOK = expression.Name("version").In(expression.Value(ch.Versions[0]), others...)
	}
	token := rand.Text()
	statusPK := td.StatusPartition(string(ch.Status), shard(ch.ID))
	update := expression.
		Set(expression.Name("name"), expression.Value(ch.Name)).
		Set(expression.Name("status"), expression.Value(string(ch.Status))).
		Set(expression.Name("updatedDate"), expression.Value(ch.Updated.UTC().Format(td.TimeLayout))).
		Set(expression.Name("version"), expression.Name("version").Plus(expression.Value(1))).
		Set(expression.Name(td.StatusPartitionKey), expression.Value(statusPK)).
		Set(expression.Name("traceHeader"), expression.Value(traceOf(ctx))).
		Set(expression.Name("writeToken"), expression.Value(token))
	cond := versionOK.
		And(expression.Name("email").Equal(expression.Value(ch.Email))).
		And(expression.Not(expression.Name("name").Equal(expression.Value(ch.Name)).
			And(expression.Name("status").Equal(expression.Value(string(ch.Status))))))
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(cond).Build()
	if err != nil {
		return customers.Customer{}, fmt.Errorf("build update: %w", err)
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: customerKey(ch.ID),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var failed *types.ConditionalCheckFailedException
	if !errors.As(err, &failed) {
		if err != nil {
			return customers.Customer{}, ddb.Classify("update customer", err)
		}
		return decodeCustomer(out.Attributes)
	}
	if failed.Item == nil {
		return customers.Customer{}, customers.ErrNotFound
	}
	stored, err := decodeCustomer(failed.Item)
	switch {
	case err != nil:
		return customers.Customer{}, err
	case writeTokenOf(failed.Item) == token:
		return stored, nil // the SDK retried this update after it applied
	case !ch.admits(stored.Version):
		return customers.Customer{}, customers.ErrVersionMismatch
	case stored.Email == ch.Email:
		return stored, nil // nothing to change
	}
	next := stored
	next.Name, next.Email, next.Status = ch.Name, ch.Email, ch.Status
	next.Version, next.UpdatedDate = stored.Version+1, ch.Updated
	return next, s.Update(ctx, stored, next)
}

func decodeCustomer(item map[string]types.AttributeValue) (customers.Customer, error) {
	var it customerItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return customers.Customer{}, fmt.Errorf("decode customer: %w", err)
	}
	return fromItem(it)
}

func writeTokenOf(item map[string]types.AttributeValue) string {
	v, _ := item["writeToken"].(*types.AttributeValueMemberS)
	if v == nil {
		return ""
	}
	return v.Value
}

// Update replaces prev with next (next.Version must be prev.Version+1). It
// returns customers.ErrVersionMismatch when the stored customer is no longer
// at prev.Version, and customers.ErrEmailTaken when next's new e-mail address
// belongs to someone else.
func (s *Store) Update(ctx context.Context, prev, next customers.Customer) error {
	it := toItem(next)
	token := rand.Text()
	update := expression.
		Set(expression.Name("name"), expression.Value(it.Name)).
		Set(expression.Name("email"), expression.Value(it.Email)).
		Set(expression.Name("status"), expression.Value(it.Status)).
		Set(expression.Name("updatedDate"), expression.Value(it.UpdatedDate)).
		Set(expression.Name("version"), expression.Value(it.Version)).
		Set(expression.Name(td.StatusPartitionKey), expression.Value(it.StatusPK)).
		Set(expression.Name("traceHeader"), expression.Value(traceOf(ctx))).
		Set(expression.Name("writeToken"), expression.Value(token))
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(sameVersion(prev.Version)).Build()
	if err != nil {
		return fmt.Errorf("build update: %w", err)
	}
	if prev.Email == next.Email {
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &s.table, Key: customerKey(prev.ID),
			UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		var failed *types.ConditionalCheckFailedException
		if errors.As(err, &failed) {
			// An SDK retry of an update whose response was lost fails its
			// condition on the very write it made: if the stored customer
			// carries this update's write token, the update did apply.
			// Otherwise someone else changed the customer, even to the same
			// values in the same millisecond.
			if writeTokenOf(failed.Item) == token {
				return nil
			}
			return customers.ErrVersionMismatch
		}
		return ddb.Classify("update customer", err)
	}
	claim, err := s.claimEmail(next)
	if err != nil {
		return err
	}
	err = s.transact(ctx, "update customer",
		types.TransactWriteItem{Update: &types.Update{
			TableName: &s.table, Key: customerKey(prev.ID),
			UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		}},
		claim,
		s.releaseEmail(prev),
	)
	switch {
	case ddb.CancellationReason(err, 0) == "ConditionalCheckFailed":
		return customers.ErrVersionMismatch
	case ddb.CancellationReason(err, 1) == "ConditionalCheckFailed":
		return customers.ErrEmailTaken
	}
	return err
}

// Delete removes c and releases its e-mail address, if the stored customer
// is still at c.Version; otherwise it returns customers.ErrVersionMismatch.
func (s *Store) Delete(ctx context.Context, c customers.Customer) error {
	cond, err := expression.NewBuilder().WithCondition(sameVersion(c.Version)).Build()
	if err != nil {
		return fmt.Errorf("build delete: %w", err)
	}
	err = s.transact(ctx, "delete customer",
		types.TransactWriteItem{Delete: &types.Delete{
			TableName: &s.table, Key: customerKey(c.ID), ConditionExpression: cond.Condition(),
			ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
		}},
		s.releaseEmail(c),
	)
	if ddb.CancellationReason(err, 0) == "ConditionalCheckFailed" {
		return customers.ErrVersionMismatch
	}
	return err
}

func sameVersion(v int64) expression.ConditionBuilder {
	return expression.Name("version").Equal(expression.Value(v))
}

func (s *Store) putCustomer(c customers.Customer, trace string) (types.TransactWriteItem, error) {
	it := toItem(c)
	it.TraceHeader = trace
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("encode customer: %w", err)
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &s.table, Item: item,
		ConditionExpression: aws.String("attribute_not_exists(" + td.PartitionKey + ")"),
	}}, nil
}

func (s *Store) claimEmail(c customers.Customer) (types.TransactWriteItem, error) {
	emailPK, emailSK := td.EmailKey(c.Email)
	item, err := attributevalue.MarshalMap(emailItem{
		PK: emailPK, SK: emailSK, Type: td.TypeEmail, CustomerID: c.ID,
	})
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("encode e-mail claim: %w", err)
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &s.table, Item: item,
		ConditionExpression: aws.String("attribute_not_exists(" + td.PartitionKey + ")"),
	}}, nil
}

// releaseEmail deletes c's e-mail claim, but only while it is c's.
func (s *Store) releaseEmail(c customers.Customer) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{
		TableName: &s.table, Key: emailKey(c.Email),
		ConditionExpression:       aws.String("customerId = :id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: c.ID}},
	}}
}

// transactAttempts bounds the retries of a transaction that conflicted with
// another one on the same items.
const transactAttempts = 4

func (s *Store) transact(ctx context.Context, op string, items ...types.TransactWriteItem) error {
	var err error
	for attempt := range transactAttempts {
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if !ddb.Conflicted(err) {
			break
		}
		select {
		case <-ctx.Done():
			return ddb.Classify(op, ctx.Err())
		case <-time.After(time.Duration(10*(attempt+1)) * time.Millisecond):
		}
	}
	// A cancellation by a condition keeps its reasons for the caller to map.
	return ddb.Classify(op, err)
}

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
		items []customerItem
		next  map[string]types.AttributeValue // LastEvaluatedKey
		err   error
	}
	shards := make([]shard, td.ListShards)
	pending, limit := make([]int, td.ListShards), ShardLimit(q.Limit)
	for sh := range pending {
		pending[sh] = sh
	}
	var merged []customerItem
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
				var items []customerItem
				r.err = attributevalue.UnmarshalListOfMaps(out.Items, &items)
				r.items, r.next = append(r.items, items...), out.LastEvaluatedKey
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
		slices.SortFunc(merged, func(a, b customerItem) int { return strings.Compare(b.ListSK, a.ListSK) })
		// A shard with more items must be read on while the page is not
		// full or its last item read is newer than the page's last.
		pending, limit = pending[:0], q.Limit
		for sh, r := range shards {
			if r.next != nil && (len(merged) < q.Limit || len(r.items) == 0 || r.items[len(r.items)-1].ListSK > merged[q.Limit-1].ListSK) {
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
		c, err := fromItem(it)
		if err != nil {
			return Page{}, err
		}
		page.Items = append(page.Items, c)
	}
	if more && len(merged) > 0 {
		page.Next = merged[len(merged)-1].ListSK
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

// ScanAPI is what UpdatedBetween needs: a Scan, which no request path
// makes; only operator tools (reconciliation) do.
type ScanAPI interface {
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// UpdatedBetween returns every customer last written in [from, to): a full
// scan of the table, paid in read units for every item, for the
// reconciliation tool.
func UpdatedBetween(ctx context.Context, db ScanAPI, table string, from, to time.Time) ([]customers.Customer, error) {
	filter := expression.Name(td.TypeAttribute).Equal(expression.Value(td.TypeCustomer)).
		And(expression.Name("updatedDate").GreaterThanEqual(expression.Value(from.UTC().Format(td.TimeLayout)))).
		And(expression.Name("updatedDate").LessThan(expression.Value(to.UTC().Format(td.TimeLayout))))
	expr, err := expression.NewBuilder().WithFilter(filter).Build()
	if err != nil {
		return nil, fmt.Errorf("build scan: %w", err)
	}
	var out []customers.Customer
	in := &dynamodb.ScanInput{TableName: &table, FilterExpression: expr.Filter(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values(), ConsistentRead: aws.Bool(true)}
	for {
		page, err := db.Scan(ctx, in)
		if err != nil {
			return nil, ddb.Classify("scan customers", err)
		}
		var items []customerItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, fmt.Errorf("decode customers: %w", err)
		}
		for _, it := range items {
			c, err := fromItem(it)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		if page.LastEvaluatedKey == nil {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
