// Package monitoring gives a serverless service its alarms, one dashboard
// and saved log queries. Each method (API, Function, Table, ...) alarms on
// one resource with thresholds from Thresholds; every alarm states which
// side of its threshold is a failure and how it treats missing data, and
// says in its description what to check first.
//
// Incidents: every new incident pages, once. An incident is a subsystem
// (the API, one operation, the table, the event path; see Subsystem)
// becoming unhealthy. Finish gives each subsystem the composite
// "<name>-<subsystem>-unhealthy", in ALARM while any of its alarms is;
// each composite pages Topic when it goes to ALARM and when it recovers.
// A second failure in a subsystem that is already unhealthy is part of the
// same incident and does not page again; a failure in another subsystem
// pages at once, whatever else is ongoing; once a subsystem has recovered,
// its next failure pages. The single-resource alarms notify nobody; their
// composite's page names them, and the dashboard's alarm status panel
// shows them.
//
// Nothing that can be in ALARM in normal operation pages: those
// conditions are notify-only (a ticket on NotifyTopic, on ALARM and OK):
// a drop in traffic (quiet nights have none), the age of queues that
// other teams consume (ConsumerQueue), the API's 4XX rate (clients'
// mistakes, refused as they should be) and the web ACL's blocks (an
// attack, blocked). Consumers add their own alarms with Page or Notify.
//
// Composites stay within CloudWatch's limits (PutCompositeAlarm: at most
// 100 alarms in a rule, an AlarmRule of at most 10240 characters): a
// composite that would exceed one is an annotation error naming the limit.
// Call Finish once, after the last alarm.
//
// The topic (NewAlarmTopic) accepts CloudWatch's publishes for the alarms
// named "<Name>-*" of the stack's account and region, so every alarm name
// starts with Name and a dash.
//
// The alarms are proven by simulation: cdktest/alarmsim
// evaluates the synthesized alarms against metric series that must trip
// them and series that must not.
package monitoring

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/internal/cdkx"
	"github.com/acme/customers-api/constructs/settings"
)

// Thresholds of the alarms; zero fields take the defaults in Defaults. A
// plain value, defined in constructs/settings so that configuration code can
// use it without the CDK.
type Thresholds = settings.Thresholds

// Defaults are the thresholds used for zero fields.
var Defaults = Thresholds{
	API5xxPercent: 1, API4xxPercent: 10, APILatencyP99: time.Second,
	DurationPercentOfTimeout: 80, ConcurrencyLimit: 1000, ConcurrencyPercent: 80,
	IteratorAge: time.Minute, QueueAge: 5 * time.Minute, WAFBlockedPer5Min: 500,
}

// Props describes the monitoring.
type Props struct {
	// Name prefixes alarm and dashboard names, e.g. "customers-dev".
	Name string
	// Retain keeps the topic's key and the e-mail DLQ when the stack is
	// deleted.
	Retain bool
	Settings
}

// Settings are the monitoring's settings; composites take them once and
// pass them on whole.
type Settings struct {
	// Emails are paged when a subsystem becomes unhealthy and when it
	// recovers. Undeliverable notifications go to a dead-letter queue.
	Emails []string
	// Topic, when set, receives the pages instead of a new topic.
	Topic awssns.ITopic
	// NotifyEmails receive the notify-only alarms (tickets, not pages).
	// Default: Emails.
	NotifyEmails []string
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
	// Topic receives the pages of the Unhealthy composite; Key encrypts it
	// and EmailDLQ keeps e-mails it could not deliver (both nil when the
	// topic was passed in, EmailDLQ also when there are no Emails).
	Topic    awssns.ITopic
	Key      awskms.Key
	EmailDLQ awssqs.Queue
	// NotifyTopic receives the notify-only alarms, built by NewAlarmTopic
	// like Topic.
	NotifyTopic *AlarmTopic
	// Alarms by name (without the Name prefix), paging or notify-only.
	Alarms map[string]awscloudwatch.Alarm
	// Subsystems are the paging composites by subsystem name.
	Subsystems map[string]awscloudwatch.CompositeAlarm
	// Unhealthy is in ALARM while any subsystem is; it notifies nobody (one
	// signal for a status page or a consumer's own alarms).
	Unhealthy awscloudwatch.CompositeAlarm
	Dashboard awscloudwatch.Dashboard
	Queries   []awslogs.CfnQueryDefinition
	t         Thresholds
	name      string
	namespace string
	// subsystem is the one that new paging alarms join; members lists
	// each subsystem's paging alarms, in order.
	subsystem  string
	subsystems []string
	members    map[string][]awscloudwatch.IAlarm
	finished   bool
	statusList []interfacesawscloudwatch.IAlarmRef
}

// New creates the topic and an empty dashboard.
func New(scope constructs.Construct, id string, p Props) *Monitoring {
	c := constructs.NewConstruct(scope, jsii.String(id))
	m := &Monitoring{Construct: c, Alarms: map[string]awscloudwatch.Alarm{}, Subsystems: map[string]awscloudwatch.CompositeAlarm{},
		t: withDefaults(p.Thresholds), name: p.Name, namespace: p.MetricsNamespace, subsystem: "service", members: map[string][]awscloudwatch.IAlarm{}}
	if p.Name == "" {
		cdkx.Error(c, "monitoring: Name is required")
	}
	m.Topic = p.Topic
	if m.Topic == nil {
		t := NewAlarmTopic(c, AlarmTopicProps{DisplayName: p.Name + " alarms", AlarmNamePrefix: p.Name + "-", Emails: p.Emails, Retain: p.Retain})
		m.Topic, m.Key, m.EmailDLQ = t.Topic, t.Key, t.EmailDLQ
	}
	notifyEmails := p.NotifyEmails
	if len(notifyEmails) == 0 {
		notifyEmails = p.Emails
	}
	m.NotifyTopic = NewAlarmTopic(constructs.NewConstruct(c, jsii.String("Notify")), AlarmTopicProps{
		DisplayName: p.Name + " notifications", AlarmNamePrefix: p.Name + "-", Emails: notifyEmails, Retain: p.Retain,
	})
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
	t.WAFBlockedPer5Min = cdkx.OrDefault(t.WAFBlockedPer5Min, d.WAFBlockedPer5Min)
	return t
}

// filled is the 5-minute sum of metrics (by id), each read as 0 where it
// has no data.
func filled(label string, metrics map[string]awscloudwatch.IMetric) awscloudwatch.IMetric {
	ids := make([]string, 0, len(metrics))
	for id := range metrics {
		ids = append(ids, "FILL("+id+", 0)")
	}
	slices.Sort(ids)
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(strings.Join(ids, " + ")), UsingMetrics: &metrics, Label: jsii.String(label), Period: minutes(5),
	})
}

// minutes is a metric period; a function, so that importing the package
// makes no jsii call.
func minutes(n float64) awscdk.Duration { return awscdk.Duration_Minutes(jsii.Number(n)) }

// breach is the side of a threshold that is a failure. Its zero value is
// no side at all, which fails synth: every alarm states its direction.
type breach struct {
	op        awscloudwatch.ComparisonOperator
	threshold float64
}

// atLeast breaches at or above threshold: errors, latency, age, depth.
func atLeast(threshold float64) breach {
	return breach{awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD, threshold}
}

// below breaches under threshold: only a drop in traffic.
func below(threshold float64) breach {
	return breach{awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD, threshold}
}

// Missing-data treatments, named for what no data means.
const (
	// noDataIsHealthy: the metric only has data when something happens
	// (errors, throttles, requests).
	noDataIsHealthy = awscloudwatch.TreatMissingData_NOT_BREACHING
	// noDataIsFailure: the metric must always have data (traffic).
	noDataIsFailure = awscloudwatch.TreatMissingData_BREACHING
)

// alarm is one alarm on a metric: when it breaches, how missing data
// counts, over how many periods (all must breach), and what to check first.
// breach and missing have no default: leaving either out fails synth.
type alarm struct {
	name, check string
	metric      awscloudwatch.IMetric
	breach      breach
	missing     awscloudwatch.TreatMissingData
	periods     int
	// notify makes the alarm notify-only: a ticket on NotifyTopic, never
	// part of a paging composite.
	notify bool
}

func (m *Monitoring) add(a alarm) awscloudwatch.Alarm {
	if a.breach.op == "" || a.missing == "" || a.periods < 1 {
		cdkx.Error(m.Construct, "monitoring: alarm %s must state its breach side (atLeast or below), its missing-data treatment and its periods", a.name)
	}
	al := awscloudwatch.NewAlarm(m.Construct, jsii.String(a.name), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(m.name + "-" + a.name),
		AlarmDescription:   jsii.String(a.check),
		Metric:             a.metric,
		Threshold:          jsii.Number(a.breach.threshold),
		ComparisonOperator: a.breach.op,
		EvaluationPeriods:  jsii.Number(a.periods),
		DatapointsToAlarm:  jsii.Number(a.periods),
		TreatMissingData:   a.missing,
	})
	m.Alarms[a.name] = al
	if a.notify {
		m.Notify(al)
	} else {
		m.Page(m.subsystem, al)
	}
	return al
}

// Subsystem makes the paging alarms added after it, up to the next call,
// part of the named subsystem (one incident at a time; see the package
// doc). Alarms added before the first call are in subsystem "service".
// The name goes into the composite's name: letters, digits and dashes.
func (m *Monitoring) Subsystem(name string) { m.subsystem = name }

// Page adds alarms (a consumer's own, or one of Alarms) to a subsystem's
// paging composite; before Finish, to any subsystem; after it, only to a
// new one, whose composite is then created at once.
func (m *Monitoring) Page(subsystem string, alarms ...awscloudwatch.IAlarm) {
	if !m.finished {
		if _, seen := m.members[subsystem]; !seen {
			m.subsystems = append(m.subsystems, subsystem)
		}
		m.members[subsystem] = append(m.members[subsystem], alarms...)
		m.status(alarms...)
		return
	}
	if _, exists := m.Subsystems[subsystem]; exists {
		cdkx.Error(m.Construct, "monitoring: Page(%q) after Finish: that subsystem's composite exists already; page a new subsystem", subsystem)
		return
	}
	m.composite(subsystem, alarms)
}

// Notify makes alarms notify-only: each sends NotifyTopic a ticket when
// it goes to ALARM and when it recovers; nobody is paged.
func (m *Monitoring) Notify(alarms ...awscloudwatch.Alarm) {
	ticket := awscloudwatchactions.NewSnsAction(m.NotifyTopic.Topic)
	for _, a := range alarms {
		a.AddAlarmAction(ticket)
		a.AddOkAction(ticket)
		if !m.finished {
			m.status(a)
		}
	}
}

func (m *Monitoring) status(alarms ...awscloudwatch.IAlarm) {
	for _, a := range alarms {
		m.statusList = append(m.statusList, a)
	}
}

// Route is one API method, for the per-route latency graph.
type Route struct{ Method, Path string }

// API alarms on the stage's 5XX and 4XX rates, p99 latency and, when the
// environment expects traffic, a drop in requests; and graphs them.
//
// The metrics name the API and stage by their names (stageName, as
// configured), not by reference: CodeDeploy's rollback alarms include the
// 5XX rate, and a reference to the stage would make each function's alias
// depend, through its deployment group and the alarm, on the stage that
// depends on the alias.
func (m *Monitoring) API(api awsapigateway.RestApi, stageName string, routes []Route) {
	stageMetric := func(name, stat, label string, dims ...string) awscloudwatch.Metric {
		d := map[string]*string{"ApiName": api.RestApiName(), "Stage": jsii.String(stageName)}
		for i := 0; i+1 < len(dims); i += 2 {
			d[dims[i]] = jsii.String(dims[i+1])
		}
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/ApiGateway"), MetricName: jsii.String(name), DimensionsMap: &d,
			Statistic: jsii.String(stat), Period: minutes(5), Label: cdkx.OptionalString(label),
		})
	}
	count, e5, e4 := stageMetric("Count", "Sum", ""), stageMetric("5XXError", "Sum", ""), stageMetric("4XXError", "Sum", "")
	rate := func(label, errors string, err awscloudwatch.IMetric) awscloudwatch.MathExpression {
		return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String("IF(requests > 0, 100 * " + errors + " / requests, 0)"),
			UsingMetrics: &map[string]awscloudwatch.IMetric{"requests": count, errors: err},
			Label:        jsii.String(label), Period: minutes(5),
		})
	}
	r5, r4 := rate("5XX %", "errors5xx", e5), rate("4XX %", "errors4xx", e4)
	latency := stageMetric("Latency", "p99", "")
	m.add(alarm{name: "Api5xxRate", metric: r5, breach: atLeast(m.t.API5xxPercent), missing: noDataIsHealthy, periods: 1,
		check: "API 5XX rate is high. Check first: the Lambda errors alarms and the errors-by-route Logs Insights query, then DynamoDB throttles."})
	// Notify-only: 4XX answers are the API refusing what a client got
	// wrong (an expired credential, a bad body, 404, 409, 412), as it
	// should; paging on them would hold the api subsystem in ALARM while a
	// client misbehaves, and silence its 5XX and latency pages.
	m.add(alarm{name: "Api4xxRate", metric: r4, breach: atLeast(m.t.API4xxPercent), missing: noDataIsHealthy, periods: 3, notify: true,
		check: "API 4XX rate is high (a ticket, not a page: clients' mistakes are refused as they should be). Check first: the access log's errorType (auth, API key, validation, throttling) for a misbehaving client or an expired credential."})
	m.add(alarm{name: "ApiLatencyP99", metric: latency, breach: atLeast(float64(m.t.APILatencyP99.Milliseconds())), missing: noDataIsHealthy, periods: 3,
		check: "API p99 latency is high. Check first: Lambda p99 duration and cold starts on the dashboard, then DynamoDB latency."})
	if m.t.MinRequestsPer5Min > 0 {
		// API Gateway sends no Count at all without requests; filled with
		// 0, a stop in traffic breaches at once instead of only once the
		// whole evaluation range has no data (25 minutes, not 15).
		requests := filled("Requests", map[string]awscloudwatch.IMetric{"requests": count})
		// Notify-only: traffic drops every quiet night and before clients
		// arrive, so a page here would be in ALARM in normal operation.
		m.add(alarm{name: "ApiTrafficDrop", metric: requests, breach: below(float64(m.t.MinRequestsPer5Min)), missing: noDataIsFailure, periods: 3, notify: true,
			check: "Requests dropped below normal for 15 minutes (a ticket, not a page: quiet nights drop too). Check first: WAF blocks and 4XX in the access logs, DNS and client deployments."})
	}
	perRoute := []awscloudwatch.IMetric{}
	for _, r := range routes {
		perRoute = append(perRoute, stageMetric("Latency", "p99", r.Method+" "+r.Path+" p99", "Method", r.Method, "Resource", r.Path))
	}
	m.Dashboard.AddWidgets(
		graph("Requests", count),
		graph("Error rates (%)", r5, r4),
		graph("Latency percentiles (ms)",
			stageMetric("Latency", "p50", ""), stageMetric("Latency", "p90", ""),
			latency),
		graph("p99 latency by route (ms)", perRoute...),
	)
}

// WAF alarms when a web ACL blocks more requests than usual, and graphs
// allowed and blocked requests. metricName is the web ACL's visibility
// metric name, which names it in CloudWatch.
func (m *Monitoring) WAF(metricName string) {
	metric := func(name string) awscloudwatch.IMetric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/WAFV2"), MetricName: jsii.String(name),
			DimensionsMap: &map[string]*string{"WebACL": jsii.String(metricName), "Region": awscdk.Aws_REGION(), "Rule": jsii.String("ALL")},
			Statistic:     jsii.String("Sum"), Period: minutes(5), Label: jsii.String(name),
		})
	}
	blocked := metric("BlockedRequests")
	// Notify-only: blocking is the web ACL doing its job, for as long as an
	// attack lasts; paging on it would silence the api subsystem's 5XX and
	// latency pages for that time.
	m.add(alarm{name: "WafBlocked", metric: blocked, breach: atLeast(float64(m.t.WAFBlockedPer5Min)), missing: noDataIsHealthy, periods: 1, notify: true,
		check: "The web ACL blocked many requests (a ticket, not a page). Check first: the WAF logs for the rule and the source IPs: an attack, or a rule or rate limit blocking real clients."})
	m.Dashboard.AddWidgets(graph("WAF requests", metric("AllowedRequests"), blocked))
}

// Function alarms on a Lambda function's errors, throttles, p99 duration
// near its timeout and concurrency near the limit; and graphs them.
func (m *Monitoring) Function(name string, fn awslambda.IFunction, timeout time.Duration) {
	opts := &awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("Sum")}
	duration := fn.MetricDuration(&awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("p99"), Label: jsii.String(name + " p99")})
	concurrency := fn.Metric(jsii.String("ConcurrentExecutions"), &awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Maximum")})
	m.add(alarm{name: name + "Errors", metric: fn.MetricErrors(opts), breach: atLeast(1), missing: noDataIsHealthy, periods: 1,
		check: fmt.Sprintf("Function %s failed. Check first: its log group for level ERROR lines and their error field.", name)})
	m.add(alarm{name: name + "Throttles", metric: fn.MetricThrottles(opts), breach: atLeast(1), missing: noDataIsHealthy, periods: 1,
		check: fmt.Sprintf("Function %s was throttled. Check first: account concurrency (ConcurrentExecutions) and any reserved concurrency.", name)})
	m.add(alarm{name: name + "DurationNearTimeout", metric: duration, missing: noDataIsHealthy, periods: 3,
		breach: atLeast(float64(timeout.Milliseconds()) * float64(m.t.DurationPercentOfTimeout) / 100),
		check:  fmt.Sprintf("Function %s p99 duration is near its timeout. Check first: slow DynamoDB or SNS calls in its X-Ray traces.", name)})
	m.add(alarm{name: name + "Concurrency", metric: concurrency, missing: noDataIsHealthy, periods: 3,
		breach: atLeast(float64(m.t.ConcurrencyLimit * m.t.ConcurrencyPercent / 100)),
		check:  fmt.Sprintf("Function %s is near the concurrency limit. Check first: request volume and duration; raise the account limit or add reserved concurrency.", name)})
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
	m.add(alarm{name: name + "IteratorAge", metric: age, breach: atLeast(float64(m.t.IteratorAge.Milliseconds())), missing: noDataIsHealthy, periods: 5,
		check: fmt.Sprintf("%s is falling behind the table stream. Check first: its Errors alarm and logs (a record that keeps failing), then SNS.", name)})
	return age
}

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

// Table alarms on read and write throttles of the table and of each of
// its global secondary indexes, and on system errors; and graphs consumed
// capacity. CloudWatch ignores missing data in alarms on AWS/DynamoDB
// metrics, which DynamoDB only reports while something happens, so each
// metric is filled with 0: without that an alarm would stay in ALARM after
// the throttling stopped.
func (m *Monitoring) Table(name string, t awsdynamodb.ITable, indexes []string) {
	metric := func(metric string, dims map[string]string) awscloudwatch.IMetric {
		d := map[string]*string{"TableName": t.TableName()}
		for k, v := range dims {
			d[k] = jsii.String(v)
		}
		return t.Metric(jsii.String(metric), &awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("Sum"), DimensionsMap: &d})
	}
	// throttles alarms on one table or index; part names it in the alarm
	// names and, lower-cased, in the metric ids, which must be unique
	// within the dashboard graph.
	throttles := func(part, what string, dims map[string]string) (reads, writes awscloudwatch.IMetric) {
		id := strings.ToLower(part)
		reads = filled(what+" read throttles", map[string]awscloudwatch.IMetric{"reads" + id: metric("ReadThrottleEvents", dims)})
		writes = filled(what+" write throttles", map[string]awscloudwatch.IMetric{"writes" + id: metric("WriteThrottleEvents", dims)})
		m.add(alarm{name: name + part + "ReadThrottles", metric: reads, breach: atLeast(1), missing: noDataIsHealthy, periods: 1,
			check: fmt.Sprintf("%s throttled reads. Check first: the most throttled keys in its Contributor Insights (a hot partition), or a list query storm.", what)})
		m.add(alarm{name: name + part + "WriteThrottles", metric: writes, breach: atLeast(1), missing: noDataIsHealthy, periods: 1,
			check: fmt.Sprintf("%s throttled writes. Check first: the most throttled keys in its Contributor Insights (a hot key) or a bulk import; on-demand tables throttle above twice the previous peak.", what)})
		return reads, writes
	}
	reads, writes := throttles("", "Table "+name, nil)
	panel := []awscloudwatch.IMetric{reads, writes}
	for _, ix := range indexes {
		r, w := throttles("Index"+ix, "Index "+ix+" of table "+name, map[string]string{"GlobalSecondaryIndexName": ix})
		panel = append(panel, r, w)
	}
	ops := map[string]awscloudwatch.IMetric{}
	for _, op := range []string{"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "TransactWriteItems"} {
		ops[strings.ToLower(op)] = metric("SystemErrors", map[string]string{"Operation": op})
	}
	errs := filled("System errors", ops)
	m.add(alarm{name: name + "SystemErrors", metric: errs, breach: atLeast(1), missing: noDataIsHealthy, periods: 1,
		check: fmt.Sprintf("Table %s returned 5XX errors. Check first: the AWS Health Dashboard for DynamoDB in this region.", name)})
	opts := &awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("Sum")}
	m.Dashboard.AddWidgets(
		graph("DynamoDB consumed capacity", t.MetricConsumedReadCapacityUnits(opts), t.MetricConsumedWriteCapacityUnits(opts)),
		graph("DynamoDB throttles and errors", append(panel, errs)...),
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
		{"SlowestRequests", "slowest requests", "fields @timestamp, requestId, route, status, latencyMs, coldStart\n| filter msg = \"request\"\n| sort latencyMs desc\n| limit 50"},
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

// CloudWatch's limits on a composite alarm (PutCompositeAlarm): the
// alarms its rule names and the length of the rule.
const (
	maxCompositeChildren   = 100
	maxCompositeRuleLength = 10240
)

// member is an alarm in a composite and the length of its name (255, the
// longest CloudWatch allows, when the name is not known at synth).
type member struct {
	alarm   awscloudwatch.IAlarm
	nameLen int
}

func (m *Monitoring) member(a awscloudwatch.IAlarm) member {
	if name := a.AlarmName(); name != nil && !*awscdk.Token_IsUnresolved(name) {
		return member{a, len(*name)}
	}
	if al, ok := a.(awscloudwatch.Alarm); ok {
		for short, known := range m.Alarms {
			if known == al {
				return member{a, len(m.name) + 1 + len(short)}
			}
		}
	}
	return member{a, 255}
}

// ruleLength bounds the length of AlarmRule_AnyOf(members) once deployed:
// "(" ALARM("<alarm ARN>") joined by " OR " ")", each ARN as long as the
// longest partition (aws-us-gov) and region (14 characters) make it.
func ruleLength(members []member) int {
	n := 2 + 4*(len(members)-1)
	for _, mb := range members {
		n += len(`ALARM("arn:aws-us-gov:cloudwatch:`) + 14 + len(":123456789012:alarm:") + mb.nameLen + len(`")`)
	}
	return n
}

// composite creates the paging composite of a subsystem, or an
// annotation error naming the CloudWatch limit it would exceed.
func (m *Monitoring) composite(subsystem string, alarms []awscloudwatch.IAlarm) awscloudwatch.CompositeAlarm {
	members := make([]member, len(alarms))
	rules := make([]awscloudwatch.IAlarmRule, len(alarms))
	for i, a := range alarms {
		members[i], rules[i] = m.member(a), a
	}
	name := m.name + "-" + subsystem + "-unhealthy"
	if !m.withinLimits(name, members) {
		return nil
	}
	c := awscloudwatch.NewCompositeAlarm(m.Construct, jsii.String("Unhealthy-"+subsystem), &awscloudwatch.CompositeAlarmProps{
		CompositeAlarmName: jsii.String(name),
		AlarmDescription:   jsii.String("Subsystem " + subsystem + " of " + m.name + " is unhealthy: at least one of its alarms is firing (this page's state reason names it). Check first: that alarm's description, and the alarm status panel of the " + m.name + " dashboard."),
		AlarmRule:          awscloudwatch.AlarmRule_AnyOf(rules...),
	})
	page := awscloudwatchactions.NewSnsAction(m.Topic)
	c.AddAlarmAction(page)
	c.AddOkAction(page)
	m.Subsystems[subsystem] = c
	return c
}

func (m *Monitoring) withinLimits(name string, members []member) bool {
	if len(members) > maxCompositeChildren {
		cdkx.Error(m.Construct, "monitoring: composite alarm %s would name %d alarms; CloudWatch allows at most %d alarms in a composite's rule (PutCompositeAlarm): split it into more subsystems", name, len(members), maxCompositeChildren)
		return false
	}
	if n := ruleLength(members); n > maxCompositeRuleLength {
		cdkx.Error(m.Construct, "monitoring: composite alarm %s would have an AlarmRule of up to %d characters; CloudWatch allows at most %d (PutCompositeAlarm): split it into more subsystems or shorten the alarm names", name, n, maxCompositeRuleLength)
		return false
	}
	return true
}

// Finish creates each subsystem's paging composite, the Unhealthy
// composite over them, and the alarm status panel. Call it once, after
// the last alarm; later, only Page with a new subsystem and Notify.
func (m *Monitoring) Finish() {
	if len(m.subsystems) == 0 {
		cdkx.Error(m.Construct, "monitoring: Finish called before any paging alarm was added")
		return
	}
	m.finished = true
	var composites []awscloudwatch.IAlarm
	var rules []awscloudwatch.IAlarmRule
	for _, sub := range m.subsystems {
		if c := m.composite(sub, m.members[sub]); c != nil {
			composites, rules = append(composites, c), append(rules, c)
		}
	}
	members := make([]member, len(composites))
	for i, c := range composites {
		members[i] = member{c, len(m.name + "-" + m.subsystems[i] + "-unhealthy")}
	}
	if len(composites) == len(m.subsystems) && m.withinLimits(m.name+"-unhealthy", members) {
		m.Unhealthy = awscloudwatch.NewCompositeAlarm(m.Construct, jsii.String("Unhealthy"), &awscloudwatch.CompositeAlarmProps{
			CompositeAlarmName: jsii.String(m.name + "-unhealthy"),
			AlarmDescription:   jsii.String("At least one subsystem of " + m.name + " is unhealthy; its own composite pages. This alarm notifies nobody. Check first: the alarm status panel of the " + m.name + " dashboard."),
			AlarmRule:          awscloudwatch.AlarmRule_AnyOf(rules...),
		})
	}
	m.Dashboard.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
		Title: jsii.String("Alarm status"), Alarms: &m.statusList, Width: jsii.Number(24), Height: jsii.Number(8),
	}))
}
