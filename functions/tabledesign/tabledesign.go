// Package tabledesign names the keys, indexes and item types of the
// customers table. The data stack and the DynamoDB repository both import it,
// so the infrastructure and the handlers cannot drift apart. It has no
// dependencies.
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
