package resourceapi

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"

	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/constructs/internal/cdkx"
	"github.com/acme/customers-api/constructs/monitoring"
)

// monitor alarms on every part of the request and event paths.
func (r *ResourceAPI) monitor(p Props) {
	m := monitoring.New(r.Construct, "Monitoring", monitoring.Props{
		Name: p.Name, Retain: p.Functions.Retain, Settings: p.Alarms,
	})
	r.Monitoring = m
	var routes []monitoring.Route
	for _, op := range p.Operations {
		routes = append(routes, monitoring.Route{Method: op.Method, Path: op.Path})
	}
	// Subsystems, each one incident at a time: the API, each operation
	// (its function and smoke check), the table, the alarm e-mails and the
	// event path.
	m.Subsystem("api")
	m.API(r.API.Api, r.API.StageName, routes)
	if r.API.WebACL != nil {
		m.WAF(r.API.WebACL.MetricName)
	}
	timeout := cdkx.OrDefault(p.Functions.Timeout, gofunction.DefaultTimeout)
	for _, a := range p.Authorizers {
		// A failing authorizer fails every request it guards (a 500): it
		// pages as the API does.
		m.Function(authorizerAlarmName(a.Name), r.Authorizers[a.Name].Function, timeout)
	}
	var logs []awslogs.ILogGroup
	for _, op := range p.Operations {
		m.Subsystem(op.Name)
		m.Function(op.Name, r.Functions[op.Name].Function, cdkx.OrDefault(functionSettings(p, op).Timeout, gofunction.DefaultTimeout))
		logs = append(logs, r.Functions[op.Name].LogGroup)
		if hook, ok := r.SmokeChecks[op.Name]; ok {
			m.Function(op.Name+"SmokeCheck", hook.Function, gofunction.DefaultTimeout)
		}
	}
	m.Subsystem("data")
	m.Table("Table", r.Table, indexes(p))
	m.Subsystem("alarms")
	for _, dlq := range []struct {
		name string
		q    awssqs.IQueue
	}{{"AlarmEmailDLQ", m.EmailDLQ}, {"NotifyEmailDLQ", m.NotifyTopic.EmailDLQ}} {
		if dlq.q != nil {
			m.DLQ(dlq.name, dlq.q, "the alarm topics' e-mail subscriptions")
		}
	}
	if f := r.Events; f != nil {
		m.Subsystem("events")
		m.Function("publisher", f.Publisher.Function, timeout)
		m.Function("forwarder", f.Forwarder.Function, timeout)
		lag := []awscloudwatch.IMetric{m.StreamConsumer("Publisher", f.Publisher.Function), m.Queue("ForwardQueue", f.ForwardQueue)}
		dlqs := []awscloudwatch.IMetric{
			m.DLQ("PublisherDLQ", f.PublisherDLQ, "the stream publisher"),
			m.DLQ("ForwardDLQ", f.ForwardDLQ, "the forwarder"),
		}
		for _, sub := range []string{"forward", "email"} {
			if q, ok := f.SubscriptionDLQs[sub]; ok {
				dlqs = append(dlqs, m.DLQ("Subscription"+strings.ToUpper(sub[:1])+sub[1:]+"DLQ", q, "the topic's "+sub+" subscription"))
			}
		}
		m.Deliveries("EventTopic", f.Topic)
		for _, rule := range p.Events.Rules {
			t := f.Targets[rule.Name]
			m.Rule("Rule"+rule.Name, t.Rule, f.Bus)
			lag = append(lag, m.ConsumerQueue("Target"+rule.Name, t.Queue))
			dlqs = append(dlqs, m.DLQ("Target"+rule.Name+"DLQ", t.DLQ, "EventBridge (rule "+rule.Name+")"))
		}
		m.EventPipeline(lag, dlqs)
	}
	m.LogQueries(logs)
	if p.MoreAlarms != nil {
		p.MoreAlarms(r)
	}
	m.Finish()
}
