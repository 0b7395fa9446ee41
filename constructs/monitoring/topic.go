package monitoring

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/constructs/internal/cdkx"
	"github.com/acme/customers-api/constructs/settings"
)

// AlarmTopicProps describes a topic that CloudWatch alarms notify.
type AlarmTopicProps struct {
	// DisplayName is the topic's display name (the e-mails' sender name),
	// e.g. "customers-prod alarms". Required.
	DisplayName string
	// AlarmNamePrefix: only alarms (metric or composite) of this account and
	// region whose names start with it may publish, e.g. "customers-prod-".
	// Required: an empty prefix would let every alarm of the account publish.
	AlarmNamePrefix string
	// Emails are subscribed; notifications SNS cannot deliver go to EmailDLQ.
	// Each is a plain address ("oncall@example.com": net/mail parses it to
	// itself), listed once; another is an annotation error naming it, and
	// is not subscribed. Default: no subscription and no EmailDLQ.
	Emails []string
	// Retain keeps the key and the e-mail DLQ when the stack is deleted.
	// Default: false (they are deleted with the stack).
	Retain bool
}

// AlarmTopic is an encrypted SNS topic that CloudWatch alarms can notify.
type AlarmTopic struct {
	// Key is the topic's customer-managed KMS key (rotated).
	Key   awskms.Key
	Topic awssns.Topic
	// EmailDLQ keeps the e-mails SNS could not deliver; nil without Emails.
	EmailDLQ awssqs.Queue
}

// NewAlarmTopic creates, in scope, the children "Key", "Topic" and (with
// Emails) "EmailDLQ": an SNS topic encrypted with its own KMS key that
// refuses plain-text publishes and that CloudWatch may publish to for the
// alarms of this account and region named p.AlarmNamePrefix*, and nobody
// else's. Give each topic a scope of its own. Missing props are error
// annotations on scope.
//
// A topic policy replaces SNS's default policy, so the TLS-only Deny that
// EnforceSSL writes leaves nothing that allows CloudWatch in; both grants
// below are what CloudWatch asks of a topic with a policy and a
// customer-managed key, scoped against the confused deputy with
// aws:SourceArn and aws:SourceAccount:
//   - the topic policy's Allow of sns:Publish to cloudwatch.amazonaws.com:
//     https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
//     and https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
//   - the key policy's Allow of kms:GenerateDataKey and kms:Decrypt:
//     https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns and
//     https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
func NewAlarmTopic(scope constructs.Construct, p AlarmTopicProps) *AlarmTopic {
	if p.DisplayName == "" || p.AlarmNamePrefix == "" {
		cdkx.Error(scope, "monitoring: NewAlarmTopic needs DisplayName and AlarmNamePrefix")
	}
	t := &AlarmTopic{}
	t.Key = awskms.NewKey(scope, jsii.String("Key"), &awskms.KeyProps{
		Description: jsii.String("Encrypts the " + p.DisplayName + " topic"), EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy: cdkx.RemovalPolicy(p.Retain),
	})
	cloudWatch := func(actions []string, resource string) awsiam.PolicyStatement {
		stack := awscdk.Stack_Of(scope)
		return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("CloudWatchAlarmsOfThisAccountPublish"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
			Actions:    jsii.Strings(actions...),
			Resources:  jsii.Strings(resource),
			Conditions: &map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
				"ArnLike": map[string]any{"aws:SourceArn": stack.FormatArn(&awscdk.ArnComponents{
					Service: jsii.String("cloudwatch"), Resource: jsii.String("alarm"), ResourceName: jsii.String(p.AlarmNamePrefix + "*"),
					ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
				})},
			},
		})
	}
	t.Key.AddToResourcePolicy(cloudWatch([]string{"kms:GenerateDataKey", "kms:Decrypt"}, "*"), nil) // in a key policy, "*" is this key
	t.Topic = awssns.NewTopic(scope, jsii.String("Topic"), &awssns.TopicProps{
		DisplayName: jsii.String(p.DisplayName), MasterKey: t.Key, EnforceSSL: jsii.Bool(true),
	})
	t.Topic.AddToResourcePolicy(cloudWatch([]string{"sns:Publish"}, *t.Topic.TopicArn()))
	emails := plainAddresses(scope, "Emails", p.Emails)
	if len(emails) > 0 {
		t.EmailDLQ = awssqs.NewQueue(scope, jsii.String("EmailDLQ"), &awssqs.QueueProps{
			Encryption: awssqs.QueueEncryption_SQS_MANAGED, EnforceSSL: jsii.Bool(true),
			RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)), RemovalPolicy: cdkx.RemovalPolicy(p.Retain),
		})
		cdknag.NagSuppressions_AddResourceSuppressions(t.EmailDLQ, &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("AwsSolutions-SQS3"), Reason: jsii.String("This queue is the dead-letter queue of the " + p.DisplayName + " e-mail subscriptions."),
		}}, nil)
	}
	for _, addr := range emails {
		t.Topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(addr), &awssnssubscriptions.EmailSubscriptionProps{
			DeadLetterQueue: t.EmailDLQ,
		}))
	}
	return t
}

// plainAddresses returns the addresses that are plain
// (settings.PlainAddress) and not repeated, recording an annotation error on scope naming
// prop[i] for each other one. (An empty address, or a repeated one, would otherwise be a jsii
// panic: each subscription's construct id is its address.)
func plainAddresses(scope constructs.Construct, prop string, addrs []string) []string {
	var plain []string
	for i, addr := range addrs {
		switch {
		case !settings.PlainAddress(addr):
			cdkx.Error(scope, "monitoring: %s[%d] %q is not a plain e-mail address like oncall@example.com", prop, i, addr)
		case slices.Contains(plain, addr):
			cdkx.Error(scope, "monitoring: %s[%d] %q is listed twice", prop, i, addr)
		default:
			plain = append(plain, addr)
		}
	}
	return plain
}
