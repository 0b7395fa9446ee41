package store

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme/customers-api/internal/customers"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
)

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
