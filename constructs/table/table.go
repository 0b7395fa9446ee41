// Package table creates a DynamoDB table with the defaults this project
// treats as non-negotiable: on-demand billing, point-in-time recovery,
// encryption at rest with the AWS-managed key, Contributor Insights on the
// table and every index (the throttle alarms send operators there; at least
// the most throttled keys), and string keys.
package table

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/internal/cdkx"
)

// Index is a global secondary index projecting all attributes.
type Index struct {
	Name         string
	PartitionKey string
	SortKey      string
}

// InsightsMode is what CloudWatch Contributor Insights records on the
// table and its indexes: the CloudFormation ContributorInsightsSpecification
// Mode (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-dynamodb-table-contributorinsightsspecification.html).
type InsightsMode string

const (
	// InsightsAccessedAndThrottledKeys records every read and write: the
	// most accessed and the most throttled keys. Contributor Insights is
	// billed per event, and every item read or written is one, on the table
	// and on each index it touches.
	InsightsAccessedAndThrottledKeys InsightsMode = "ACCESSED_AND_THROTTLED_KEYS"
	// InsightsThrottledKeys records only throttled requests: the most
	// throttled keys, which is what a throttle alarm's diagnosis needs, at
	// no cost while nothing is throttled.
	InsightsThrottledKeys InsightsMode = "THROTTLED_KEYS"
)

// Props describes a table. String keys only: every key in this design is a
// composite string.
type Props struct {
	// PartitionKey is required; SortKey is optional.
	PartitionKey string
	SortKey      string
	// Indexes are global secondary indexes.
	Indexes []Index
	// TTLAttribute, when set, expires items at the epoch second it holds.
	TTLAttribute string
	// Stream publishes new and old images of every change.
	Stream bool
	// Retain turns on deletion protection and keeps the table when its
	// stack is deleted. Leave it off only for disposable environments.
	Retain bool
	// Name, when set, is the table's physical name, so that other stacks
	// can address it without a CloudFormation export (which would lock the
	// table). A named table cannot be replaced by CloudFormation: a change
	// that needs a new table needs a new name.
	Name string
	// LogicalID pins the CloudFormation logical ID, so that refactoring the
	// construct tree never replaces the table. Required.
	LogicalID string
	// ContributorInsights is what Contributor Insights records on the table
	// and every index; any other value is an error.
	// Default: InsightsAccessedAndThrottledKeys (what this construct always did).
	ContributorInsights InsightsMode
}

// Table is the created table.
type Table struct {
	constructs.Construct
	Table awsdynamodb.Table
}

// New creates the table; invalid props become error annotations.
func New(scope constructs.Construct, id string, props Props) *Table {
	c := constructs.NewConstruct(scope, jsii.String(id))
	if props.PartitionKey == "" {
		cdkx.Error(c, "table: PartitionKey is required")
		props.PartitionKey = "pk"
	}
	if props.LogicalID == "" {
		cdkx.Error(c, "table: LogicalID is required so the table is never replaced by a refactoring")
	}
	mode := awsdynamodb.ContributorInsightsMode_ACCESSED_AND_THROTTLED_KEYS
	switch props.ContributorInsights {
	case "", InsightsAccessedAndThrottledKeys:
	case InsightsThrottledKeys:
		mode = awsdynamodb.ContributorInsightsMode_THROTTLED_KEYS
	default:
		cdkx.Error(c, "table: ContributorInsights %q must be %s or %s", props.ContributorInsights, InsightsAccessedAndThrottledKeys, InsightsThrottledKeys)
	}
	tp := &awsdynamodb.TableProps{
		TableName:    cdkx.OptionalString(props.Name),
		PartitionKey: attribute(props.PartitionKey),
		SortKey:      optionalAttribute(props.SortKey),
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		Encryption:   awsdynamodb.TableEncryption_AWS_MANAGED,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection:               jsii.Bool(props.Retain),
		RemovalPolicy:                    cdkx.RemovalPolicy(props.Retain),
		TimeToLiveAttribute:              cdkx.OptionalString(props.TTLAttribute),
		ContributorInsightsSpecification: insights(mode),
	}
	if props.Stream {
		tp.Stream = awsdynamodb.StreamViewType_NEW_AND_OLD_IMAGES
	}
	t := awsdynamodb.NewTable(c, jsii.String("Table"), tp)
	for _, ix := range props.Indexes {
		t.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:                        jsii.String(ix.Name),
			PartitionKey:                     attribute(ix.PartitionKey),
			SortKey:                          optionalAttribute(ix.SortKey),
			ProjectionType:                   awsdynamodb.ProjectionType_ALL,
			ContributorInsightsSpecification: insights(mode),
		})
	}
	if props.LogicalID != "" {
		if owner := logicalIDOwner(c, props.LogicalID); owner != "" {
			cdkx.Error(c, "table: LogicalID %q is already the logical id of %s in this stack; give each table its own", props.LogicalID, owner)
		} else {
			t.Node().DefaultChild().(awsdynamodb.CfnTable).OverrideLogicalId(jsii.String(props.LogicalID))
		}
	}
	return &Table{Construct: c, Table: t}
}

// logicalIDOwner is the path of the element of c's stack whose logical id
// is id, or "" when there is none yet. A template's Resources hold each
// logical id once ("Resources", CloudFormation User Guide: "The logical ID
// must be ... unique within the template"); CDK fails a stack that breaks
// this with an exception at synth, which in Go is a panic that hides every
// annotation. Elements added after the table are not seen.
func logicalIDOwner(c constructs.Construct, id string) string {
	stack := awscdk.Stack_Of(c)
	for _, n := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		el, ok := n.(awscdk.CfnElement)
		if !ok || !*awscdk.CfnElement_IsCfnElement(n) {
			continue
		}
		if got, ok := stack.Resolve(el.LogicalId()).(string); ok && got == id {
			return *n.Node().Path()
		}
	}
	return ""
}

// insights turns on Contributor Insights in mode; either mode shows the
// most throttled keys, which a throttle or hot-partition incident needs.
func insights(mode awsdynamodb.ContributorInsightsMode) *awsdynamodb.ContributorInsightsSpecification {
	return &awsdynamodb.ContributorInsightsSpecification{Enabled: jsii.Bool(true), Mode: mode}
}

func attribute(name string) *awsdynamodb.Attribute {
	return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_STRING}
}

func optionalAttribute(name string) *awsdynamodb.Attribute {
	if name == "" {
		return nil
	}
	return attribute(name)
}
