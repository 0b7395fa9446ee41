// Package eventfanout turns a DynamoDB table's stream into business events
// that reach every subscriber, even when one of them fails:
//
//	table stream → publisher Lambda → SNS topic → SQS queue → forwarder Lambda → EventBridge bus → rules → targets
//	                       ↘ on failure: DLQ            ↘ e-mail (filtered)   ↘ archive (replay)
//
// The topic is encrypted with a customer-managed KMS key (with rotation), the
// queues with SQS-managed keys, and all of them refuse plain-text transport;
// every queue, subscription and rule target has a dead-letter queue; only the
// publisher and the operators' RecoveryRole may publish to the topic. No
// policy uses a wildcard action.
package eventfanout

import (
	"fmt"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/constructs/internal/cdkx"
	"github.com/acme/customers-api/lambdakit/envvars"
)

// Rule routes some events to a consumer's queue.
type Rule struct {
	// Name identifies the consumer, e.g. "analytics".
	Name string
	// DetailTypes are the event types it receives; empty means all.
	DetailTypes []string
}

// Props describes the fan-out.
type Props struct {
	// Name prefixes the bus name, e.g. "customers-dev".
	Name string
	// Table must have a stream with new and old images.
	Table awsdynamodb.ITable
	// Functions are the publisher's and forwarder's settings; Retain also
	// keeps the queues and the key when the stack is deleted.
	Functions gofunction.Settings
	Settings
}

// Settings are the event pipeline's settings; composites take them once and
// pass them on whole.
type Settings struct {
	// ItemType selects the stream records that are business changes: items
	// whose "type" attribute has this value (in the new or old image).
	ItemType string
	// PublisherEntry and ForwarderEntry are the Go packages of the two
	// functions (see lambdakit/outbox and lambdakit/forwarder).
	PublisherEntry, ForwarderEntry string
	// EventSource is the EventBridge source of every event.
	EventSource string
	// Bus, when set, is used instead of creating one: make it with NewBus
	// in a stack that outlives this one. Default: New creates a bus named
	// Name, with an archive, both retained with Functions.Retain — a fixed
	// name, which a stack meant to be replaced must not retain.
	Bus awsevents.IEventBus
	// ArchiveRetentionDays is how long events can be replayed, when New
	// creates the bus.
	ArchiveRetentionDays int
	// NotificationEmails receive the events of NotificationTypes.
	NotificationEmails, NotificationTypes []string
	// Rules are the consumers; each gets an encrypted queue as its target.
	Rules []Rule
}

// PublisherMaxRecordAge is how long the publisher keeps retrying a stream
// record before its batch goes to PublisherDLQ: well inside the stream's
// 24-hour retention, so that the DLQ's pointers can still be read by the
// redrive (lambdakit/outbox Publisher.Redrive) for 18 hours.
const PublisherMaxRecordAge = 6 * time.Hour

// QueueRetention is how long the forwarding queue and every consumer queue
// keep a message (SQS's default is 4 days): the longest the forwarder or a
// consumer may be down without losing an event.
const QueueRetention = 7 * 24 * time.Hour

// DLQRetention is how long every dead-letter queue keeps a message, SQS's
// maximum. A message keeps its first enqueue time when SQS moves it to a
// standard queue's DLQ, and expires by it ("Setting-up dead-letter queue
// retention in Amazon SQS", SQS Developer Guide), so a message that reaches
// a DLQ at the end of QueueRetention can still be redriven for
// DLQRetention - QueueRetention.
const DLQRetention = 14 * 24 * time.Hour

// Target is a consumer's rule and queue.
type Target struct {
	Rule  awsevents.Rule
	Queue awssqs.Queue
	DLQ   awssqs.Queue
}

// EventFanout is the created pipeline.
type EventFanout struct {
	constructs.Construct
	// Key encrypts the topic.
	Key          awskms.Key
	Topic        awssns.Topic
	Publisher    *gofunction.Function
	PublisherDLQ awssqs.Queue
	ForwardQueue awssqs.Queue
	ForwardDLQ   awssqs.Queue
	Forwarder    *gofunction.Function
	// SubscriptionDLQs by subscription: "forward" and "email".
	SubscriptionDLQs map[string]awssqs.Queue
	Bus              awsevents.IEventBus
	Archive          awsevents.Archive
	Targets          map[string]*Target
	// RecoveryRole is the role an operator assumes to run tools/recover
	// (redrive and reconcile): besides the publisher, the only principal
	// the topic accepts publishes from.
	RecoveryRole awsiam.Role
}

// New creates the pipeline; invalid props are error annotations.
func New(scope constructs.Construct, id string, p Props) *EventFanout {
	c := constructs.NewConstruct(scope, jsii.String(id))
	f := &EventFanout{Construct: c, SubscriptionDLQs: map[string]awssqs.Queue{}, Targets: map[string]*Target{}}
	switch {
	case p.Table == nil || p.Table.TableStreamArn() == nil:
		cdkx.Error(c, "eventfanout: Table with a stream is required")
		return f
	case p.Name == "" || p.ItemType == "" || p.EventSource == "" || p.PublisherEntry == "" || p.ForwarderEntry == "":
		cdkx.Error(c, "eventfanout: Name, ItemType, EventSource, PublisherEntry and ForwarderEntry are required")
		return f
	case p.Bus == nil && p.ArchiveRetentionDays < 1:
		cdkx.Error(c, "eventfanout: ArchiveRetentionDays must be at least 1")
	}
	f.Key = awskms.NewKey(c, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the " + p.Name + " event topic"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     cdkx.RemovalPolicy(p.Functions.Retain),
	})
	fn := func(id, entry string, env map[string]string) *gofunction.Function {
		return gofunction.New(c, id, gofunction.Props{
			Entry: entry, Description: fmt.Sprintf("%s events: %s", p.Name, id),
			Settings:    p.Functions,
			Environment: env,
		})
	}

	f.Topic = awssns.NewTopic(c, jsii.String("Topic"), &awssns.TopicProps{
		DisplayName: jsii.String(p.Name + " business events"), MasterKey: f.Key, EnforceSSL: jsii.Bool(true),
	})
	f.Publisher = fn("Publisher", p.PublisherEntry, map[string]string{envvars.TopicARN: *f.Topic.TopicArn()})
	f.grantPublish(f.Publisher.Role)
	f.PublisherDLQ = f.dlq("PublisherDLQ", p.Functions.Retain, "the publisher's stream event source mapping (records that failed every retry)")
	f.recoveryRole(p)
	f.Topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("OnlyThePublisherAndRecoveryPublish"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*f.Topic.TopicArn()),
		Conditions: &map[string]any{"ArnNotEquals": map[string]any{"aws:PrincipalArn": []*string{f.Publisher.Role.RoleArn(), f.RecoveryRole.RoleArn()}}},
	}))
	f.Publisher.Alias.AddEventSource(awslambdaeventsources.NewDynamoEventSource(p.Table, &awslambdaeventsources.DynamoEventSourceProps{
		StartingPosition:        awslambda.StartingPosition_TRIM_HORIZON,
		BatchSize:               jsii.Number(100),
		BisectBatchOnError:      jsii.Bool(true),
		RetryAttempts:           jsii.Number(10),
		MaxRecordAge:            awscdk.Duration_Hours(jsii.Number(PublisherMaxRecordAge.Hours())),
		ReportBatchItemFailures: jsii.Bool(true),
		ParallelizationFactor:   jsii.Number(1), // keeps each item's changes in order
		OnFailure:               awslambdaeventsources.NewSqsDlq(f.PublisherDLQ),
		Filters: &[]*map[string]any{
			awslambda.FilterCriteria_Filter(&map[string]any{"dynamodb": map[string]any{"NewImage": map[string]any{"type": map[string]any{"S": []string{p.ItemType}}}}}),
			awslambda.FilterCriteria_Filter(&map[string]any{"dynamodb": map[string]any{"OldImage": map[string]any{"type": map[string]any{"S": []string{p.ItemType}}}}}),
		},
	}))
	cdknag.NagSuppressions_AddResourceSuppressions(f.Publisher.Role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("dynamodb:ListStreams has no resource-level permissions; reading is limited to this table's stream."),
		AppliesTo: &[]any{jsii.String("Resource::*")},
	}}, jsii.Bool(true))

	timeout := cdkx.OrDefault(p.Functions.Timeout, gofunction.DefaultTimeout)
	f.ForwardDLQ = f.dlq("ForwardDLQ", p.Functions.Retain, "the forwarding queue (messages that failed 5 receives)")
	f.ForwardQueue = f.queue("ForwardQueue", p.Functions.Retain, &awssqs.QueueProps{
		RetentionPeriod:   awscdk.Duration_Hours(jsii.Number(QueueRetention.Hours())),
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(6 * timeout.Seconds())),
		DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: f.ForwardDLQ, MaxReceiveCount: jsii.Number(5)},
	})
	f.SubscriptionDLQs["forward"] = f.dlq("ForwardSubscriptionDLQ", p.Functions.Retain, "the topic's subscription of the forwarding queue")
	f.Topic.AddSubscription(awssnssubscriptions.NewSqsSubscription(f.ForwardQueue, &awssnssubscriptions.SqsSubscriptionProps{
		RawMessageDelivery: jsii.Bool(true), DeadLetterQueue: f.SubscriptionDLQs["forward"],
	}))
	if len(p.NotificationEmails) > 0 {
		f.SubscriptionDLQs["email"] = f.dlq("EmailSubscriptionDLQ", p.Functions.Retain, "the topic's e-mail subscriptions")
		for _, addr := range p.NotificationEmails {
			f.Topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(addr), &awssnssubscriptions.EmailSubscriptionProps{
				DeadLetterQueue: f.SubscriptionDLQs["email"],
				FilterPolicy: &map[string]awssns.SubscriptionFilter{
					"eventType": awssns.SubscriptionFilter_StringFilter(&awssns.StringConditions{Allowlist: jsii.Strings(p.NotificationTypes...)}),
				},
			}))
		}
	}

	f.Bus = p.Bus
	if f.Bus == nil {
		bus, archive := addBus(c, BusProps{Name: p.Name, EventSource: p.EventSource, ArchiveRetentionDays: p.ArchiveRetentionDays, Retain: p.Functions.Retain})
		f.Bus, f.Archive = bus, archive
	}
	f.Forwarder = fn("Forwarder", p.ForwarderEntry, map[string]string{envvars.EventBusName: *f.Bus.EventBusName(), envvars.EventSource: p.EventSource})
	f.Bus.GrantPutEventsTo(f.Forwarder.Role, nil)
	f.Forwarder.Alias.AddEventSource(awslambdaeventsources.NewSqsEventSource(f.ForwardQueue, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize: jsii.Number(10), MaxBatchingWindow: awscdk.Duration_Seconds(jsii.Number(1)), ReportBatchItemFailures: jsii.Bool(true),
	}))

	for _, r := range p.Rules {
		f.addTarget(p, r)
	}
	return f
}

// BusProps describes an event bus that outlives the pipelines that put
// events on it.
type BusProps struct {
	// Name is the bus name, which consumers' rules address, e.g.
	// "customers-prod". Required.
	Name string
	// EventSource is the source of the events the archive keeps. Required.
	EventSource string
	// ArchiveRetentionDays is how long events can be replayed (at least 1).
	ArchiveRetentionDays int
	// Retain keeps the bus and the archive when their stack is deleted.
	// Default: false.
	Retain bool
}

// Bus is a named event bus with an archive to replay from.
type Bus struct {
	constructs.Construct
	Bus     awsevents.EventBus
	Archive awsevents.Archive
}

// NewBus creates a bus and its archive, for a stack that outlives the
// pipeline: a bus has a fixed name that consumers address, so a retained
// one left behind by a deleted stack would make the next create of that
// stack fail. Pass Bus.Bus as Settings.Bus to New. Invalid props are error
// annotations.
func NewBus(scope constructs.Construct, id string, p BusProps) *Bus {
	c := constructs.NewConstruct(scope, jsii.String(id))
	b := &Bus{Construct: c}
	switch {
	case p.Name == "" || p.EventSource == "":
		cdkx.Error(c, "eventfanout: Name and EventSource are required")
		return b
	case p.ArchiveRetentionDays < 1:
		cdkx.Error(c, "eventfanout: ArchiveRetentionDays must be at least 1")
	}
	b.Bus, b.Archive = addBus(c, p)
	return b
}

// addBus creates the bus "Bus" in scope and its archive.
func addBus(scope constructs.Construct, p BusProps) (awsevents.EventBus, awsevents.Archive) {
	bus := awsevents.NewEventBus(scope, jsii.String("Bus"), &awsevents.EventBusProps{EventBusName: jsii.String(p.Name)})
	bus.ApplyRemovalPolicy(cdkx.RemovalPolicy(p.Retain))
	archive := bus.Archive(jsii.String("Archive"), &awsevents.BaseArchiveProps{
		Description:  jsii.String(p.Name + " events, kept for replay"),
		EventPattern: &awsevents.EventPattern{Source: jsii.Strings(p.EventSource)},
		Retention:    awscdk.Duration_Days(jsii.Number(p.ArchiveRetentionDays)),
	})
	// The archive is the replay source: kept with the rest of the data.
	archive.ApplyRemovalPolicy(cdkx.RemovalPolicy(p.Retain))
	// CDK writes KmsKeyIdentifier: "" (events encrypted with an AWS owned
	// key), which some regions refuse; leaving it out means the same.
	archive.Node().DefaultChild().(awscdk.CfnResource).AddPropertyDeletionOverride(jsii.String("KmsKeyIdentifier"))
	return bus, archive
}

// grantPublish lets role publish to the topic. Granted by hand:
// Topic.GrantPublish would add kms:GenerateDataKey* and kms:ReEncrypt*,
// wildcard actions.
func (f *EventFanout) grantPublish(role awsiam.IRole) {
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("sns:Publish"), Resources: jsii.Strings(*f.Topic.TopicArn()),
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("kms:GenerateDataKey", "kms:Decrypt"), Resources: jsii.Strings(*f.Key.KeyArn()),
	}))
}

// recoveryRole creates RecoveryRole with exactly the calls of
// tools/recover: publish (PublishBatch is authorized as sns:Publish),
// receive and delete the publisher DLQ's messages, read the stream's
// records (redrive) and scan the table (reconcile). Its trust policy names
// this account, which delegates to the account's own policies: a principal
// of the account may assume it when its identity-based policy allows
// sts:AssumeRole on it, as an administrator's does ("IAM role trust
// policies", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
func (f *EventFanout) recoveryRole(p Props) {
	f.RecoveryRole = awsiam.NewRole(f.Construct, jsii.String("RecoveryRole"), &awsiam.RoleProps{
		AssumedBy:          awsiam.NewAccountRootPrincipal(),
		Description:        jsii.String("Assumed by an operator to run tools/recover on the " + p.Name + " events (README: Recovering events)"),
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
	})
	f.grantPublish(f.RecoveryRole)
	for _, g := range []struct {
		actions  []string
		resource *string
	}{
		{[]string{"sqs:ReceiveMessage", "sqs:DeleteMessage"}, f.PublisherDLQ.QueueArn()},
		{[]string{"dynamodb:GetShardIterator", "dynamodb:GetRecords"}, p.Table.TableStreamArn()},
		{[]string{"dynamodb:Scan"}, p.Table.TableArn()},
	} {
		f.RecoveryRole.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings(g.actions...), Resources: &[]*string{g.resource},
		}))
	}
}

// queue creates a queue encrypted at rest (SQS-managed keys, which SNS and
// EventBridge can deliver to without key grants) that refuses plain-text
// transport.
func (f *EventFanout) queue(id string, retain bool, props *awssqs.QueueProps) awssqs.Queue {
	props.Encryption = awssqs.QueueEncryption_SQS_MANAGED
	props.EnforceSSL = jsii.Bool(true)
	props.RemovalPolicy = cdkx.RemovalPolicy(retain)
	return awssqs.NewQueue(f.Construct, jsii.String(id), props)
}

// dlq creates a dead-letter queue that keeps messages for DLQRetention.
func (f *EventFanout) dlq(id string, retain bool, of string) awssqs.Queue {
	q := f.queue(id, retain, &awssqs.QueueProps{RetentionPeriod: awscdk.Duration_Hours(jsii.Number(DLQRetention.Hours()))})
	cdknag.NagSuppressions_AddResourceSuppressions(q, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SQS3"), Reason: jsii.String("This queue is the dead-letter queue of " + of + "."),
	}}, nil)
	return q
}

func (f *EventFanout) addTarget(p Props, r Rule) {
	t := &Target{}
	t.DLQ = f.dlq("Target"+r.Name+"DLQ", p.Functions.Retain, "the "+r.Name+" rule target (events EventBridge could not deliver)")
	t.Queue = f.queue("Target"+r.Name, p.Functions.Retain, &awssqs.QueueProps{
		RetentionPeriod: awscdk.Duration_Hours(jsii.Number(QueueRetention.Hours())),
		DeadLetterQueue: &awssqs.DeadLetterQueue{Queue: t.DLQ, MaxReceiveCount: jsii.Number(5)},
	})
	pattern := &awsevents.EventPattern{Source: jsii.Strings(p.EventSource)}
	if len(r.DetailTypes) > 0 {
		pattern.DetailType = jsii.Strings(r.DetailTypes...)
	}
	t.Rule = awsevents.NewRule(f.Construct, jsii.String("Rule"+r.Name), &awsevents.RuleProps{
		EventBus: f.Bus, EventPattern: pattern, Description: jsii.String("Events for " + r.Name),
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewSqsQueue(t.Queue, &awseventstargets.SqsQueueProps{
			DeadLetterQueue: t.DLQ, RetryAttempts: jsii.Number(185), MaxEventAge: awscdk.Duration_Hours(jsii.Number(24)),
		})},
	})
	f.Targets[r.Name] = t
}
