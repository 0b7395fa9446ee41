package monitoring

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/internal/cdkx"
)

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
