package stacks

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/config"
	"github.com/acme/customers-api/constructs/eventfanout"
	"github.com/acme/customers-api/functions/customers/changes"
	"github.com/acme/customers-api/functions/customers/store"
)

// EventSource is the EventBridge source of customer events.
const EventSource = "com.acme.customers"

// EventsStackProps configures the events stack.
type EventsStackProps struct {
	awscdk.StackProps
	Env   config.Environment
	Table awsdynamodb.ITable
}

// EventsStack fans customer changes out as business events.
type EventsStack struct {
	awscdk.Stack
	Events *eventfanout.EventFanout
}

// NewEventsStack creates the pipeline from the table's stream to the bus,
// with the seed's consumers: analytics (every event) and CRM (new customers
// and status changes).
func NewEventsStack(scope constructs.Construct, id string, props EventsStackProps) *EventsStack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	env := props.Env
	f := eventfanout.New(stack, "CustomerEvents", eventfanout.Props{
		Name:                 "customers-" + env.Name,
		Table:                props.Table,
		ItemType:             store.TypeCustomer,
		PublisherEntry:       "functions/publish-customer-events",
		ForwarderEntry:       "functions/forward-events",
		MemoryMB:             env.Lambda.MemoryMB,
		Timeout:              time.Duration(env.Lambda.TimeoutSeconds) * time.Second,
		LogRetentionDays:     env.LogRetentionDays,
		Retain:               env.DeletionProtection,
		EventSource:          EventSource,
		ArchiveRetentionDays: env.Events.ArchiveRetentionDays,
		NotificationEmails:   env.Events.NotificationEmails,
		NotificationTypes:    env.Events.NotificationTypes,
		Rules: []eventfanout.Rule{
			{Name: "analytics"},
			{Name: "crm", DetailTypes: []string{changes.Created, changes.StatusChanged}},
		},
	})
	return &EventsStack{Stack: stack, Events: f}
}
