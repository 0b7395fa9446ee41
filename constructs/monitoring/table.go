package monitoring

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/jsii-runtime-go"
)

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
