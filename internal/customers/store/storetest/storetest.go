// Package storetest creates customers tables in a moto server for tests,
// with the keys and indexes of internal/customers/tabledesign.
package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	td "github.com/acme/customers-api/internal/customers/tabledesign"
	"github.com/acme/customers-api/internal/testenv/moto"
	"github.com/acme/customers-api/lambdakit/ddb"
)

var tables atomic.Int64

// NewTable creates a fresh customers table (with its stream and TTL) and
// returns a client for the server and the table's name.
func NewTable(t testing.TB, srv *moto.Server) (*dynamodb.Client, string) {
	t.Helper()
	db := ddb.New(srv.Config())
	name := fmt.Sprintf("customers-%d", tables.Add(1))
	if err := CreateTable(context.Background(), db, name); err != nil {
		t.Fatal(err)
	}
	return db, name
}

// CreateTable creates a customers table with the keys, indexes, stream and
// TTL of internal/customers/tabledesign.
func CreateTable(ctx context.Context, db *dynamodb.Client, name string) error {
	index := func(name, pk string) types.GlobalSecondaryIndex {
		return types.GlobalSecondaryIndex{
			IndexName:  aws.String(name),
			KeySchema:  keySchema(pk, td.ListSortKey),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}
	}
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema:   keySchema(td.PartitionKey, td.SortKey),
		AttributeDefinitions: []types.AttributeDefinition{
			stringAttr(td.PartitionKey), stringAttr(td.SortKey), stringAttr(td.ListPartitionKey),
			stringAttr(td.StatusPartitionKey), stringAttr(td.ListSortKey),
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			index(td.ListIndex, td.ListPartitionKey), index(td.StatusIndex, td.StatusPartitionKey),
		},
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
	})
	if err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	_, err = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(td.TTLAttribute), Enabled: aws.Bool(true)},
	})
	if err != nil {
		return fmt.Errorf("enable TTL: %w", err)
	}
	return nil
}

func keySchema(pk, sk string) []types.KeySchemaElement {
	return []types.KeySchemaElement{
		{AttributeName: aws.String(pk), KeyType: types.KeyTypeHash},
		{AttributeName: aws.String(sk), KeyType: types.KeyTypeRange},
	}
}

func stringAttr(name string) types.AttributeDefinition {
	return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
}
