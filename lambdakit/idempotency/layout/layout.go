// Package layout is what lambdakit/idempotency needs of a DynamoDB table
// and of the handler's permissions, as plain data: the store uses these
// names, and constructs/resourceapi checks an Idempotent operation's table
// and TableAccess against them at synth. It has no dependencies, so
// infrastructure code imports it without linking any runtime SDK.
package layout

const (
	// PartitionKey and SortKey are the table's key attributes, both
	// strings.
	PartitionKey = "pk"
	SortKey      = "sk"
	// TTLAttribute is the table's TTL attribute: a record expires at the
	// epoch second it holds.
	TTLAttribute = "expiresAt"
	// KeyPrefix starts the partition key of every record: a policy that
	// limits dynamodb:LeadingKeys must admit KeyPrefix+"*".
	KeyPrefix = "IDEMPOTENCY#"
)

// Actions are the DynamoDB actions the store calls on the table (Do:
// PutItem, GetItem, UpdateItem; Commit: PutItem, and the Put it hands to
// the operation's TransactWriteItems, which IAM authorizes as PutItem).
var Actions = []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
