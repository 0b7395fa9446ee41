package restapi

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/internal/cdkx"
)

// WebACL is the stage's web application firewall.
type WebACL struct {
	// MetricName names the web ACL in CloudWatch (dimension WebACL).
	MetricName  string
	ACL         awswafv2.CfnWebACL
	Association awswafv2.CfnWebACLAssociation
	Logging     awswafv2.CfnLoggingConfiguration
}

// ManagedRuleGroups are the AWS managed rule groups the web ACL applies.
var ManagedRuleGroups = []string{"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"}

func visibility(name string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
	return &awswafv2.CfnWebACL_VisibilityConfigProperty{
		CloudWatchMetricsEnabled: jsii.Bool(true), SampledRequestsEnabled: jsii.Bool(true), MetricName: jsii.String(name),
	}
}

func (r *RestAPI) addWAF(p Props, retention awslogs.RetentionDays) {
	stack := awscdk.Stack_Of(r.Construct)
	var rules []any
	for i, group := range ManagedRuleGroups {
		rules = append(rules, &awswafv2.CfnWebACL_RuleProperty{
			Name:           jsii.String(group),
			Priority:       jsii.Number(i),
			OverrideAction: &awswafv2.CfnWebACL_OverrideActionProperty{None: map[string]any{}},
			Statement: &awswafv2.CfnWebACL_StatementProperty{ManagedRuleGroupStatement: &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{
				VendorName: jsii.String("AWS"), Name: jsii.String(group),
			}},
			VisibilityConfig: visibility(group),
		})
	}
	rules = append(rules, &awswafv2.CfnWebACL_RuleProperty{
		Name:     jsii.String("RateLimitPerIP"),
		Priority: jsii.Number(len(ManagedRuleGroups)),
		Action:   &awswafv2.CfnWebACL_RuleActionProperty{Block: map[string]any{}},
		Statement: &awswafv2.CfnWebACL_StatementProperty{RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
			Limit: jsii.Number(p.WAFRateLimit), AggregateKeyType: jsii.String("IP"),
		}},
		VisibilityConfig: visibility("RateLimitPerIP"),
	})
	metricName := p.Name + "-waf"
	acl := awswafv2.NewCfnWebACL(r.Construct, jsii.String("WebACL"), &awswafv2.CfnWebACLProps{
		Scope:            jsii.String("REGIONAL"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: map[string]any{}},
		Rules:            rules,
		VisibilityConfig: visibility(metricName),
	})
	assoc := awswafv2.NewCfnWebACLAssociation(r.Construct, jsii.String("WebACLAssociation"), &awswafv2.CfnWebACLAssociationProps{
		ResourceArn: r.Stage.StageArn(),
		WebAclArn:   acl.AttrArn(),
	})
	// WAF only logs to groups whose name starts with aws-waf-logs-, and takes
	// the group's ARN without the trailing ":*". The name ends in the
	// stack's own id, so a re-created stack never meets a retained group of
	// the same name.
	stackID := awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), stack.StackId(), nil))
	name := *awscdk.Fn_Join(jsii.String("-"), &[]*string{jsii.String("aws-waf-logs-" + *stack.StackName()), stackID})
	r.WAFLogs = awslogs.NewLogGroup(r.Construct, jsii.String("WAFLogs"), &awslogs.LogGroupProps{
		LogGroupName: jsii.String(name), Retention: retention, RemovalPolicy: cdkx.RemovalPolicy(p.Retain),
	})
	logging := awswafv2.NewCfnLoggingConfiguration(r.Construct, jsii.String("WAFLogging"), &awswafv2.CfnLoggingConfigurationProps{
		ResourceArn: acl.AttrArn(),
		// Tokens and API keys never reach the logs.
		RedactedFields: &[]any{
			&awswafv2.CfnLoggingConfiguration_FieldToMatchProperty{SingleHeader: map[string]any{"Name": "authorization"}},
			&awswafv2.CfnLoggingConfiguration_FieldToMatchProperty{SingleHeader: map[string]any{"Name": "x-api-key"}},
		},
		LogDestinationConfigs: &[]any{stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("logs"), Resource: jsii.String("log-group"), ResourceName: r.WAFLogs.LogGroupName(),
			ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})},
	})
	r.WebACL = &WebACL{MetricName: metricName, ACL: acl, Association: assoc, Logging: logging}
}
