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
// Call Finish once, after the last alarm; a second call is an annotation
// error. (constructs/resourceapi calls it in New: add your own alarms there
// with Props.MoreAlarms.)
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
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
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
	IteratorAge: time.Minute, QueueAge: 5 * time.Minute, WAFBlockedPer5Min: 500, FunctionErrorsPer5Min: 1,
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
	// recovers: they are subscribed to the topic New creates.
	// Undeliverable notifications go to a dead-letter queue. Each is a
	// plain address ("oncall@example.com", as net/mail parses it); another
	// is an annotation error naming it. Default: none.
	Emails []string
	// Topic, when set, receives the pages instead of a new topic. Its
	// subscriptions are yours: setting Emails too is an annotation error
	// naming both (subscribe those addresses to Topic yourself). Default:
	// a new topic (NewAlarmTopic) with Emails subscribed.
	Topic awssns.ITopic
	// NotifyEmails receive the notify-only alarms (tickets, not pages);
	// plain addresses like Emails. Default: Emails.
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
	emails, notifyEmails := plainAddresses(c, "Emails", p.Emails), plainAddresses(c, "NotifyEmails", p.NotifyEmails)
	m.Topic = p.Topic
	if m.Topic != nil && len(p.Emails) > 0 {
		cdkx.Error(c, "monitoring: Topic and Emails are both set: Emails are subscribed only to a topic New creates, never to Topic; subscribe them to Topic yourself, or leave Topic unset")
	}
	if m.Topic == nil {
		t := NewAlarmTopic(c, AlarmTopicProps{DisplayName: p.Name + " alarms", AlarmNamePrefix: p.Name + "-", Emails: emails, Retain: p.Retain})
		m.Topic, m.Key, m.EmailDLQ = t.Topic, t.Key, t.EmailDLQ
	}
	if len(p.NotifyEmails) == 0 {
		notifyEmails = emails
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
	t.FunctionErrorsPer5Min = cdkx.OrDefault(t.FunctionErrorsPer5Min, d.FunctionErrorsPer5Min)
	return t
}

// Subsystem makes the paging alarms added after it, up to the next call,
// part of the named subsystem (one incident at a time; see the package
// doc). Alarms added before the first call are in subsystem "service".
// The name goes into the composite's name: letters, digits and dashes.
func (m *Monitoring) Subsystem(name string) { m.subsystem = name }

// Page adds alarms (a consumer's own, or one of Alarms) to a subsystem's
// paging composite; before Finish, to any subsystem; after it, only to a
// new one, whose composite is then created at once. A call with no alarms
// (a composite's rule needs one) or with a nil alarm is an annotation
// error and adds nothing.
func (m *Monitoring) Page(subsystem string, alarms ...awscloudwatch.IAlarm) {
	call := fmt.Sprintf("Page(%q)", subsystem)
	if len(alarms) == 0 {
		cdkx.Error(m.Construct, "monitoring: %s names no alarms: a subsystem pages when one of its alarms fires, so it needs at least one", call)
		return
	}
	if !noneNil(m.Construct, call, alarms) {
		return
	}
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
// it goes to ALARM and when it recovers; nobody is paged. A nil alarm is
// an annotation error, and then none of them notifies.
func (m *Monitoring) Notify(alarms ...awscloudwatch.Alarm) {
	if !noneNil(m.Construct, "Notify", alarms) {
		return
	}
	ticket := awscloudwatchactions.NewSnsAction(m.NotifyTopic.Topic)
	for _, a := range alarms {
		a.AddAlarmAction(ticket)
		a.AddOkAction(ticket)
		if !m.finished {
			m.status(a)
		}
	}
}

// noneNil reports whether no alarm is nil; otherwise it records an
// annotation error on c naming call and the first nil alarm's index.
func noneNil[A awscloudwatch.IAlarm](c constructs.IConstruct, call string, alarms []A) bool {
	for i, a := range alarms {
		if awscloudwatch.IAlarm(a) == nil {
			cdkx.Error(c, "monitoring: %s: alarm %d is nil", call, i)
			return false
		}
	}
	return true
}

func (m *Monitoring) status(alarms ...awscloudwatch.IAlarm) {
	for _, a := range alarms {
		m.statusList = append(m.statusList, a)
	}
}
