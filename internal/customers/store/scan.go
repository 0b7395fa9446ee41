package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/acme/customers-api/internal/customers"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
	"github.com/acme/customers-api/lambdakit/ddb"
)

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
		And(expression.Name(td.UpdatedDateAttribute).GreaterThanEqual(expression.Value(timestamp(from)))).
		And(expression.Name(td.UpdatedDateAttribute).LessThan(expression.Value(timestamp(to))))
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
		for _, it := range page.Items {
			c, err := decodeCustomer(sdkItem(it))
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
