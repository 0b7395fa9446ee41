package provision

import (
	"github.com/acme/customers-api/localapi/internal/template/templatetest"

	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/acme/customers-api/internal/testenv/moto"
	"github.com/acme/customers-api/localapi/internal/template"
)

var srv *moto.Server

func TestMain(m *testing.M) { moto.TestMain(m, &srv) }

// The queue is listed before its dead-letter queue, so provisioning must
// order them; the rule delivers to the queue on a custom bus.
const templates = `{"Resources": {
  "Work": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 45,
    "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}, "maxReceiveCount": 3}}},
  "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600}},
  "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"}}},
  "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "orders-test"}},
  "Rule": {"Type": "AWS::Events::Rule", "Properties": {"EventBusName": {"Ref": "Bus"},
    "EventPattern": {"source": ["orders"]},
    "Targets": [{"Id": "Work", "Arn": {"Fn::GetAtt": ["Work", "Arn"]}}]}}
}}`

func TestTheTemplatesResourcesAreCreatedInMotoWithTheirSettings(t *testing.T) {
	ctx := context.Background()
	a := templatetest.Load(t, templates)
	cfg := srv.Config()
	targets, err := Provision(ctx, a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var work, dlq template.Resource
	for _, q := range a.Resources("AWS::SQS::Queue") {
		if q.LogicalID == "Work" {
			work = q
		} else {
			dlq = q
		}
	}
	workURL, _ := a.Ref(work)
	dlqARN, _ := a.GetAtt(dlq, "Arn")
	attrs, err := sqs.NewFromConfig(cfg).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &workURL,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatalf("the queue the template defines is not in moto: %v", err)
	}
	var redrive struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	json.Unmarshal([]byte(attrs.Attributes["RedrivePolicy"]), &redrive)
	if redrive.DeadLetterTargetArn != dlqARN || attrs.Attributes["VisibilityTimeout"] != "45" {
		t.Errorf("queue attributes = %v, want the redrive policy to %s and a 45 s visibility timeout", attrs.Attributes, dlqARN)
	}

	table, _ := a.Ref(a.Resources("AWS::DynamoDB::Table")[0])
	desc, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		t.Fatalf("the table is not in moto: %v", err)
	}
	streamARN, _ := a.GetAtt(a.Resources("AWS::DynamoDB::Table")[0], "StreamArn")
	if got := aws.ToString(desc.Table.LatestStreamArn); got == "" || got != streamARN {
		t.Errorf("the table's stream is %q, and its StreamArn resolves to %q; want the same, non-empty", got, streamARN)
	}

	if len(targets) != 1 || targets[0].Rule != "Rule" || targets[0].Queue != workURL {
		t.Errorf("targets = %+v, want the rule's delivery to %s", targets, workURL)
	}
	rules, err := eventbridge.NewFromConfig(cfg).ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{
		Rule: aws.String(strings.Split(mustRef(t, a, "AWS::Events::Rule"), "|")[1]), EventBusName: aws.String("orders-test")})
	if err != nil || len(rules.Targets) != 1 {
		t.Errorf("the rule's targets in moto: %v, %v; want one", rules, err)
	}
}

func mustRef(t *testing.T, a *template.Assembly, typ string) string {
	t.Helper()
	ref, err := a.Ref(a.Resources(typ)[0])
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestARedrivePolicyNamingNoQueueOfTheTemplatesIsAnError(t *testing.T) {
	a := templatetest.Load(t, `{"Resources": {"Work": {"Type": "AWS::SQS::Queue", "Properties": {
		"RedrivePolicy": {"deadLetterTargetArn": "arn:aws:sqs:eu-west-1:123456789012:elsewhere", "maxReceiveCount": 3}}}}}`)
	if _, err := Provision(context.Background(), a, srv.Config()); err == nil || !strings.Contains(err.Error(), "names no queue of the templates") {
		t.Errorf("err = %v, want the redrive policy refused", err)
	}
}
