package monitoring

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
)

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
