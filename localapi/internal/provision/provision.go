// Package provision creates in moto what the templates define that the
// local environment needs, and records the names, URLs and ARNs moto gave
// them in the assembly, so that function environments and event source
// mappings resolve to them.
package provision

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/acme/customers-api/localapi/internal/template"
)

// Provision creates in cfg's account (moto) what the templates define that
// the local environment needs: tables (keys, indexes, stream, TTL), queues
// (with their redrive policies), topics, SQS subscriptions, event buses and
// rules with their SQS targets. It records every physical name and ARN in
// t, and returns the SQS queues rules deliver to. Resource types it does
// not create are described by Skipped.
func Provision(ctx context.Context, t *template.Assembly, cfg aws.Config) ([]Target, error) {
	t.Region = cfg.Region
	a := &assembly{Assembly: t}
	steps := []func(context.Context, aws.Config) error{a.tables, a.queues, a.topics, a.subscriptions, a.buses, a.rules}
	for _, step := range steps {
		if err := step(ctx, cfg); err != nil {
			return nil, err
		}
	}
	return a.targets, nil
}

// assembly is the templates being provisioned and the rule targets found.
type assembly struct {
	*template.Assembly
	targets []Target
}

// Skipped lists, for the README and the start-up banner, what the local
// environment leaves out of the templates it runs.
var Skipped = []string{
	"SNS subscriptions other than SQS (e-mail) and rule targets other than SQS",
	"KMS keys (moto stores data unencrypted), IAM (every function may call every local resource), WAF",
	"CloudWatch alarms, dashboards and log groups (alarmsim evaluates the alarms), CodeDeploy",
}

func (a *assembly) tables(ctx context.Context, cfg aws.Config) error {
	db := dynamodb.NewFromConfig(cfg)
	for _, r := range a.Resources("AWS::DynamoDB::Table") {
		name, err := a.Ref(r)
		if err != nil {
			return err
		}
		in := &dynamodb.CreateTableInput{TableName: &name, BillingMode: ddbtypes.BillingModePayPerRequest}
		var stream struct{ StreamViewType ddbtypes.StreamViewType }
		var ttl struct {
			AttributeName string
			Enabled       bool
		}
		for prop, out := range map[string]any{"AttributeDefinitions": &in.AttributeDefinitions, "KeySchema": &in.KeySchema,
			"GlobalSecondaryIndexes": &in.GlobalSecondaryIndexes, "LocalSecondaryIndexes": &in.LocalSecondaryIndexes,
			"StreamSpecification": &stream, "TimeToLiveSpecification": &ttl} {
			if err := a.Decode(r, prop, out); err != nil {
				return err
			}
		}
		if stream.StreamViewType != "" {
			in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: stream.StreamViewType}
		}
		out, err := db.CreateTable(ctx, in)
		if err != nil {
			return fmt.Errorf("localapi: create table %s: %w", name, err)
		}
		if ttl.Enabled {
			if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: &name,
				TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: &ttl.AttributeName, Enabled: aws.Bool(true)}}); err != nil {
				return err
			}
		}
		if err := a.Record(r, "Arn", aws.ToString(out.TableDescription.TableArn), "StreamArn", aws.ToString(out.TableDescription.LatestStreamArn)); err != nil {
			return err
		}
	}
	return nil
}

func (a *assembly) queues(ctx context.Context, cfg aws.Config) error {
	client := sqs.NewFromConfig(cfg)
	pending := a.Resources("AWS::SQS::Queue")
	created := map[string]bool{}
	// A queue comes after the dead-letter queue its redrive policy names.
	for len(pending) > 0 {
		var later []template.Resource
		for _, r := range pending {
			attrs := map[string]string{}
			if rp, ok := r.Properties["RedrivePolicy"]; ok {
				p, _ := rp.(map[string]any)
				if dlq, ok := a.Lookup(r.Stack, p["deadLetterTargetArn"]); !ok || !created[dlq.Key()] {
					later = append(later, r)
					continue
				}
				v, err := a.Value(r.Stack, rp)
				if err != nil {
					return err
				}
				b, _ := json.Marshal(v)
				attrs["RedrivePolicy"] = string(b)
			}
			for _, p := range []string{"VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds"} {
				if v, ok := r.Properties[p].(float64); ok {
					attrs[p] = strconv.Itoa(int(v))
				}
			}
			name, err := a.GetAtt(r, "QueueName")
			if err != nil {
				return err
			}
			q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: attrs})
			if err != nil {
				return fmt.Errorf("localapi: create queue %s: %w", name, err)
			}
			// Ref and QueueUrl name moto's endpoint, not SQS's.
			if err := a.Record(r, "", *q.QueueUrl, "QueueUrl", *q.QueueUrl); err != nil {
				return err
			}
			created[r.Key()] = true
		}
		if len(later) == len(pending) {
			return fmt.Errorf("localapi: queue %s: its redrive policy names no queue of the templates", later[0].Key())
		}
		pending = later
	}
	return nil
}

func (a *assembly) topics(ctx context.Context, cfg aws.Config) error {
	client := sns.NewFromConfig(cfg)
	for _, r := range a.Resources("AWS::SNS::Topic") {
		name, err := a.GetAtt(r, "TopicName")
		if err != nil {
			return err
		}
		t, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: &name})
		if err != nil {
			return fmt.Errorf("localapi: create topic %s: %w", name, err)
		}
		if err := a.Record(r, "", *t.TopicArn, "TopicArn", *t.TopicArn); err != nil {
			return err
		}
	}
	return nil
}

func (a *assembly) subscriptions(ctx context.Context, cfg aws.Config) error {
	client := sns.NewFromConfig(cfg)
	for _, r := range a.Resources("AWS::SNS::Subscription") {
		if r.Properties["Protocol"] != "sqs" {
			continue
		}
		topic, err := a.String(r.Stack, r.Properties["TopicArn"])
		if err != nil {
			return err
		}
		endpoint, err := a.String(r.Stack, r.Properties["Endpoint"])
		if err != nil {
			return err
		}
		attrs := map[string]string{}
		if raw, _ := r.Properties["RawMessageDelivery"].(bool); raw {
			attrs["RawMessageDelivery"] = "true"
		}
		if fp, ok := r.Properties["FilterPolicy"]; ok {
			b, _ := json.Marshal(fp)
			attrs["FilterPolicy"] = string(b)
		}
		if _, err := client.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"), Endpoint: &endpoint, Attributes: attrs}); err != nil {
			return fmt.Errorf("localapi: subscribe %s: %w", r.Key(), err)
		}
	}
	return nil
}

func (a *assembly) buses(ctx context.Context, cfg aws.Config) error {
	client := eventbridge.NewFromConfig(cfg)
	for _, r := range a.Resources("AWS::Events::EventBus") {
		name, err := a.Ref(r)
		if err != nil {
			return err
		}
		b, err := client.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: &name})
		if err != nil {
			return fmt.Errorf("localapi: create event bus %s: %w", name, err)
		}
		if err := a.Record(r, "Arn", aws.ToString(b.EventBusArn)); err != nil {
			return err
		}
	}
	return nil
}

// Target is an SQS queue that an EventBridge rule delivers to.
type Target struct {
	// Rule is the rule's logical id; Queue the queue's URL.
	Rule, Queue string
}

func (a *assembly) rules(ctx context.Context, cfg aws.Config) error {
	client := eventbridge.NewFromConfig(cfg)
	for _, r := range a.Resources("AWS::Events::Rule") {
		// Ref is "<bus>|<rule>" on a custom bus, the rule's name on the
		// default one (cfnref).
		ref, err := a.Ref(r)
		if err != nil {
			return err
		}
		bus, name, custom := strings.Cut(ref, "|")
		if !custom {
			bus, name = "default", ref
		}
		pattern, err := a.Value(r.Stack, r.Properties["EventPattern"])
		if err != nil {
			return err
		}
		b, _ := json.Marshal(pattern)
		if _, err := client.PutRule(ctx, &eventbridge.PutRuleInput{Name: &name, EventBusName: &bus, EventPattern: aws.String(string(b))}); err != nil {
			return fmt.Errorf("localapi: put rule %s: %w", name, err)
		}
		var targets []struct{ Arn, Id string }
		if err := a.Decode(r, "Targets", &targets); err != nil {
			return err
		}
		for _, t := range targets {
			url := a.QueueURL(t.Arn)
			if url == "" {
				continue
			}
			if _, err := client.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: &name, EventBusName: &bus,
				Targets: []ebtypes.Target{{Id: aws.String(t.Id), Arn: aws.String(t.Arn)}}}); err != nil {
				return fmt.Errorf("localapi: put targets of %s: %w", name, err)
			}
			a.targets = append(a.targets, Target{Rule: r.LogicalID, Queue: url})
		}
	}
	return nil
}
