package monitoring_test

import (
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/monitoring"
)

// Each of these props or calls was a panic (jsii's "Did not detect any
// operands for AlarmRule.anyOf()", "Only root constructs may have an
// empty ID", "A subscription with id ... already exists", or a Go nil
// dereference) or, for Topic with Emails, e-mails silently paged by
// nobody; each is now exactly one annotation error naming the prop or
// call, and the valid rest of the monitoring still synthesizes.
func TestInvalidPropsAndCallsAreAnnotationErrorsNotPanics(t *testing.T) {
	for _, c := range []struct {
		name  string
		props func(*monitoring.Props, awscdk.Stack)
		calls func(*monitoring.Monitoring, awscdk.Stack)
		error string // regexp the one error matches
	}{
		{"Page with no alarms", nil, func(m *monitoring.Monitoring, _ awscdk.Stack) { m.Page("mine"); m.Finish() }, `Page\("mine"\) names no alarms`},
		{"Page with no alarms after Finish", nil, func(m *monitoring.Monitoring, _ awscdk.Stack) { m.Finish(); m.Page("late") }, `Page\("late"\) names no alarms`},
		{"Page with a nil alarm", nil, func(m *monitoring.Monitoring, _ awscdk.Stack) { m.Page("api", nil); m.Finish() }, `Page\("api"\): alarm 0 is nil`},
		{"Notify with a nil alarm", nil, func(m *monitoring.Monitoring, _ awscdk.Stack) { m.Notify(nil); m.Finish() }, `Notify: alarm 0 is nil`},
		{"an empty e-mail", func(p *monitoring.Props, _ awscdk.Stack) { p.Emails = []string{""} }, nil, `: Emails\[0\] "" is not a plain e-mail address`},
		{"an e-mail with a space", func(p *monitoring.Props, _ awscdk.Stack) { p.NotifyEmails = []string{"on call@example.com"} }, nil, `NotifyEmails\[0\] "on call@example.com" is not a plain`},
		{"an e-mail with a display name", func(p *monitoring.Props, _ awscdk.Stack) { p.NotifyEmails = []string{"Ops <ops@example.com>"} }, nil, `NotifyEmails\[0\] .* is not a plain`},
		{"an e-mail without @", func(p *monitoring.Props, _ awscdk.Stack) { p.NotifyEmails = []string{"ops.example.com"} }, nil, `NotifyEmails\[0\] .* is not a plain`},
		{"an e-mail listed twice", func(p *monitoring.Props, _ awscdk.Stack) {
			p.NotifyEmails = []string{"ops@example.com", "ops@example.com"}
		}, nil, `NotifyEmails\[1\] "ops@example.com" is listed twice`},
		{"Topic with Emails", func(p *monitoring.Props, s awscdk.Stack) {
			p.Topic = awssns.Topic_FromTopicArn(s, jsii.String("Pages"), jsii.String("arn:aws:sns:eu-west-1:111122223333:pages"))
			p.Emails = []string{"oncall@example.com"}
			p.NotifyEmails = []string{"tickets@example.com"}
		}, nil, `Topic and Emails are both set`},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if v := recover(); v != nil {
					t.Fatalf("panic instead of an annotation: %v", v)
				}
			}()
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
			p := monitoring.Props{Name: "svc"}
			if c.props != nil {
				c.props(&p, stack)
			}
			m := monitoring.New(stack, "M", p)
			m.Subsystem("api")
			m.Function("get", awslambda.Function_FromFunctionName(stack, jsii.String("Fn"), jsii.String("get")), 10*time.Second)
			if c.calls != nil {
				c.calls(m, stack) // and Finish
			} else {
				m.Finish()
			}
			if n := errorCount(stack, ".*"); n != 1 {
				t.Errorf("%d errors, want 1", n)
			}
			if n := errorCount(stack, c.error); n != 1 {
				t.Errorf("%d errors match %q, want 1", n, c.error)
			}
			assertions.Template_FromStack(stack, nil).ResourceCountIs(jsii.String("AWS::CloudWatch::CompositeAlarm"), jsii.Number(2))
		})
	}
}

// errorCount counts the stack's error annotations matching the regexp.
func errorCount(stack awscdk.Stack, regexp string) int {
	return len(*assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(regexp))))
}

// A valid e-mail next to an invalid one is still subscribed, with the
// DLQ, to the topic it was given for.
func TestAValidEmailIsSubscribedBesideAnInvalidOne(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	m := monitoring.New(stack, "M", monitoring.Props{Name: "svc", Settings: monitoring.Settings{
		Emails: []string{"", "oncall@example.com"}, NotifyEmails: []string{"tickets@example.com"},
	}})
	m.Page("mine", awscloudwatch.Alarm_FromAlarmArn(stack, jsii.String("A"), jsii.String("arn:aws:cloudwatch:eu-west-1:111122223333:alarm:svc-mine")))
	m.Finish()
	tpl := assertions.Template_FromStack(stack, nil)
	for topic, addr := range map[awssns.ITopic]string{m.Topic: "oncall@example.com", m.NotifyTopic.Topic: "tickets@example.com"} {
		tpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
			"Protocol": "email", "Endpoint": addr,
			"TopicArn":      map[string]any{"Ref": *stack.GetLogicalId(topic.Node().DefaultChild().(awscdk.CfnElement))},
			"RedrivePolicy": assertions.Match_ObjectLike(&map[string]any{"deadLetterTargetArn": assertions.Match_AnyValue()}),
		})
	}
	tpl.ResourceCountIs(jsii.String("AWS::SNS::Subscription"), jsii.Number(2))
}

// NewAlarmTopic, called directly, refuses an empty e-mail address with
// an annotation (it was jsii's "Only root constructs may have an empty
// ID") and still subscribes the valid one.
func TestAnAlarmTopicRefusesAnEmptyEmail(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	monitoring.NewAlarmTopic(stack, monitoring.AlarmTopicProps{DisplayName: "x", AlarmNamePrefix: "x-", Emails: []string{"ops@example.com", ""}})
	if errorCount(stack, ".*") != 1 || errorCount(stack, `Emails\[1\] "" is not a plain`) != 1 {
		t.Errorf("want exactly one error, naming Emails[1]")
	}
	assertions.Template_FromStack(stack, nil).ResourceCountIs(jsii.String("AWS::SNS::Subscription"), jsii.Number(1))
}
