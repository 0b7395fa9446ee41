package store

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme/customers-api/internal/customers"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
)

// This file is the customer item's encoding: the one place that turns a
// customers.Customer into the attributes tabledesign names, and back.

func customerKey(id string) map[string]types.AttributeValue { return key(td.CustomerKey(id)) }

func emailKey(email string) map[string]types.AttributeValue { return key(td.EmailKey(email)) }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{td.PartitionKey: str(pk), td.SortKey: str(sk)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// timestamp is a time as the store writes it (td.TimeLayout).
func timestamp(t time.Time) string { return t.UTC().Format(td.TimeLayout) }

// shard spreads customers over the list indexes' partitions.
func shard(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % td.ListShards)
}

// statusPartition is the status index's partition key of a customer.
func statusPartition(id string, status customers.Status) string {
	return td.StatusPartition(string(status), shard(id))
}

// customerItem is c's item, with the X-Ray trace header of the request
// that writes it (none when "").
func customerItem(c customers.Customer, trace string) map[string]types.AttributeValue {
	pk, sk := td.CustomerKey(c.ID)
	item := map[string]types.AttributeValue{
		td.PartitionKey: str(pk), td.SortKey: str(sk), td.TypeAttribute: str(td.TypeCustomer),
		td.CustomerIDAttribute: str(c.ID), td.NameAttribute: str(c.Name), td.EmailAttribute: str(c.Email),
		td.StatusAttribute:      str(string(c.Status)),
		td.CreatedDateAttribute: str(timestamp(c.CreatedDate)), td.UpdatedDateAttribute: str(timestamp(c.UpdatedDate)),
		td.VersionAttribute:   num(c.Version),
		td.ListPartitionKey:   str(td.ListPartition(shard(c.ID))),
		td.StatusPartitionKey: str(statusPartition(c.ID, c.Status)),
		td.ListSortKey:        str(td.ListPosition(c.CreatedDate, c.ID)),
	}
	if trace != "" {
		item[td.TraceHeaderAttribute] = str(trace)
	}
	return item
}

// emailClaim is the item that reserves c's e-mail address for c.
func emailClaim(c customers.Customer) map[string]types.AttributeValue {
	item := emailKey(c.Email)
	item[td.TypeAttribute], item[td.CustomerIDAttribute] = str(td.TypeEmail), str(c.ID)
	return item
}

// attributes reads an item's string (S) and number (N) attributes: "" when
// the attribute is missing or of another type.
type attributes interface {
	s(name string) string
	n(name string) string
}

// sdkItem is an item as the SDK returns it.
type sdkItem map[string]types.AttributeValue

func (it sdkItem) s(name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func (it sdkItem) n(name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberN); ok {
		return v.Value
	}
	return ""
}

// parseTime reads a timestamp as the store writes it.
func parseTime(s string) (time.Time, error) { return time.Parse(td.TimeLayout, s) }

// decodeCustomer reads a customer item. It checks the encoding (an id, the
// timestamps, the version), not the customer's validity.
func decodeCustomer(it attributes) (customers.Customer, error) {
	id := it.s(td.CustomerIDAttribute)
	if id == "" {
		return customers.Customer{}, fmt.Errorf("decode customer: no %s", td.CustomerIDAttribute)
	}
	version, err := strconv.ParseInt(it.n(td.VersionAttribute), 10, 64)
	if err != nil {
		return customers.Customer{}, fmt.Errorf("customer %s: %s: %w", id, td.VersionAttribute, err)
	}
	created, err := parseTime(it.s(td.CreatedDateAttribute))
	if err != nil {
		return customers.Customer{}, fmt.Errorf("customer %s: %s: %w", id, td.CreatedDateAttribute, err)
	}
	updated, err := parseTime(it.s(td.UpdatedDateAttribute))
	if err != nil {
		return customers.Customer{}, fmt.Errorf("customer %s: %s: %w", id, td.UpdatedDateAttribute, err)
	}
	return customers.Customer{
		ID: id, Name: it.s(td.NameAttribute), Email: it.s(td.EmailAttribute), Status: customers.Status(it.s(td.StatusAttribute)),
		CreatedDate: created, UpdatedDate: updated, Version: version,
	}, nil
}

// Image is an item as a DynamoDB stream record carries it (its old or new
// image), read with the layout the store writes.
type Image map[string]events.DynamoDBAttributeValue

func (img Image) s(name string) string {
	if v, ok := img[name]; ok && v.DataType() == events.DataTypeString {
		return v.String()
	}
	return ""
}

func (img Image) n(name string) string {
	if v, ok := img[name]; ok && v.DataType() == events.DataTypeNumber {
		return v.Number()
	}
	return ""
}

// Customer decodes the image; an image that lacks the id, the version or
// a timestamp is an error.
func (img Image) Customer() (customers.Customer, error) { return decodeCustomer(img) }

// ItemType is the image's tabledesign item type ("" when it has none).
func (img Image) ItemType() string { return img.s(td.TypeAttribute) }

// TraceHeader is the X-Ray trace header of the request that wrote the
// image's version ("" when it recorded none).
func (img Image) TraceHeader() string { return img.s(td.TraceHeaderAttribute) }
