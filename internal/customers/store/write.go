package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme/customers-api/internal/customers"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
	"github.com/acme/customers-api/lambdakit/ddb"
)

// Create stores a new customer and claims its e-mail address, atomically,
// in one TransactWriteItems, with the items of also after its own (an
// idempotency record, see idempotency.Store.Commit). It returns
// customers.ErrEmailTaken when another customer holds the address; that
// error still wraps the cancellation, so the reasons of also's items can be
// read from it.
func (s *Store) Create(ctx context.Context, c customers.Customer, also ...types.TransactWriteItem) error {
	items := []types.TransactWriteItem{s.putNew(customerItem(c, traceOf(ctx))), s.putNew(emailClaim(c))}
	err := s.transact(ctx, "create customer", append(items, also...)...)
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
		versionOK = expression.Name(td.VersionAttribute).In(expression.Value(ch.Versions[0]), others...)
	}
	token := rand.Text()
	update := changeSet(customers.Customer{ID: ch.ID, Name: ch.Name, Status: ch.Status, UpdatedDate: ch.Updated}, traceOf(ctx), token).
		Set(expression.Name(td.VersionAttribute), expression.Name(td.VersionAttribute).Plus(expression.Value(1)))
	cond := versionOK.
		And(expression.Name(td.EmailAttribute).Equal(expression.Value(ch.Email))).
		And(expression.Not(expression.Name(td.NameAttribute).Equal(expression.Value(ch.Name)).
			And(expression.Name(td.StatusAttribute).Equal(expression.Value(string(ch.Status))))))
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
		return decodeCustomer(sdkItem(out.Attributes))
	}
	if failed.Item == nil {
		return customers.Customer{}, customers.ErrNotFound
	}
	stored, err := decodeCustomer(sdkItem(failed.Item))
	switch {
	case err != nil:
		return customers.Customer{}, err
	case sdkItem(failed.Item).s(td.WriteTokenAttribute) == token:
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

// changeSet sets what every change of a customer writes besides its e-mail
// address and version: c's name, status (and status index key) and
// updatedDate, the request's trace header and the change's write token.
func changeSet(c customers.Customer, trace, token string) expression.UpdateBuilder {
	return expression.
		Set(expression.Name(td.NameAttribute), expression.Value(c.Name)).
		Set(expression.Name(td.StatusAttribute), expression.Value(string(c.Status))).
		Set(expression.Name(td.UpdatedDateAttribute), expression.Value(timestamp(c.UpdatedDate))).
		Set(expression.Name(td.StatusPartitionKey), expression.Value(statusPartition(c.ID, c.Status))).
		Set(expression.Name(td.TraceHeaderAttribute), expression.Value(trace)).
		Set(expression.Name(td.WriteTokenAttribute), expression.Value(token))
}

// Update replaces prev with next (next.Version must be prev.Version+1). It
// returns customers.ErrVersionMismatch when the stored customer is no longer
// at prev.Version, and customers.ErrEmailTaken when next's new e-mail address
// belongs to someone else.
func (s *Store) Update(ctx context.Context, prev, next customers.Customer) error {
	token := rand.Text()
	update := changeSet(next, traceOf(ctx), token).
		Set(expression.Name(td.EmailAttribute), expression.Value(next.Email)).
		Set(expression.Name(td.VersionAttribute), expression.Value(next.Version))
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
			if sdkItem(failed.Item).s(td.WriteTokenAttribute) == token {
				return nil
			}
			return customers.ErrVersionMismatch
		}
		return ddb.Classify("update customer", err)
	}
	err = s.transact(ctx, "update customer",
		types.TransactWriteItem{Update: &types.Update{
			TableName: &s.table, Key: customerKey(prev.ID),
			UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		}},
		s.putNew(emailClaim(next)),
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
	return expression.Name(td.VersionAttribute).Equal(expression.Value(v))
}

// putNew writes item, unless an item with its key exists.
func (s *Store) putNew(item map[string]types.AttributeValue) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &s.table, Item: item,
		ConditionExpression: aws.String("attribute_not_exists(" + td.PartitionKey + ")"),
	}}
}

// releaseEmail deletes c's e-mail claim, but only while it is c's.
func (s *Store) releaseEmail(c customers.Customer) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{
		TableName: &s.table, Key: emailKey(c.Email),
		ConditionExpression:       aws.String(td.CustomerIDAttribute + " = :id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": str(c.ID)},
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
			// The deadline came during the pause: the conflict is the
			// answer, with its reasons (idempotency.Store.Commit reads a
			// TransactionConflict as a duplicate in flight, a 409).
			return ddb.Classify(op, err)
		case <-time.After(time.Duration(10*(attempt+1)) * time.Millisecond):
		}
	}
	// A cancellation by a condition keeps its reasons for the caller to map.
	return ddb.Classify(op, err)
}
