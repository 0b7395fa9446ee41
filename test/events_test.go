package test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/constructs/eventfanout"
)

func TestTopicAndQueuesAreEncryptedAndRefusePlainText(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			tmpl := template(s.Api.Stack)
			tmpl.HasResourceProperties(jsii.String("AWS::SNS::Topic"), map[string]any{"KmsMasterKeyId": assertions.Match_AnyValue()})
			tmpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{"EnableKeyRotation": true})
			queues := *tmpl.FindResources(jsii.String("AWS::SQS::Queue"), nil)
			if len(queues) < 7 {
				t.Errorf("%d queues, want at least 7", len(queues))
			}
			for id, q := range queues {
				if props(q)["SqsManagedSseEnabled"] != true {
					t.Errorf("queue %s is not encrypted at rest", id)
				}
			}
			// Every queue and the topic deny requests without TLS.
			denied := map[string]bool{}
			for _, typ := range []string{"AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"} {
				for _, p := range *tmpl.FindResources(jsii.String(typ), nil) {
					doc, _ := json.Marshal(props(p)["PolicyDocument"])
					if !strings.Contains(string(doc), `"aws:SecureTransport":"false"`) {
						continue
					}
					targets, _ := json.Marshal(props(p)["Queues"])
					if typ == "AWS::SNS::TopicPolicy" {
						targets, _ = json.Marshal(props(p)["Topics"])
					}
					var refs []map[string]string
					json.Unmarshal(targets, &refs)
					for _, r := range refs {
						denied[r["Ref"]] = true
					}
				}
			}
			for id := range queues {
				if !denied[id] {
					t.Errorf("queue %s accepts plain-text requests", id)
				}
			}
			for id := range *tmpl.FindResources(jsii.String("AWS::SNS::Topic"), nil) {
				if !denied[id] {
					t.Errorf("topic %s accepts plain-text requests", id)
				}
			}
		})
	}
}

func TestEverySubscriptionAndRuleTargetHasADeadLetterQueue(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			tmpl := template(s.Api.Stack)
			eventTopic := *s.Api.Stack.GetLogicalId(s.Api.Customers.Events.Topic.Node().DefaultChild().(awscdk.CfnElement))
			subs := map[string]*map[string]any{}
			for id, sub := range *tmpl.FindResources(jsii.String("AWS::SNS::Subscription"), nil) {
				if ref, _ := props(sub)["TopicArn"].(map[string]any); ref["Ref"] == eventTopic {
					subs[id] = sub
				}
			}
			if want := 1 + len(s.Env.Events.NotificationEmails); len(subs) != want {
				t.Errorf("%d event subscriptions, want %d", len(subs), want)
			}
			for id, sub := range subs {
				if props(sub)["RedrivePolicy"] == nil {
					t.Errorf("subscription %s has no DLQ", id)
				}
				if props(sub)["Protocol"] == "email" && props(sub)["FilterPolicy"] == nil {
					t.Errorf("e-mail subscription %s has no filter policy", id)
				}
			}
			rules := *tmpl.FindResources(jsii.String("AWS::Events::Rule"), nil)
			if len(rules) != 2 {
				t.Errorf("%d rules, want analytics and CRM", len(rules))
			}
			for id, r := range rules {
				for _, target := range props(r)["Targets"].([]any) {
					tg := target.(map[string]any)
					if tg["DeadLetterConfig"] == nil || tg["RetryPolicy"] == nil {
						t.Errorf("rule %s target has no DLQ or retry policy: %v", id, tg)
					}
				}
			}
			tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
				"EventPattern": map[string]any{"source": []string{"com.acme.customers"}, "detail-type": []string{"customer.created", "customer.status-changed"}},
			})
		})
	}
}

func TestTheStreamAndQueueMappingsRetryOnlyWhatFailed(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			tmpl := template(s.Api.Stack)
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
				"StartingPosition":           "TRIM_HORIZON",
				"BisectBatchOnFunctionError": true,
				"MaximumRetryAttempts":       10,
				"MaximumRecordAgeInSeconds":  eventfanout.PublisherMaxRecordAge.Seconds(),
				"FunctionResponseTypes":      []string{"ReportBatchItemFailures"},
				"DestinationConfig":          map[string]any{"OnFailure": map[string]any{"Destination": assertions.Match_AnyValue()}},
				"FilterCriteria": map[string]any{"Filters": []any{
					map[string]any{"Pattern": `{"dynamodb":{"NewImage":{"type":{"S":["customer"]}}}}`},
					map[string]any{"Pattern": `{"dynamodb":{"OldImage":{"type":{"S":["customer"]}}}}`},
				}},
			})
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
				"BatchSize": 10, "FunctionResponseTypes": []string{"ReportBatchItemFailures"},
			})
			// The forwarding queue hides a message for six function timeouts.
			tmpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), map[string]any{
				"VisibilityTimeout": 6 * s.Env.Functions.Timeout.Seconds(),
				"RedrivePolicy":     map[string]any{"deadLetterTargetArn": assertions.Match_AnyValue(), "maxReceiveCount": 5},
			})
		})
	}
}

func TestTheBusArchivesEventsForReplay(t *testing.T) {
	for _, s := range services {
		template(s.Data.Stack).HasResourceProperties(jsii.String("AWS::Events::Archive"), map[string]any{
			"RetentionDays": s.Env.Events.ArchiveRetentionDays,
			"EventPattern":  map[string]any{"source": []string{"com.acme.customers"}},
		})
	}
}

func TestEventRolesHoldOnlyWhatTheyUse(t *testing.T) {
	for _, s := range services {
		t.Run(s.Env.Name, func(t *testing.T) {
			f := s.Api.Customers.Events
			roles := map[string]awsiam.IRole{"publisher": f.Publisher.Role, "forwarder": f.Forwarder.Role, "recovery": f.RecoveryRole}
			for name, want := range map[string][]string{
				"publisher": {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
					"kms:Decrypt", "kms:GenerateDataKey", "logs:CreateLogStream", "logs:PutLogEvents", "sns:Publish",
					"sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage", "xray:PutTelemetryRecords", "xray:PutTraceSegments"},
				"forwarder": {"events:PutEvents", "logs:CreateLogStream", "logs:PutLogEvents",
					"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage",
					"xray:PutTelemetryRecords", "xray:PutTraceSegments"},
				// tools/recover's calls (see TestTheRecoveryRunbookCanRedriveAndReconcile).
				"recovery": {"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:Scan", "kms:Decrypt", "kms:GenerateDataKey",
					"sns:Publish", "sqs:DeleteMessage", "sqs:ReceiveMessage"},
			} {
				roleID := *s.Api.Stack.GetLogicalId(roles[name].Node().DefaultChild().(awscdk.CfnElement))
				var got []string
				for _, st := range roleStatements(t, s.Api.Stack, roleID) {
					got = append(got, st.Action...)
				}
				slices.Sort(got)
				if diff := cmp.Diff(want, slices.Compact(got)); diff != "" {
					t.Errorf("%s actions (-want +got):\n%s", name, diff)
				}
			}
		})
	}
}
