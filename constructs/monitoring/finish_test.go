package monitoring_test

import (
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/monitoring"
)

// A second Finish created every composite again under the same construct
// ids, a jsii panic ("There is already a Construct with name
// 'Unhealthy-...'"); now it is an annotation error, and the composites of
// the first call stay.
func TestFinishingTwiceIsAnAnnotationErrorNotAPanic(t *testing.T) {
	defer func() {
		if v := recover(); v != nil {
			t.Fatalf("panic instead of an annotation: %v", v)
		}
	}()
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	m := monitoring.New(stack, "M", monitoring.Props{Name: "svc"})
	m.Subsystem("api")
	m.Function("get", awslambda.Function_FromFunctionName(stack, jsii.String("Fn"), jsii.String("get")), 10*time.Second)
	m.Finish()
	m.Finish()
	errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("Finish called twice")))
	if len(*errs) != 1 {
		t.Errorf("%d errors about the second Finish, want 1", len(*errs))
	}
	assertions.Template_FromStack(stack, nil).ResourceCountIs(jsii.String("AWS::CloudWatch::CompositeAlarm"), jsii.Number(2))
}
