package monitoring

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// DLQ alarms on any message in a dead-letter queue.
func (m *Monitoring) DLQ(name string, q awssqs.IQueue, of string) awscloudwatch.IMetric {
	visible := q.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Maximum"), Label: jsii.String(name)})
	m.add(alarm{name: name + "NotEmpty", metric: visible, breach: atLeast(1), missing: noDataIsHealthy, periods: 1,
		check: fmt.Sprintf("%s holds messages that %s could not handle. Check first: one message's body and the failing function's logs; redrive once fixed.", name, of)})
	return visible
}

// Queue alarms (paging) when a work queue that this service drains has a
// message that is too old.
func (m *Monitoring) Queue(name string, q awssqs.IQueue) awscloudwatch.IMetric {
	age := q.MetricApproximateAgeOfOldestMessage(&awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Maximum"), Label: jsii.String(name + " oldest message (s)")})
	m.add(alarm{name: name + "OldestMessage", metric: age, breach: atLeast(m.t.QueueAge.Seconds()), missing: noDataIsHealthy, periods: 5,
		check: fmt.Sprintf("%s is not being drained. Check first: its consumer's Errors and Throttles alarms, then EventBridge PutEvents failures in its logs.", name)})
	return age
}

// ConsumerQueue alarms, notify-only, when a queue that another team
// consumes has a message that is too old: the consumer owns the queue and
// pages on it with its own alarm (the queue is a field of the construct
// that made it); until a consumer drains it, the alarm stays in ALARM, so
// it must not page here.
func (m *Monitoring) ConsumerQueue(name string, q awssqs.IQueue) awscloudwatch.IMetric {
	age := q.MetricApproximateAgeOfOldestMessage(&awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Maximum"), Label: jsii.String(name + " oldest message (s)")})
	m.add(alarm{name: name + "OldestMessage", metric: age, breach: atLeast(m.t.QueueAge.Seconds()), missing: noDataIsHealthy, periods: 5, notify: true,
		check: fmt.Sprintf("%s, which another team consumes, is not being drained (a ticket, not a page). Check first: whether its consumer is deployed and polling; its own alarms page its owner.", name)})
	return age
}

// Deliveries alarms on a topic's failed deliveries.
func (m *Monitoring) Deliveries(name string, t awssns.ITopic) {
	m.add(alarm{name: name + "FailedNotifications", breach: atLeast(1), missing: noDataIsHealthy, periods: 1,
		metric: t.MetricNumberOfNotificationsFailed(&awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("Sum")}),
		check:  fmt.Sprintf("%s could not deliver to a subscriber. Check first: the subscription DLQs and the subscribed queue's policy.", name)})
}

// Rule alarms on an EventBridge rule's failed invocations and on events
// that could not even reach the target's DLQ.
//
// EventBridge publishes a rule's metrics under the rule's name, with the
// dimensions RuleName and EventBusName for a rule on a custom bus and
// RuleName alone on the default bus ("Monitoring Amazon EventBridge").
// aws-cdk's Rule.ruleName is the rule's Ref, which CloudFormation returns
// as "<bus>|<rule>" for a rule on a custom bus; the name is its second part.
func (m *Monitoring) Rule(name string, rule awsevents.IRule, bus awsevents.IEventBus) {
	dims := map[string]*string{"RuleName": rule.RuleName()}
	if busName := bus.EventBusName(); *awscdk.Token_IsUnresolved(busName) || *busName != "default" {
		dims["RuleName"] = awscdk.Fn_Select(jsii.Number(1), awscdk.Fn_Split(jsii.String("|"), rule.RuleName(), jsii.Number(2)))
		dims["EventBusName"] = busName
	}
	metric := func(metric string) awscloudwatch.IMetric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/Events"), MetricName: jsii.String(metric),
			DimensionsMap: &dims, Statistic: jsii.String("Sum"), Period: minutes(5),
		})
	}
	m.add(alarm{name: name + "FailedInvocations", metric: metric("FailedInvocations"), breach: atLeast(1), missing: noDataIsHealthy, periods: 1,
		check: fmt.Sprintf("Rule %s could not deliver events to its target. Check first: the target queue's policy and the rule's DLQ.", name)})
	m.add(alarm{name: name + "DLQDeliveryFailed", metric: metric("InvocationsFailedToBeSentToDlq"), breach: atLeast(1), missing: noDataIsHealthy, periods: 1,
		check: fmt.Sprintf("Rule %s lost events: they reached neither the target nor its DLQ. Check first: the DLQ's policy; replay from the archive.", name)})
}

// EventPipeline graphs the event path's lag and dead-letter depth.
func (m *Monitoring) EventPipeline(lag []awscloudwatch.IMetric, dlqDepth []awscloudwatch.IMetric) {
	m.Dashboard.AddWidgets(graph("Event pipeline lag", lag...), graph("Dead-letter queue depth", dlqDepth...))
}
