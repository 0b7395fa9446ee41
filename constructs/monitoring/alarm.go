package monitoring

import (
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/internal/cdkx"
)

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
