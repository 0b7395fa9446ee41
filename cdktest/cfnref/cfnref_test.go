package cfnref

import (
	"encoding/json"
	"strings"
	"testing"
)

func parse(t *testing.T, stacks map[string]map[string]any) *Templates {
	t.Helper()
	raw := map[string][]byte{}
	for name, tmpl := range stacks {
		b, err := json.Marshal(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		raw[name] = b
	}
	ts, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func ref(id string) map[string]any          { return map[string]any{"Ref": id} }
func getAtt(id, attr string) map[string]any { return map[string]any{"Fn::GetAtt": []any{id, attr}} }

var events = map[string]any{"Resources": map[string]any{
	"Bus":         map[string]any{"Type": "AWS::Events::EventBus", "Properties": map[string]any{"Name": "orders-dev"}},
	"Rule":        map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{"EventBusName": ref("Bus")}},
	"ArnRule":     map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{"Name": "r", "EventBusName": getAtt("Bus", "Arn")}},
	"DefaultRule": map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{"Name": "nightly"}},
	"Queue":       map[string]any{"Type": "AWS::SQS::Queue", "Properties": map[string]any{"QueueName": "q"}},
	"Topic":       map[string]any{"Type": "AWS::SNS::Topic"},
	"Fn":          map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{"FunctionName": "f"}},
	"Live":        map[string]any{"Type": "AWS::Lambda::Alias", "Properties": map[string]any{"FunctionName": ref("Fn"), "Name": "live"}},
	"Table":       map[string]any{"Type": "AWS::DynamoDB::Table", "Properties": map[string]any{"TableName": "t"}},
	"Policy":      map[string]any{"Type": "AWS::IAM::Policy"},
}}

// Each value is what CloudFormation returns, as its reference documents
// for the type (the table's links).
func TestRefAndGetAttReturnWhatCloudFormationDocuments(t *testing.T) {
	ts := parse(t, map[string]map[string]any{"S": events})
	for _, c := range []struct {
		value any
		want  string
	}{
		{ref("Rule"), "orders-dev|S-Rule"}, // a rule on a custom bus: "<bus>|<rule>"
		{getAtt("Rule", "Arn"), "arn:aws:events:eu-west-1:123456789012:rule/orders-dev/S-Rule"},
		{ref("ArnRule"), "orders-dev|r"},
		{ref("DefaultRule"), "nightly"}, // on the default bus, the name
		{getAtt("DefaultRule", "Arn"), "arn:aws:events:eu-west-1:123456789012:rule/nightly"},
		{ref("Bus"), "orders-dev"},
		{ref("Queue"), "https://sqs.eu-west-1.amazonaws.com/123456789012/q"}, // the URL, not the name
		{getAtt("Queue", "Arn"), "arn:aws:sqs:eu-west-1:123456789012:q"},
		{getAtt("Queue", "QueueName"), "q"},
		{ref("Topic"), "arn:aws:sns:eu-west-1:123456789012:S-Topic"}, // the ARN
		{getAtt("Topic", "TopicName"), "S-Topic"},
		{ref("Fn"), "f"},
		{ref("Live"), "arn:aws:lambda:eu-west-1:123456789012:function:f:live"},
		{ref("Table"), "t"},
		{getAtt("Table", "Arn"), "arn:aws:dynamodb:eu-west-1:123456789012:table/t"},
	} {
		got, err := ts.String("S", c.value)
		if err != nil || got != c.want {
			t.Errorf("%v = %q, %v; want %q", c.value, got, err, c.want)
		}
	}
}

func TestATypeOrAttributeNotInTheTableIsAnError(t *testing.T) {
	ts := parse(t, map[string]map[string]any{"S": events})
	for _, c := range []struct {
		value any
		want  string
	}{
		{ref("Policy"), "type AWS::IAM::Policy is not modelled"},
		{getAtt("Queue", "Url"), "has no attribute Url"},
		{getAtt("Table", "StreamArn"), "needs the StreamSpecification"},
		{ref("Nothing"), "names no resource"},
		{map[string]any{"Fn::Sub": "x"}, "Fn::Sub is not modelled"},
	} {
		if _, err := ts.String("S", c.value); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.value, err, c.want)
		}
	}
	q, _ := ts.Resource("S/Queue")
	if err := ts.Assign(q, "Url", "x"); err == nil {
		t.Error("assigning an attribute the type does not have was accepted")
	}
}

func TestAnAssignedValueReplacesTheDocumentedForm(t *testing.T) {
	ts := parse(t, map[string]map[string]any{"S": events})
	q, _ := ts.Resource("S/Queue")
	for _, attr := range []string{"", "QueueUrl"} {
		if err := ts.Assign(q, attr, "http://localhost:5000/123456789012/q"); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := ts.String("S", ref("Queue")); got != "http://localhost:5000/123456789012/q" {
		t.Errorf("Ref of a queue with an assigned URL = %q", got)
	}
	if got, _ := ts.String("S", getAtt("Queue", "Arn")); got != "arn:aws:sqs:eu-west-1:123456789012:q" {
		t.Errorf("its Arn = %q", got)
	}
}

func TestImportsAndSSMParametersFollowTheOtherStack(t *testing.T) {
	ts := parse(t, map[string]map[string]any{
		"Data": {"Resources": map[string]any{
			"Table": map[string]any{"Type": "AWS::DynamoDB::Table"},
			"P":     map[string]any{"Type": "AWS::SSM::Parameter", "Properties": map[string]any{"Name": "/t/name", "Type": "String", "Value": ref("Table")}},
		}, "Outputs": map[string]any{"T": map[string]any{"Value": getAtt("Table", "Arn"), "Export": map[string]any{"Name": "Data:Table"}}}},
		"Api": {"Parameters": map[string]any{"TableName": map[string]any{"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/t/name"}}},
	})
	if got, err := ts.String("Api", map[string]any{"Fn::ImportValue": "Data:Table"}); err != nil || got != "arn:aws:dynamodb:eu-west-1:123456789012:table/Data-Table" {
		t.Errorf("import = %q, %v", got, err)
	}
	if got, err := ts.String("Api", ref("TableName")); err != nil || got != "Data-Table" {
		t.Errorf("SSM parameter = %q, %v", got, err)
	}
	if _, err := ts.String("Api", map[string]any{"Fn::ImportValue": "Nobody:Exports"}); err == nil {
		t.Error("an import nobody exports was accepted")
	}
}

func TestIntrinsicsResolveAndMalformedOnesAreErrors(t *testing.T) {
	ts := parse(t, nil)
	got, err := ts.Value("S", map[string]any{"Fn::Select": []any{1.0, map[string]any{"Fn::Split": []any{",", map[string]any{"Fn::Join": []any{",", []any{"a", "b", "c"}}}}}}})
	if err != nil || got != "b" {
		t.Errorf("Select 1 of Split of Join = %v, %v; want b", got, err)
	}
	for _, fn := range []string{"Fn::GetAtt", "Fn::Join", "Fn::Split", "Fn::Select"} {
		for _, arg := range []any{"x", []any{"one"}, []any{"a", "b", "c"}} {
			if _, err := ts.Value("S", map[string]any{fn: arg}); err == nil || !strings.Contains(err.Error(), "malformed "+fn) {
				t.Errorf("%s %v: err = %v, want malformed", fn, arg, err)
			}
		}
	}
}
