package monitoring

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/internal/testenv/cdkmain"
)

func TestMain(m *testing.M) { cdkmain.Run(m) }

// An alarm that does not say which side of its threshold is a failure, or
// how it treats missing data, fails synth instead of defaulting.
func TestAnAlarmWithoutDirectionOrMissingDataFailsSynth(t *testing.T) {
	metric := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{Namespace: jsii.String("NS"), MetricName: jsii.String("M")})
	for name, a := range map[string]alarm{
		"no breach side":   {name: "A", metric: metric, missing: noDataIsHealthy, periods: 1},
		"no missing data":  {name: "A", metric: metric, breach: atLeast(1), periods: 1},
		"no periods":       {name: "A", metric: metric, breach: atLeast(1), missing: noDataIsHealthy},
		"everything given": {name: "A", metric: metric, breach: atLeast(1), missing: noDataIsHealthy, periods: 1},
	} {
		t.Run(name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
			New(stack, "M", Props{Name: "svc"}).add(a)
			errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("must state its breach side")))
			if got, want := len(*errs), map[bool]int{true: 0, false: 1}[name == "everything given"]; got != want {
				t.Errorf("%d errors, want %d", got, want)
			}
		})
	}
}
