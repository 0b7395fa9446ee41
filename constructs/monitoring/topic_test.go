package monitoring

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/cdktest/cfnref"
	"github.com/acme/customers-api/cdktest/policysim"
)

// A topic made by NewAlarmTopic takes CloudWatch's notification (the
// publish and its key's data key) for an alarm of its account whose name
// has the prefix, and refuses one without the prefix or from another
// account; its props are required.
func TestAnAlarmTopicAcceptsOnlyItsOwnAlarms(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("eu-west-1")},
	})
	topic := NewAlarmTopic(stack, AlarmTopicProps{DisplayName: "orders-dev notifications", AlarmNamePrefix: "orders-dev-"})
	b, err := json.Marshal(assertions.Template_FromStack(stack, nil).ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	ts, err := cfnref.Parse(map[string][]byte{"S": b})
	if err != nil {
		t.Fatal(err)
	}
	ts.Account = "111122223333"
	policy := func(typ, prop string) *policysim.Policy {
		r := ts.Resources(typ)[0]
		v, err := ts.Value("S", r.Properties[prop])
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := json.Marshal(v)
		p, err := policysim.Parse(doc)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	topicARN, _ := ts.String("S", map[string]any{"Ref": *stack.GetLogicalId(topic.Topic.Node().DefaultChild().(awscdk.CfnElement))})
	keyARN, _ := ts.String("S", map[string]any{"Fn::GetAtt": []any{*stack.GetLogicalId(topic.Key.Node().DefaultChild().(awscdk.CfnElement)), "Arn"}})
	targets := map[string]policysim.Target{
		"sns:Publish":         {Account: "111122223333", Policy: policy("AWS::SNS::TopicPolicy", "PolicyDocument")},
		"kms:GenerateDataKey": {Account: "111122223333", Policy: policy("AWS::KMS::Key", "KeyPolicy"), MustAllow: true},
	}
	resources := map[string]string{"sns:Publish": topicARN, "kms:GenerateDataKey": keyARN}
	for _, c := range []struct {
		alarm, account string
		allowed        bool
	}{
		{"arn:aws:cloudwatch:eu-west-1:111122223333:alarm:orders-dev-unhealthy", "111122223333", true},
		{"arn:aws:cloudwatch:eu-west-1:111122223333:alarm:orders-prod-unhealthy", "111122223333", false},
		{"arn:aws:cloudwatch:eu-west-1:444455556666:alarm:orders-dev-unhealthy", "444455556666", false},
	} {
		for action, target := range targets {
			got, err := policysim.Evaluate(policysim.Request{
				Principal: policysim.Principal{Service: "cloudwatch.amazonaws.com"}, Action: action, Resource: resources[action],
				Context: map[string]string{"aws:SourceArn": c.alarm, "aws:SourceAccount": c.account, "aws:SecureTransport": "true"},
			}, target)
			if err != nil {
				t.Fatal(err)
			}
			if (got == policysim.Allow) != c.allowed {
				t.Errorf("%s for %s: %v, want allowed=%v", action, c.alarm, got, c.allowed)
			}
		}
	}

	bare := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Bare"), nil)
	NewAlarmTopic(bare, AlarmTopicProps{DisplayName: "x"})
	if errs := assertions.Annotations_FromStack(bare).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AlarmNamePrefix"))); len(*errs) != 1 {
		t.Errorf("%d errors naming AlarmNamePrefix for a topic without it, want 1", len(*errs))
	}
}
