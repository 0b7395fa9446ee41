// Package ddbmeter measures the DynamoDB calls a piece of code makes, with a
// smithy-go middleware on the SDK client: how many calls, how many of them
// one after another (round trips in sequence: calls that overlap in time,
// such as parallel queries, count once), and the request units they consume.
//
// moto's ReturnConsumedCapacity is not used: it reports a constant per call
// (1.0, or 0.5 for a GetItem) whatever the item sizes, and nothing for
// TransactWriteItems (moto/dynamodb/responses.py, include_consumed_capacity
// and transact_write_items). Units are computed instead from the items'
// sizes by DynamoDB's documented rules:
//
//   - item size: the sum of the attribute names' and values' sizes, per
//     https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
//     (see Size);
//   - reads, per https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html:
//     one unit per 4 KB (rounded up, at least one) of the item (GetItem) or
//     of all the items returned (Query, Scan), half for an eventually
//     consistent read;
//   - writes, on the same page: one unit per 1 KB (rounded up, at least
//     one) of the larger of the item before and after the write; a
//     conditional write whose condition fails still consumes the units of
//     the existing item, at least one (the conditional writes section of
//     https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html);
//     inside TransactWriteItems, two units per 1 KB
//     (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling);
//   - global secondary indexes, per
//     https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes:
//     a write that adds an item to an index, or changes a projected
//     attribute of an indexed item, costs one write of the projected item;
//     removing it, one write of the old one; changing its index key, both.
//
// To size the items a write touches, the meter reads them before and after
// the call through another, unmetered client (peek). Units of a cancelled
// transaction are not priced: DynamoDB documents none for it.
// An operation the meter does not know is recorded as such, and Summarize
// refuses it.
package ddbmeter

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// Index is a global secondary index that projects ALL attributes.
type Index struct{ PartitionKey, SortKey string }

// Meter records the calls of the clients it is added to.
type Meter struct {
	peek    *dynamodb.Client
	keys    []string // the table's key attributes
	indexes []Index
	mu      sync.Mutex
	calls   []Call
}

// Call is one DynamoDB call as the SDK made it (its retries included).
type Call struct {
	Operation  string
	Start, End time.Time
	Failed     bool
	// ReadUnits and WriteUnits are the table's request units;
	// IndexWriteUnits those of its global secondary indexes.
	ReadUnits, WriteUnits, IndexWriteUnits float64
	// Unpriced is a cancelled transaction, whose units are not documented.
	Unpriced bool
	// Unknown is an operation the meter cannot price.
	Unknown bool
	// Requests are what IAM authorizes the call as (none when Unknown).
	Requests []Request
}

// Request is one action IAM authorizes a call as: a GetItem, PutItem,
// UpdateItem or DeleteItem on one item, whose partition key value is what
// the dynamodb:LeadingKeys condition key compares
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html);
// each item of a TransactWriteItems is authorized as its own PutItem,
// UpdateItem, DeleteItem or ConditionCheckItem
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html);
// a Query or Scan is authorized on the table or on the index it names.
type Request struct {
	// Action is the IAM action, e.g. "dynamodb:PutItem".
	Action string
	// PartitionKey is the item's partition key value ("" for a Query or
	// Scan).
	PartitionKey string
	// Index is the index a Query or Scan reads ("" for the table).
	Index string
}

// New returns a meter for one table with the given key attributes (the
// partition key first) and global secondary indexes; peek reads the items
// writes touch and must not be metered itself.
func New(peek *dynamodb.Client, keyAttributes []string, indexes ...Index) *Meter {
	return &Meter{peek: peek, keys: keyAttributes, indexes: indexes}
}

// AddTo adds the meter's middleware to every client built from cfg.
func (m *Meter) AddTo(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("ddbmeter", m.handle), middleware.Before)
	})
}

// Take returns the calls recorded since the last Take and forgets them.
func (m *Meter) Take() []Call {
	m.mu.Lock()
	defer m.mu.Unlock()
	calls := m.calls
	m.calls = nil
	return calls
}

// write is one item a call writes.
type write struct {
	table         string
	key           map[string]types.AttributeValue
	transactional bool
}

func (m *Meter) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	call := Call{Operation: middleware.GetOperationName(ctx), Requests: m.requests(in.Parameters)}
	writes, known := m.writes(in.Parameters)
	peekCtx := context.WithoutCancel(ctx)
	before := m.items(peekCtx, writes)
	call.Start = time.Now()
	out, md, err := next.HandleInitialize(ctx, in)
	call.End = time.Now()
	call.Failed = err != nil
	switch p := in.Parameters.(type) {
	case *dynamodb.GetItemInput:
		if o, ok := out.Result.(*dynamodb.GetItemOutput); ok {
			call.ReadUnits = readUnits(Size(o.Item), aws.ToBool(p.ConsistentRead))
		}
	case *dynamodb.QueryInput:
		if o, ok := out.Result.(*dynamodb.QueryOutput); ok {
			call.ReadUnits = readUnits(sizes(o.Items), aws.ToBool(p.ConsistentRead))
		}
	case *dynamodb.ScanInput:
		if o, ok := out.Result.(*dynamodb.ScanOutput); ok {
			call.ReadUnits = readUnits(sizes(o.Items), aws.ToBool(p.ConsistentRead))
		}
	default:
		call.Unknown = !known
	}
	if len(writes) > 0 {
		after := m.items(peekCtx, writes)
		call.Unpriced = err != nil && writes[0].transactional
		if !call.Unpriced {
			for i, w := range writes {
				call.WriteUnits += writeUnits(max(Size(before[i]), Size(after[i])), w.transactional)
				if err == nil {
					call.IndexWriteUnits += m.indexUnits(before[i], after[i])
				}
			}
		}
	}
	m.mu.Lock()
	m.calls = append(m.calls, call)
	m.mu.Unlock()
	return out, md, err
}

// writes lists the items a call writes; known is false for an operation
// the meter does not know.
func (m *Meter) writes(params any) (ws []write, known bool) {
	switch p := params.(type) {
	case *dynamodb.GetItemInput, *dynamodb.QueryInput, *dynamodb.ScanInput:
		return nil, true
	case *dynamodb.PutItemInput:
		return []write{{aws.ToString(p.TableName), m.keyOf(p.Item), false}}, true
	case *dynamodb.UpdateItemInput:
		return []write{{aws.ToString(p.TableName), p.Key, false}}, true
	case *dynamodb.DeleteItemInput:
		return []write{{aws.ToString(p.TableName), p.Key, false}}, true
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range p.TransactItems {
			switch {
			case it.Put != nil:
				ws = append(ws, write{aws.ToString(it.Put.TableName), m.keyOf(it.Put.Item), true})
			case it.Update != nil:
				ws = append(ws, write{aws.ToString(it.Update.TableName), it.Update.Key, true})
			case it.Delete != nil:
				ws = append(ws, write{aws.ToString(it.Delete.TableName), it.Delete.Key, true})
			case it.ConditionCheck != nil:
				ws = append(ws, write{aws.ToString(it.ConditionCheck.TableName), it.ConditionCheck.Key, true})
			}
		}
		return ws, true
	}
	return nil, false
}

// requests are what IAM authorizes the call of params as (see Request);
// nil for an operation the meter does not know.
func (m *Meter) requests(params any) []Request {
	item := func(action string, key map[string]types.AttributeValue) Request {
		pk, _ := key[m.keys[0]].(*types.AttributeValueMemberS)
		r := Request{Action: "dynamodb:" + action}
		if pk != nil {
			r.PartitionKey = pk.Value
		}
		return r
	}
	switch p := params.(type) {
	case *dynamodb.GetItemInput:
		return []Request{item("GetItem", p.Key)}
	case *dynamodb.PutItemInput:
		return []Request{item("PutItem", p.Item)}
	case *dynamodb.UpdateItemInput:
		return []Request{item("UpdateItem", p.Key)}
	case *dynamodb.DeleteItemInput:
		return []Request{item("DeleteItem", p.Key)}
	case *dynamodb.QueryInput:
		return []Request{{Action: "dynamodb:Query", Index: aws.ToString(p.IndexName)}}
	case *dynamodb.ScanInput:
		return []Request{{Action: "dynamodb:Scan", Index: aws.ToString(p.IndexName)}}
	case *dynamodb.TransactWriteItemsInput:
		var rs []Request
		for _, it := range p.TransactItems {
			switch {
			case it.Put != nil:
				rs = append(rs, item("PutItem", it.Put.Item))
			case it.Update != nil:
				rs = append(rs, item("UpdateItem", it.Update.Key))
			case it.Delete != nil:
				rs = append(rs, item("DeleteItem", it.Delete.Key))
			case it.ConditionCheck != nil:
				rs = append(rs, item("ConditionCheckItem", it.ConditionCheck.Key))
			}
		}
		return rs
	}
	return nil
}

func (m *Meter) keyOf(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	key := map[string]types.AttributeValue{}
	for _, k := range m.keys {
		key[k] = item[k]
	}
	return key
}

// items reads the written items as they are now (nil where none).
func (m *Meter) items(ctx context.Context, ws []write) []map[string]types.AttributeValue {
	out := make([]map[string]types.AttributeValue, len(ws))
	for i, w := range ws {
		if got, err := m.peek.GetItem(ctx, &dynamodb.GetItemInput{TableName: &w.table, Key: w.key, ConsistentRead: aws.Bool(true)}); err == nil {
			out[i] = got.Item
		}
	}
	return out
}

// indexUnits are the index writes of changing an item from before to
// after (either nil when absent).
func (m *Meter) indexUnits(before, after map[string]types.AttributeValue) float64 {
	units := 0.0
	for _, ix := range m.indexes {
		inBefore := before[ix.PartitionKey] != nil && before[ix.SortKey] != nil
		inAfter := after[ix.PartitionKey] != nil && after[ix.SortKey] != nil
		sameKey := inBefore && inAfter && equal(before[ix.PartitionKey], after[ix.PartitionKey]) && equal(before[ix.SortKey], after[ix.SortKey])
		switch {
		case sameKey:
			if !equal(before, after) {
				units += writeUnits(Size(after), false)
			}
		default:
			if inBefore {
				units += writeUnits(Size(before), false)
			}
			if inAfter {
				units += writeUnits(Size(after), false)
			}
		}
	}
	return units
}

// equal compares attribute values (or items) by value, nested ones
// included.
func equal(a, b any) bool { return reflect.DeepEqual(a, b) }

func readUnits(bytes int, consistent bool) float64 {
	u := math.Ceil(float64(max(bytes, 1)) / 4096)
	if !consistent {
		u /= 2
	}
	return u
}

func writeUnits(bytes int, transactional bool) float64 {
	u := math.Ceil(float64(max(bytes, 1)) / 1024)
	if transactional {
		u *= 2
	}
	return u
}

func sizes(items []map[string]types.AttributeValue) int {
	n := 0
	for _, it := range items {
		n += Size(it)
	}
	return n
}

// Size is an item's size in bytes as DynamoDB counts it
// (CapacityUnitCalculations.html): each attribute's name and value; a
// number takes one byte per two significant digits plus one; a null or
// Boolean one byte; a list or map three bytes, plus its elements, plus
// one byte per element; a set the sum of its elements.
func Size(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return numberSize(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range v.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += valueSize(e) + 1
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += len(k) + valueSize(e) + 1
		}
		return n
	}
	panic(fmt.Sprintf("ddbmeter: unknown attribute value %T", v))
}

// numberSize: leading and trailing zeros, the sign and the decimal point
// do not count; one byte per two significant digits, plus one.
func numberSize(s string) int {
	s = strings.TrimLeft(s, "+-")
	mantissa, _, _ := strings.Cut(strings.ToLower(s), "e")
	digits := strings.Trim(strings.ReplaceAll(mantissa, ".", ""), "0")
	return (len(digits)+1)/2 + 1
}

// Summary is what a sequence of calls costs.
type Summary struct {
	// Sequential is the longest chain of calls each of which started after
	// the previous one ended: the round trips a request waits for.
	Sequential int
	// Total is every call.
	Total int
	// Operations names the calls in order of their start.
	Operations                             []string
	ReadUnits, WriteUnits, IndexWriteUnits float64
	// Unpriced counts cancelled transactions, whose units are not included.
	Unpriced int
	// Requests are the calls' Requests, in order of their start.
	Requests []Request
}

// Summarize adds up calls; an unknown operation is an error.
func Summarize(calls []Call) (Summary, error) {
	calls = slices.Clone(calls)
	slices.SortFunc(calls, func(a, b Call) int { return a.Start.Compare(b.Start) })
	s := Summary{Total: len(calls)}
	chain := make([]int, len(calls))
	for i, c := range calls {
		if c.Unknown {
			return Summary{}, fmt.Errorf("ddbmeter: cannot price %s", c.Operation)
		}
		chain[i] = 1
		for j := range i {
			if !calls[j].End.After(c.Start) {
				chain[i] = max(chain[i], chain[j]+1)
			}
		}
		s.Sequential = max(s.Sequential, chain[i])
		s.Operations = append(s.Operations, c.Operation)
		s.Requests = append(s.Requests, c.Requests...)
		s.ReadUnits += c.ReadUnits
		s.WriteUnits += c.WriteUnits
		s.IndexWriteUnits += c.IndexWriteUnits
		if c.Unpriced {
			s.Unpriced++
		}
	}
	return s, nil
}
