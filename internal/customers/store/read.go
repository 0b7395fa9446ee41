package store

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme/customers-api/internal/customers"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
	"github.com/acme/customers-api/lambdakit/ddb"
)

// Get returns the customer with the given id, or customers.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (customers.Customer, error) {
	it, err := s.getItem(ctx, customerKey(id), "customer "+id)
	if err != nil {
		return customers.Customer{}, err
	}
	return decodeCustomer(it)
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
		claim, err := s.getItem(ctx, emailKey(email), "e-mail claim")
		if err != nil {
			return customers.Customer{}, err
		}
		c, err := s.Get(ctx, claim.s(td.CustomerIDAttribute))
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

// getItem reads one item, strongly consistent; a missing item is
// customers.ErrNotFound. what names the item in errors.
func (s *Store) getItem(ctx context.Context, key map[string]types.AttributeValue, what string) (sdkItem, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, ddb.Classify("get "+what, err)
	}
	if out.Item == nil {
		return nil, customers.ErrNotFound
	}
	return out.Item, nil
}
