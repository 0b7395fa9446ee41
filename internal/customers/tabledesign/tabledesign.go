// Package tabledesign owns the layout of the customers table: key and index
// attributes, item types, key prefixes and the formats of the list keys.
// The stacks (key schema, IAM leading keys, index names), the store, the
// list cursor and the stream-to-event mapping all import it, so the
// infrastructure and the handlers cannot drift apart. It imports only the
// standard library, so the stacks link no runtime SDK through it.
//
// One table holds three item types, all under the generic keys pk and sk:
//
//	customer     pk=CUSTOMER#<id>        sk=CUSTOMER
//	e-mail claim pk=EMAIL#<lower email>  sk=EMAIL        (uniqueness, lookup by e-mail)
//	idempotency  pk=IDEMPOTENCY#<key>    sk=IDEMPOTENCY  (expires through TTL)
//
// Customer items also carry two sparse index keys. Their partition keys are
// spread over ListShards shards so that no single index partition takes all
// writes; list requests query every shard and merge newest first.
package tabledesign

import (
	"fmt"
	"regexp"
	"time"
)

const (
	// PartitionKey is the table's partition key attribute.
	PartitionKey = "pk"
	// SortKey is the table's sort key attribute.
	SortKey = "sk"
	// TTLAttribute holds an item's expiry as epoch seconds.
	TTLAttribute = "expiresAt"

	// ListIndex lists every customer, newest first.
	ListIndex = "byCreated"
	// ListPartitionKey is "CUSTOMERS#<shard>".
	ListPartitionKey = "listPk"
	// StatusIndex lists the customers of one status, newest first.
	StatusIndex = "byStatus"
	// StatusPartitionKey is "<status>#<shard>".
	StatusPartitionKey = "statusPk"
	// ListSortKey is "<createdDate RFC 3339>#<customerId>", the sort key of
	// both list indexes.
	ListSortKey = "listSk"

	// ListShards is how many partitions each list index spreads writes over.
	// At 1,000 creates a second each shard takes 125 writes a second, far
	// below a partition's 1,000 write units.
	ListShards = 8
)

// TypeAttribute holds every item's type (the event publisher's stream
// filter selects customer items by it).
const TypeAttribute = "type"

// The attributes of a customer item besides its keys, TypeAttribute and
// the list indexes' keys: the customer's fields, and what each write
// records. They are named here once; internal/customers/store encodes and
// decodes items with them (for its reads, writes and update expressions,
// and for the stream images internal/customers/changes maps to events).
// An e-mail claim has TypeAttribute and CustomerIDAttribute.
const (
	CustomerIDAttribute = "customerId"
	NameAttribute       = "name"
	EmailAttribute      = "email"
	StatusAttribute     = "status"
	// CreatedDateAttribute and UpdatedDateAttribute are strings in
	// TimeLayout.
	CreatedDateAttribute = "createdDate"
	UpdatedDateAttribute = "updatedDate"
	// VersionAttribute is a number: 1 on create, one more on each change.
	VersionAttribute = "version"
	// TraceHeaderAttribute is the X-Ray trace header of the request that
	// wrote the version (absent without one); the event publisher passes
	// it on.
	TraceHeaderAttribute = "traceHeader"
	// WriteTokenAttribute is unique to the update that wrote the version
	// (absent after a create), so that an SDK retry recognizes its own
	// write.
	WriteTokenAttribute = "writeToken"
)

// Item types.
const (
	TypeCustomer    = "customer"
	TypeEmail       = "email"
	TypeIdempotency = "idempotency"
)

// Key prefixes: an item's partition key is its prefix and an id, and its
// sort key is the prefix without the "#".
const (
	CustomerPrefix    = "CUSTOMER#"
	EmailPrefix       = "EMAIL#"
	IdempotencyPrefix = "IDEMPOTENCY#"
	listPrefix        = "CUSTOMERS#"
)

// CustomerKey and EmailKey are the partition and sort key of a customer
// and of an e-mail claim.
func CustomerKey(id string) (pk, sk string)           { return CustomerPrefix + id, "CUSTOMER" }
func EmailKey(email string) (pk, sk string)           { return EmailPrefix + email, "EMAIL" }
func ListPartition(shard int) string                  { return fmt.Sprintf("%s%d", listPrefix, shard) }
func StatusPartition(status string, shard int) string { return fmt.Sprintf("%s#%d", status, shard) }

// LeadingKeys are the dynamodb:LeadingKeys patterns that allow the items
// of the given prefixes.
func LeadingKeys(prefixes ...string) []string {
	out := make([]string, len(prefixes))
	for i, p := range prefixes {
		out[i] = p + "*"
	}
	return out
}

// TimeLayout formats createdDate, updatedDate and the list sort key; its
// fixed width makes timestamps sort as strings.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// ListPosition is a customer's ListSortKey value: its position in the list indexes.
func ListPosition(created time.Time, id string) string {
	return created.UTC().Format(TimeLayout) + "#" + id
}

// ListPositionPattern matches every ListPosition (customer ids are CUST- and
// a ULID).
var ListPositionPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#CUST-[0-9A-HJKMNP-TV-Z]{26}$`)
