package template_test

import (
	"github.com/acme/customers-api/localapi/internal/template"
	"github.com/acme/customers-api/localapi/internal/template/templatetest"

	"testing"
)

const queues = `{"Resources": {
  "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {}},
  "Work": {"Type": "AWS::SQS::Queue", "Properties": {
    "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}, "maxReceiveCount": 3}}}
}}`

// A property that names another resource resolves to what the local
// environment recorded for that resource, and a queue is found by its ARN.
func TestPropertiesResolveToTheValuesRecordedForTheResourcesTheyName(t *testing.T) {
	a := templatetest.Load(t, queues)
	dlq, work := a.Resources("AWS::SQS::Queue")[0], a.Resources("AWS::SQS::Queue")[1]
	if dlq.LogicalID != "Dlq" {
		dlq, work = work, dlq
	}
	if err := a.Record(dlq, "", "http://moto/123456789012/dlq", "QueueUrl", "http://moto/123456789012/dlq"); err != nil {
		t.Fatal(err)
	}
	var policy struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     int    `json:"maxReceiveCount"`
	}
	if err := a.Decode(work, "RedrivePolicy", &policy); err != nil {
		t.Fatal(err)
	}
	arn, err := a.GetAtt(dlq, "Arn")
	if err != nil {
		t.Fatal(err)
	}
	if policy.DeadLetterTargetArn != arn || policy.MaxReceiveCount != 3 {
		t.Errorf("RedrivePolicy = %+v, want the ARN of Dlq (%s) and 3", policy, arn)
	}
	if got := a.QueueURL(arn); got != "http://moto/123456789012/dlq" {
		t.Errorf("QueueURL(%s) = %q, want the recorded URL", arn, got)
	}
	if got := a.QueueURL(arn + "-other"); got != "" {
		t.Errorf("QueueURL of an ARN no queue has = %q, want \"\"", got)
	}
}

func TestAPropertyWithAnIntrinsicTheResolverDoesNotModelIsAnError(t *testing.T) {
	a := templatetest.Load(t, `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {
		"RedrivePolicy": {"Fn::Transform": {"Name": "x"}}}}}}`)
	var out any
	if err := a.Decode(a.Resources("AWS::SQS::Queue")[0], "RedrivePolicy", &out); err == nil {
		t.Errorf("decoded %v; want an error for Fn::Transform", out)
	}
}

// Lambda invokes the version or alias an ARN names; the local environment
// runs the one version in the template, so every form names the same
// function.
func TestEveryFormOfAFunctionsNameNamesTheSameFunction(t *testing.T) {
	a := templatetest.Load(t, `{"Resources": {}}`)
	want := "arn:aws:lambda:eu-west-1:123456789012:function:get"
	for _, name := range []string{"get", want, want + ":live", want + ":7"} {
		if got := a.FunctionARN(name); got != want {
			t.Errorf("FunctionARN(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestGeneratedValuesDifferAndStableIDsDoNot(t *testing.T) {
	if a, b := template.RandomString(32), template.RandomString(32); a == b {
		t.Error("two random values are equal")
	}
	if got := template.RandomString(40); len(got) != 40 {
		t.Errorf("template.RandomString(40) has %d characters", len(got))
	}
	if a, b, other := template.ShortHash("Stack/Api"), template.ShortHash("Stack/Api"), template.ShortHash("Stack/Api2"); a != b || a == other || len(a) != 12 {
		t.Error("ShortHash is not a stable function of its input")
	}
}
