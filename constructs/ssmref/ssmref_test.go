package ssmref_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/ssmref"
	"github.com/acme/customers-api/internal/testenv/cdkmain"
)

func TestMain(m *testing.M) { cdkmain.Run(m) }

// A value published by one stack and resolved by another crosses through
// the parameter: the owner has an AWS::SSM::Parameter with the value, the
// reader an SSM parameter-type template parameter, and neither an export,
// an import or a dependency on the other.
func TestAValueCrossesStacksThroughSSMNotAnExport(t *testing.T) {
	app := awscdk.NewApp(nil)
	owner := awscdk.NewStack(app, jsii.String("Owner"), nil)
	reader := awscdk.NewStack(app, jsii.String("Reader"), nil)
	queue := awssqs.NewQueue(owner, jsii.String("Queue"), &awssqs.QueueProps{EnforceSSL: jsii.Bool(true)})
	ssmref.Publish(owner, "QueueArnParameter", "/things/dev/queue-arn", queue.QueueArn(), "")
	awssqs.Queue_FromQueueArn(reader, jsii.String("Queue"), ssmref.Resolve(reader, "/things/dev/queue-arn")).QueueUrl()
	reader.Node().AddMetadata(jsii.String("arn"), ssmref.Resolve(reader, "/things/dev/queue-arn"), nil)

	ownerTmpl := assertions.Template_FromStack(owner, nil)
	ownerTmpl.HasResourceProperties(jsii.String("AWS::SSM::Parameter"), map[string]any{
		"Name": "/things/dev/queue-arn", "Type": "String", "Value": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("Queue")), "Arn"}},
	})
	readerTmpl := assertions.Template_FromStack(reader, nil)
	params := readerTmpl.FindParameters(jsii.String("*"), map[string]any{"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/things/dev/queue-arn"})
	if len(*params) != 1 {
		t.Errorf("%d SSM-typed parameters for the name in the reader, want 1", len(*params))
	}
	for name, tmpl := range map[string]assertions.Template{"owner": ownerTmpl, "reader": readerTmpl} {
		body, _ := json.Marshal(tmpl.ToJSON())
		if strings.Contains(string(body), "Fn::ImportValue") || strings.Contains(string(body), `"Export"`) {
			t.Errorf("the %s's template exports or imports: %s", name, body)
		}
	}
	if deps := reader.Dependencies(); deps != nil && len(*deps) != 0 {
		t.Errorf("the reader depends on %d stacks, want none", len(*deps))
	}
}

func TestAnInvalidParameterNameIsAnAnnotationError(t *testing.T) {
	for name, want := range map[string]string{
		"things/dev/queue-arn":               "must start with /",
		"/things/dev/queue arn":              "only letters",
		"/aws/things":                        "must not start with aws or ssm",
		"/SSM/things":                        "must not start with aws or ssm",
		"/" + strings.Repeat("a/", 15) + "b": "more than 15 levels",
	} {
		t.Run(name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
			ssmref.Resolve(stack, name)
			errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(want)))
			if len(*errs) != 1 {
				t.Errorf("%d errors matching %q, want 1", len(*errs), want)
			}
		})
	}
}
