package monitoring_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/monitoring"
)

// operations is a monitoring with the given number of operations, each
// its own subsystem with its function and smoke check (as resourceapi
// makes them), or all in one subsystem; it returns the number of error
// annotations, how many of them match want, and the largest composite's
// number of alarms.
func operations(n int, oneSubsystem bool, name, want string) (errs, matching, largest int) {
	// CloudFormation's 500 resources per stack come first with real
	// operations (CDK refuses to synthesize more); the limit is lifted here
	// to reach CloudWatch's.
	app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{"@aws-cdk/core:stackResourceLimit": 0}})
	stack := awscdk.NewStack(app, jsii.String("S"), nil)
	m := monitoring.New(stack, "M", monitoring.Props{Name: "svc"})
	m.Subsystem("ops")
	for i := range n {
		op := fmt.Sprintf("%s%d", name, i)
		if !oneSubsystem {
			m.Subsystem(op)
		}
		for _, fn := range []string{op, op + "SmokeCheck"} {
			m.Function(fn, awslambda.Function_FromFunctionName(stack, jsii.String(fn), jsii.String(fn)), 10*time.Second)
		}
	}
	m.Finish()
	annotations := assertions.Annotations_FromStack(stack)
	errs = len(*annotations.FindError(jsii.String("*"), assertions.Match_AnyValue()))
	if want != "" {
		matching = len(*annotations.FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(want))))
	}
	for _, c := range *assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::CloudWatch::CompositeAlarm"), nil) {
		rule := fmt.Sprint((*c)["Properties"].(map[string]any)["AlarmRule"])
		largest = max(largest, strings.Count(rule, "ALARM("))
	}
	return errs, matching, largest
}

// A consumer with 20 operations stays far from CloudWatch's composite
// limits: each operation is its own subsystem.
func TestTwentyOperationsStayFarFromTheCompositeLimits(t *testing.T) {
	errs, _, largest := operations(20, false, "op", "")
	if errs > 0 {
		t.Fatalf("%d error annotations", errs)
	}
	if largest > 25 {
		t.Errorf("the largest composite names %d alarms; want at most 25, a quarter of CloudWatch's 100", largest)
	}
}

// Adding operations until a composite would cross a CloudWatch limit is an
// annotation error naming the limit, before any template exceeds it.
func TestAddingOperationsUntilALimitWouldBeCrossedIsAnAnnotationError(t *testing.T) {
	for _, c := range []struct {
		what         string
		n            int
		oneSubsystem bool
		name, want   string
	}{
		// Unhealthy names one composite per subsystem: 100 operations and
		// "ops" (empty, so not a subsystem) fit, 101 do not.
		{"100 subsystems", 100, false, "op", ""},
		{"101 subsystems", 101, false, "op", "at most 100 alarms"},
		// 8 alarms per operation in one subsystem: 12 fit, 13 make 104.
		{"12 operations in one subsystem", 12, true, "op", ""},
		{"13 operations in one subsystem", 13, true, "op", "at most 100 alarms"},
		// Long names: 11 operations are 88 alarms of about 100 characters.
		{"long names in one subsystem", 11, true, strings.Repeat("x", 60), "at most 10240"},
	} {
		t.Run(c.what, func(t *testing.T) {
			errs, matching, _ := operations(c.n, c.oneSubsystem, c.name, c.want)
			if c.want == "" && errs > 0 || c.want != "" && (errs != 1 || matching != 1) {
				t.Errorf("%d error annotations, %d naming %q; want %d", errs, matching, c.want, map[bool]int{true: 0, false: 1}[c.want == ""])
			}
		})
	}
}
