package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/eventfanout"
	"github.com/acme/customers-api/constructs/table"
	"github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/customers/tabledesign"
)

// DataStackProps configures the stateful stack.
type DataStackProps struct {
	awscdk.StackProps
	Env config.Environment
}

// DataStack holds the stateful resources, kept apart from the stateless ones
// so that the API can be replaced freely: the table, and the event bus with
// its archive (a bus has a fixed name; retained in the Api stack, it would
// make the next create of that stack fail).
type DataStack struct {
	awscdk.Stack
	// Table is the customers table.
	Table awsdynamodb.Table
	// Events is the customers event bus and its archive.
	Events *eventfanout.Bus
}

// NewDataStack creates the customers table with the key design in
// internal/customers/tabledesign.
func NewDataStack(scope constructs.Construct, id string, props DataStackProps) *DataStack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	tp := tableProps(props.Env)
	tp.PartitionKey, tp.SortKey, tp.TTLAttribute = tabledesign.PartitionKey, tabledesign.SortKey, tabledesign.TTLAttribute
	tp.Indexes = []table.Index{
		{Name: tabledesign.ListIndex, PartitionKey: tabledesign.ListPartitionKey, SortKey: tabledesign.ListSortKey},
		{Name: tabledesign.StatusIndex, PartitionKey: tabledesign.StatusPartitionKey, SortKey: tabledesign.ListSortKey},
	}
	tp.Stream, tp.LogicalID = true, "CustomersTable"
	t := table.New(stack, "Customers", tp)
	publish(stack, "StreamArnParameter", props.Env, streamARNParameter, t.Table.TableStreamArn())
	bp := busProps(props.Env)
	bp.EventSource = contract.EventSource
	bus := eventfanout.NewBus(stack, "Events", bp)
	return &DataStack{Stack: stack, Table: t.Table, Events: bus}
}
