package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/eventfanout"
	"github.com/acme/customers-api/constructs/resourceapi"
	"github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/internal/customers/contract"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
)

// ApiStackProps configures the stateless stack. It finds the table and the
// user pool of its environment by name and SSM parameter (see
// references.go), or imports Env.Auth.ExistingUserPoolID.
type ApiStackProps struct {
	awscdk.StackProps
	Env config.Environment
}

// ApiStack holds everything stateless: the customers resource API (REST API,
// functions, event fan-out, alarms and dashboard).
type ApiStack struct {
	awscdk.Stack
	Customers *resourceapi.ResourceAPI
}

// NewApiStack builds the customers API through the public resourceapi
// construct, as any other team would.
func NewApiStack(scope constructs.Construct, id string, props ApiStackProps) *ApiStack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	env := props.Env
	table := awsdynamodb.Table_FromTableAttributes(stack, jsii.String("Table"), &awsdynamodb.TableAttributes{
		TableName: jsii.String(TableName(env)), TableStreamArn: resolve(stack, env, streamARNParameter),
	})
	var ops []resourceapi.Operation
	for _, op := range contract.Operations {
		ops = append(ops, resourceapi.Operation{
			Name: string(op.Name), Method: op.Method, Path: op.Path, Entry: op.Entry, Scopes: []string{op.Scope},
			BodyModel: op.BodyModel, BodySchema: contract.Schema(op.BodySchema),
			QuerySchema: contract.Schema(op.QuerySchema), PathSchema: contract.Schema(op.PathSchema),
			Access: resourceapi.TableAccess{Actions: op.Table.Actions, LeadingKeys: td.LeadingKeys(op.Table.KeyPrefixes...),
				IndexActions: op.Table.IndexActions, Indexes: op.Table.Indexes},
			Write: op.Write,
		})
	}
	p := apiProps(env)
	p.Operations, p.Table, p.UserPool = ops, table, userPool(stack, env)
	p.Rollout.SmokeCheckEntry = "functions/smoke-check"
	p.Alarms.MetricsNamespace = contract.MetricsNamespace
	p.Events.ItemType, p.Events.EventSource = td.TypeCustomer, contract.EventSource
	p.Events.PublisherEntry, p.Events.ForwarderEntry = "functions/publish-customer-events", "functions/forward-events"
	// The bus and its archive live in the Data stack (see DataStack).
	p.Events.Bus = awsevents.EventBus_FromEventBusName(stack, jsii.String("Bus"), jsii.String(BusName(env)))
	// The seed's consumers: analytics gets every event, CRM new customers
	// and status changes.
	p.Events.Rules = []eventfanout.Rule{
		{Name: "analytics"},
		{Name: "crm", DetailTypes: []string{contract.EventCreated, contract.EventStatusChanged}},
	}
	customers := resourceapi.New(stack, "Customers", p)
	// What the recovery runbook (README: Recovering events after a
	// publisher outage) passes to tools/recover.
	ev := customers.Events
	for _, o := range []struct{ id, value, what string }{
		{"EventTopicArn", *ev.Topic.TopicArn(), "tools/recover -topic"},
		{"PublisherDLQUrl", *ev.PublisherDLQ.QueueUrl(), "tools/recover redrive -queue"},
		{"EventRecoveryRoleArn", *ev.RecoveryRole.RoleArn(), "tools/recover -role: the role the recovery runs with"},
	} {
		awscdk.NewCfnOutput(stack, jsii.String(o.id), &awscdk.CfnOutputProps{Value: jsii.String(o.value), Description: jsii.String(o.what)})
	}
	return &ApiStack{Stack: stack, Customers: customers}
}
