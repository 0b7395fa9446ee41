package monitoring

import (
	"fmt"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

// Function alarms on a Lambda function's errors, throttles, p99 duration
// near its timeout and concurrency near the limit; and graphs them.
func (m *Monitoring) Function(name string, fn awslambda.IFunction, timeout time.Duration) {
	opts := &awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("Sum")}
	duration := fn.MetricDuration(&awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("p99"), Label: jsii.String(name + " p99")})
	concurrency := fn.Metric(jsii.String("ConcurrentExecutions"), &awscloudwatch.MetricOptions{Period: minutes(1), Statistic: jsii.String("Maximum")})
	m.add(alarm{name: name + "Errors", metric: fn.MetricErrors(opts), breach: atLeast(float64(m.t.FunctionErrorsPer5Min)), missing: noDataIsHealthy, periods: 1,
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
