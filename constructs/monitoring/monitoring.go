// Package monitoring gives a serverless service its alarms, one dashboard
// and saved log queries. Each Add method alarms on one resource with
// thresholds from Thresholds; every alarm says in its description what to
// check first and notifies an encrypted SNS topic on alarm and on recovery.
// Finish adds a composite alarm that says the service is unhealthy and an
// alarm status panel; call it once, after the last Add.
package monitoring

import (
	"fmt"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/internal/cdkx"
)

// Thresholds of the alarms; zero fields take the defaults in Defaults.
type Thresholds struct {
	API5xxPercent, API4xxPercent float64
	APILatencyP99                time.Duration
	// MinRequestsPer5Min, when positive, alarms on a drop in traffic.
	MinRequestsPer5Min                   int
	DurationPercentOfTimeout             int
	ConcurrencyLimit, ConcurrencyPercent int
	IteratorAge, QueueAge                time.Duration
}

// Defaults are the thresholds used for zero fields.
var Defaults = Thresholds{
	API5xxPercent: 1, API4xxPercent: 10, APILatencyP99: time.Second,
	DurationPercentOfTimeout: 80, ConcurrencyLimit: 1000, ConcurrencyPercent: 80,
	IteratorAge: time.Minute, QueueAge: 5 * time.Minute,
}

// Props describes the monitoring.
type Props struct {
	// Name prefixes alarm and dashboard names, e.g. "customers-dev".
	Name string
	// Emails receive alarm and OK notifications.
	Emails []string
	// Topic, when set, receives the notifications instead of a new topic.
	Topic awssns.ITopic
	// Thresholds override Defaults.
	Thresholds Thresholds
	// MetricsNamespace, when set, is where the handlers emit EMF metrics
	// with the dimensions Operation and Service and a ColdStarts count; the
	// dashboard graphs their cold starts.
	MetricsNamespace string
}

// Monitoring is the alarms, topic and dashboard.
type Monitoring struct {
	constructs.Construct
	// Topic receives every alarm's notifications; Key encrypts it (nil
	// when the topic was passed in).
	Topic awssns.ITopic
	Key   awskms.Key
	// Alarms by name; Unhealthy is the composite of all of them.
	Alarms    map[string]awscloudwatch.Alarm
	Unhealthy awscloudwatch.CompositeAlarm
	Dashboard awscloudwatch.Dashboard
	Queries   []awslogs.CfnQueryDefinition
	t         Thresholds
	name      string
	namespace string
	order     []string
}

// New creates the topic and an empty dashboard.
func New(scope constructs.Construct, id string, p Props) *Monitoring {
	c := constructs.NewConstruct(scope, jsii.String(id))
	m := &Monitoring{Construct: c, Alarms: map[string]awscloudwatch.Alarm{}, t: withDefaults(p.Thresholds), name: p.Name, namespace: p.MetricsNamespace}
	if p.Name == "" {
		cdkx.Error(c, "monitoring: Name is required")
	}
	m.Topic = p.Topic
	if m.Topic == nil {
		m.Key = awskms.NewKey(c, jsii.String("Key"), &awskms.KeyProps{
			Description: jsii.String("Encrypts the " + p.Name + " alarm topic"), EnableKeyRotation: jsii.Bool(true),
		})
		// CloudWatch publishes alarm notifications to the encrypted topic.
		m.Key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
			Actions:    jsii.Strings("kms:GenerateDataKey", "kms:Decrypt"),
			Resources:  jsii.Strings("*"), // in a key policy, "*" is this key
		}), nil)
		topic := awssns.NewTopic(c, jsii.String("Topic"), &awssns.TopicProps{
			DisplayName: jsii.String(p.Name + " alarms"), MasterKey: m.Key, EnforceSSL: jsii.Bool(true),
		})
		for _, addr := range p.Emails {
			topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(addr), nil))
		}
		m.Topic = topic
	}
	m.Dashboard = awscloudwatch.NewDashboard(c, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName:   jsii.String(p.Name),
		DefaultInterval: awscdk.Duration_Hours(jsii.Number(3)),
	})
	return m
}

func withDefaults(t Thresholds) Thresholds {
	d := Defaults
	t.API5xxPercent = cdkx.OrDefault(t.API5xxPercent, d.API5xxPercent)
	t.API4xxPercent = cdkx.OrDefault(t.API4xxPercent, d.API4xxPercent)
	t.APILatencyP99 = cdkx.OrDefault(t.APILatencyP99, d.APILatencyP99)
	t.DurationPercentOfTimeout = cdkx.OrDefault(t.DurationPercentOfTimeout, d.DurationPercentOfTimeout)
	t.ConcurrencyLimit = cdkx.OrDefault(t.ConcurrencyLimit, d.ConcurrencyLimit)
	t.ConcurrencyPercent = cdkx.OrDefault(t.ConcurrencyPercent, d.ConcurrencyPercent)
	t.IteratorAge = cdkx.OrDefault(t.IteratorAge, d.IteratorAge)
	t.QueueAge = cdkx.OrDefault(t.QueueAge, d.QueueAge)
	return t
}

// minutes is a metric period; a function, so that importing the package
// makes no jsii call.
func minutes(n float64) awscdk.Duration { return awscdk.Duration_Minutes(jsii.Number(n)) }

// alarm is one alarm on a metric; above says whether breaching is
// "greater than or equal" (else "less than"); check is what to look at first.
type alarm struct {
	name, check string
	metric      awscloudwatch.IMetric
	threshold   float64
	above       bool
	periods     int
	missing     awscloudwatch.TreatMissingData
}

func (m *Monitoring) add(a alarm) awscloudwatch.Alarm {
	op := awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD
	if !a.above {
		op = awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD
	}
	if a.missing == "" {
		a.missing = awscloudwatch.TreatMissingData_NOT_BREACHING
	}
	periods := cdkx.OrDefault(a.periods, 1)
	al := awscloudwatch.NewAlarm(m.Construct, jsii.String(a.name), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(m.name + "-" + a.name),
		AlarmDescription:   jsii.String(a.check),
		Metric:             a.metric,
		Threshold:          jsii.Number(a.threshold),
		ComparisonOperator: op,
		EvaluationPeriods:  jsii.Number(periods),
		DatapointsToAlarm:  jsii.Number(periods),
		TreatMissingData:   a.missing,
	})
	action := awscloudwatchactions.NewSnsAction(m.Topic)
	al.AddAlarmAction(action)
	al.AddOkAction(action)
	m.Alarms[a.name] = al
	m.order = append(m.order, a.name)
	return al
}

// Route is one API method, for the per-route latency graph.
type Route struct{ Method, Path string }

// API alarms on the stage's 5XX and 4XX rates, p99 latency and, when the
// environment expects traffic, a drop in requests; and graphs them.
func (m *Monitoring) API(api awsapigateway.RestApi, stage awsapigateway.Stage, routes []Route) {
	opts := &awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("Sum")}
	count, e5, e4 := stage.MetricCount(opts), stage.MetricServerError(opts), stage.MetricClientError(opts)
	rate := func(label, errors string, err awscloudwatch.IMetric) awscloudwatch.MathExpression {
		return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String("IF(requests > 0, 100 * " + errors + " / requests, 0)"),
			UsingMetrics: &map[string]awscloudwatch.IMetric{"requests": count, errors: err},
			Label:        jsii.String(label), Period: minutes(5),
		})
	}
	r5, r4 := rate("5XX %", "errors5xx", e5), rate("4XX %", "errors4xx", e4)
	latency := stage.MetricLatency(&awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("p99")})
	m.add(alarm{name: "Api5xxRate", metric: r5, threshold: m.t.API5xxPercent,
		check: "API 5XX rate is high. Check first: the Lambda errors alarms and the errors-by-route Logs Insights query, then DynamoDB throttles."})
	m.add(alarm{name: "Api4xxRate", metric: r4, threshold: m.t.API4xxPercent, periods: 3,
		check: "API 4XX rate is high. Check first: the access log's errorType (auth, API key, validation, throttling) for a misbehaving client or an expired credential."})
	m.add(alarm{name: "ApiLatencyP99", metric: latency, threshold: float64(m.t.APILatencyP99.Milliseconds()), periods: 3,
		check: "API p99 latency is high. Check first: Lambda p99 duration and cold starts on the dashboard, then DynamoDB latency."})
	if m.t.MinRequestsPer5Min > 0 {
		m.add(alarm{name: "ApiTrafficDrop", metric: count, threshold: float64(m.t.MinRequestsPer5Min), above: false, periods: 3,
			missing: awscloudwatch.TreatMissingData_BREACHING,
			check:   "Requests dropped below normal for 15 minutes. Check first: WAF blocks and 4XX in the access logs, DNS and client deployments."})
	}
	perRoute := []awscloudwatch.IMetric{}
	for _, r := range routes {
		perRoute = append(perRoute, awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/ApiGateway"), MetricName: jsii.String("Latency"),
			DimensionsMap: &map[string]*string{"ApiName": api.RestApiName(), "Stage": stage.StageName(), "Method": jsii.String(r.Method), "Resource": jsii.String(r.Path)},
			Statistic:     jsii.String("p99"), Period: minutes(5), Label: jsii.String(r.Method + " " + r.Path + " p99"),
		}))
	}
	m.Dashboard.AddWidgets(
		graph("Requests", count),
		graph("Error rates (%)", r5, r4),
		graph("Latency percentiles (ms)",
			stage.MetricLatency(&awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("p50")}),
			stage.MetricLatency(&awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("p90")}),
			latency),
		graph("p99 latency by route (ms)", perRoute...),
	)
}

// Function alarms on a Lambda function's errors, throttles, p99 duration
// near its timeout and concurrency near the limit; and graphs them.
func (m *Monitoring) Function(name string, fn awslambda.IFunction, timeout time.Duration) {
	opts := &awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("Sum")}
	duration := fn.MetricDuration(&awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("p99"), Label: jsii.String(name + " p99")})
	concurrency := fn.Metric(jsii.String("ConcurrentExecutions"), &awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Maximum")})
	m.add(alarm{name: name + "Errors", metric: fn.MetricErrors(opts), threshold: 1,
		check: fmt.Sprintf("Function %s failed. Check first: its log group for level ERROR lines and their error field.", name)})
	m.add(alarm{name: name + "Throttles", metric: fn.MetricThrottles(opts), threshold: 1,
		check: fmt.Sprintf("Function %s was throttled. Check first: account concurrency (ConcurrentExecutions) and any reserved concurrency.", name)})
	m.add(alarm{name: name + "DurationNearTimeout", metric: duration, periods: 3,
		threshold: float64(timeout.Milliseconds()) * float64(m.t.DurationPercentOfTimeout) / 100,
		check:     fmt.Sprintf("Function %s p99 duration is near its timeout. Check first: slow DynamoDB or SNS calls in its X-Ray traces.", name)})
	m.add(alarm{name: name + "Concurrency", metric: concurrency, periods: 3,
		threshold: float64(m.t.ConcurrencyLimit * m.t.ConcurrencyPercent / 100),
		check:     fmt.Sprintf("Function %s is near the concurrency limit. Check first: request volume and duration; raise the account limit or add reserved concurrency.", name)})
	series := []awscloudwatch.IMetric{duration}
	if m.namespace != "" {
		series = append(series, awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String(fmt.Sprintf(`SUM(SEARCH('{%s,Operation,Service} MetricName="ColdStarts" Operation="%s"', 'Sum', 300))`, m.namespace, name)),
			Label:      jsii.String(name + " cold starts"), Period: minutes(5),
		}))
	}
	m.Dashboard.AddWidgets(graph(name+": duration and cold starts", series...))
}

// StreamConsumer alarms when a stream-reading function falls behind.
func (m *Monitoring) StreamConsumer(name string, fn awslambda.IFunction) awscloudwatch.IMetric {
	age := fn.Metric(jsii.String("IteratorAge"), &awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Maximum"), Label: jsii.String(name + " iterator age")})
	m.add(alarm{name: name + "IteratorAge", metric: age, threshold: float64(m.t.IteratorAge.Milliseconds()), periods: 5,
		check: fmt.Sprintf("%s is falling behind the table stream. Check first: its Errors alarm and logs (a record that keeps failing), then SNS.", name)})
	return age
}

// DLQ alarms on any message in a dead-letter queue.
func (m *Monitoring) DLQ(name string, q awssqs.IQueue, of string) awscloudwatch.IMetric {
	visible := q.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Maximum"), Label: jsii.String(name)})
	m.add(alarm{name: name + "NotEmpty", metric: visible, threshold: 1,
		check: fmt.Sprintf("%s holds messages that %s could not handle. Check first: one message's body and the failing function's logs; redrive once fixed.", name, of)})
	return visible
}

// Queue alarms when a work queue's oldest message is too old.
func (m *Monitoring) Queue(name string, q awssqs.IQueue) awscloudwatch.IMetric {
	age := q.MetricApproximateAgeOfOldestMessage(&awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Maximum"), Label: jsii.String(name + " oldest message (s)")})
	m.add(alarm{name: name + "OldestMessage", metric: age, threshold: m.t.QueueAge.Seconds(), periods: 5,
		check: fmt.Sprintf("%s is not being drained. Check first: its consumer's Errors and Throttles alarms, then EventBridge PutEvents failures in its logs.", name)})
	return age
}

// Deliveries alarms on a topic's failed deliveries.
func (m *Monitoring) Deliveries(name string, t awssns.ITopic) {
	m.add(alarm{name: name + "FailedNotifications", metric: t.MetricNumberOfNotificationsFailed(&awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("Sum")}), threshold: 1,
		check: fmt.Sprintf("%s could not deliver to a subscriber. Check first: the subscription DLQs and the subscribed queue's policy.", name)})
}

// Rule alarms on an EventBridge rule's failed invocations and on events
// that could not even reach the target's DLQ; no data is not a breach.
func (m *Monitoring) Rule(name string, rule awsevents.IRule, bus awsevents.IEventBus) {
	metric := func(metric string) awscloudwatch.IMetric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/Events"), MetricName: jsii.String(metric),
			DimensionsMap: &map[string]*string{"RuleName": rule.RuleName(), "EventBusName": bus.EventBusName()},
			Statistic:     jsii.String("Sum"), Period: minutes(5),
		})
	}
	m.add(alarm{name: name + "FailedInvocations", metric: metric("FailedInvocations"), threshold: 1,
		check: fmt.Sprintf("Rule %s could not deliver events to its target. Check first: the target queue's policy and the rule's DLQ.", name)})
	m.add(alarm{name: name + "DLQDeliveryFailed", metric: metric("InvocationsFailedToBeSentToDlq"), threshold: 1,
		check: fmt.Sprintf("Rule %s lost events: they reached neither the target nor its DLQ. Check first: the DLQ's policy; replay from the archive.", name)})
}

// Table alarms on read and write throttles and system errors; and graphs
// consumed capacity.
func (m *Monitoring) Table(name string, t awsdynamodb.ITable) {
	opts := &awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("Sum")}
	reads, writes := t.Metric(jsii.String("ReadThrottleEvents"), opts), t.Metric(jsii.String("WriteThrottleEvents"), opts)
	errs := t.MetricSystemErrorsForOperations(&awsdynamodb.SystemErrorsForOperationsMetricOptions{
		Period: minutes(5),
		Operations: &[]awsdynamodb.Operation{awsdynamodb.Operation_GET_ITEM, awsdynamodb.Operation_PUT_ITEM, awsdynamodb.Operation_UPDATE_ITEM,
			awsdynamodb.Operation_DELETE_ITEM, awsdynamodb.Operation_QUERY, awsdynamodb.Operation_TRANSACT_WRITE_ITEMS},
	})
	m.add(alarm{name: name + "ReadThrottles", metric: reads, threshold: 1,
		check: fmt.Sprintf("Table %s throttled reads. Check first: a hot partition (Contributor Insights) or a list query storm.", name)})
	m.add(alarm{name: name + "WriteThrottles", metric: writes, threshold: 1,
		check: fmt.Sprintf("Table %s throttled writes. Check first: a hot key or a bulk import; on-demand tables throttle above twice the previous peak.", name)})
	m.add(alarm{name: name + "SystemErrors", metric: errs, threshold: 1,
		check: fmt.Sprintf("Table %s returned 5XX errors. Check first: the AWS Health Dashboard for DynamoDB in this region.", name)})
	m.Dashboard.AddWidgets(
		graph("DynamoDB consumed capacity", t.MetricConsumedReadCapacityUnits(opts), t.MetricConsumedWriteCapacityUnits(opts)),
		graph("DynamoDB throttles and errors", reads, writes, errs),
	)
}

// EventPipeline graphs the event path's lag and dead-letter depth.
func (m *Monitoring) EventPipeline(lag []awscloudwatch.IMetric, dlqDepth []awscloudwatch.IMetric) {
	m.Dashboard.AddWidgets(graph("Event pipeline lag", lag...), graph("Dead-letter queue depth", dlqDepth...))
}

// LogQueries saves the Logs Insights queries "errors by route" and
// "slowest requests" over the handlers' log groups.
func (m *Monitoring) LogQueries(groups []awslogs.ILogGroup) {
	for _, q := range []struct{ id, name, query string }{
		{"ErrorsByRoute", "errors by route", "fields @timestamp, route, status, problem, error\n| filter msg = \"request\" and status >= 500\n| stats count(*) as errors by route, problem\n| sort errors desc"},
		{"SlowestRequests", "slowest requests", "fields @timestamp, requestId, route, status, latencyMs, coldStart, customerId\n| filter msg = \"request\"\n| sort latencyMs desc\n| limit 50"},
	} {
		names := make([]any, len(groups))
		for i, g := range groups {
			names[i] = g.LogGroupName()
		}
		m.Queries = append(m.Queries, awslogs.NewCfnQueryDefinition(m.Construct, jsii.String(q.id), &awslogs.CfnQueryDefinitionProps{
			Name: jsii.String(m.name + "/" + q.name), QueryString: jsii.String(q.query), LogGroupNames: &names,
		}))
	}
}

func graph(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.GraphWidget {
	return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title: jsii.String(title), Left: &metrics, Width: jsii.Number(12), Height: jsii.Number(6),
	})
}

// Finish adds the composite "service unhealthy" alarm over every alarm and
// the alarm status panel. Call it once, after the last Add.
func (m *Monitoring) Finish() {
	rules := make([]awscloudwatch.IAlarmRule, 0, len(m.order))
	alarms := make([]interfacesawscloudwatch.IAlarmRef, 0, len(m.order))
	for _, name := range m.order {
		rules = append(rules, m.Alarms[name])
		alarms = append(alarms, m.Alarms[name])
	}
	if len(rules) == 0 {
		cdkx.Error(m.Construct, "monitoring: Finish called before any alarm was added")
		return
	}
	m.Unhealthy = awscloudwatch.NewCompositeAlarm(m.Construct, jsii.String("Unhealthy"), &awscloudwatch.CompositeAlarmProps{
		CompositeAlarmName: jsii.String(m.name + "-unhealthy"),
		AlarmDescription:   jsii.String("The " + m.name + " service is unhealthy: at least one of its alarms is firing. Check first: the alarm status panel of the " + m.name + " dashboard."),
		AlarmRule:          awscloudwatch.AlarmRule_AnyOf(rules...),
	})
	action := awscloudwatchactions.NewSnsAction(m.Topic)
	m.Unhealthy.AddAlarmAction(action)
	m.Unhealthy.AddOkAction(action)
	m.Dashboard.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
		Title: jsii.String("Alarm status"), Alarms: &alarms, Width: jsii.Number(24), Height: jsii.Number(8),
	}))
}
