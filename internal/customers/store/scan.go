package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
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
