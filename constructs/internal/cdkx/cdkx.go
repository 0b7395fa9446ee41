// Package cdkx holds the small conversions between plain Go values and the
// jsii types the constructs in this module pass to CDK, so that the
// constructs read as resource definitions rather than pointer plumbing.
package cdkx

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

var retention = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS,
	5: awslogs.RetentionDays_FIVE_DAYS, 7: awslogs.RetentionDays_ONE_WEEK,
	14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS,
	120: awslogs.RetentionDays_FOUR_MONTHS, 150: awslogs.RetentionDays_FIVE_MONTHS,
	180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS,
	731: awslogs.RetentionDays_TWO_YEARS, 1096: awslogs.RetentionDays_THREE_YEARS,
	1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS,
	3288: awslogs.RetentionDays_NINE_YEARS, 3653: awslogs.RetentionDays_TEN_YEARS,
}

// Retention converts a number of days into CloudWatch Logs' retention enum;
// the days it knows are settings.RetentionDays (a test holds them equal).
func Retention(days int) (awslogs.RetentionDays, error) {
	r, ok := retention[days]
	if !ok {
		return "", fmt.Errorf("%d days is not a CloudWatch Logs retention period", days)
	}
	return r, nil
}

// RemovalPolicy is RETAIN when retain is true and DESTROY otherwise.
func RemovalPolicy(retain bool) awscdk.RemovalPolicy {
	if retain {
		return awscdk.RemovalPolicy_RETAIN
	}
	return awscdk.RemovalPolicy_DESTROY
}

// StringMap converts a Go map for jsii; an empty map becomes nil.
func StringMap(m map[string]string) *map[string]*string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = jsii.String(v)
	}
	return &out
}

// OptionalString is nil for "" and a jsii string otherwise.
func OptionalString(s string) *string {
	if s == "" {
		return nil
	}
	return jsii.String(s)
}

// OptionalNumber is nil for 0 and a jsii number otherwise.
func OptionalNumber(n int) *float64 {
	if n == 0 {
		return nil
	}
	return jsii.Number(n)
}

// OrDefault returns v, or def when v is the zero value.
func OrDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Error records an error annotation on c; synth fails while one exists.
func Error(c constructs.IConstruct, format string, args ...any) {
	awscdk.Annotations_Of(c).AddError(jsii.String(fmt.Sprintf(format, args...)))
}
