package infra_test

import (
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/cdktest"
	"github.com/acme/customers-api/constructs/resourceapi"
	"github.com/acme/customers-api/examples/orders/infra"
)

var update = flag.Bool("update", false, "rewrite testdata/")

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

func newApp(t *testing.T) awscdk.App {
	return awscdk.NewApp(&awscdk.AppProps{
		Outdir:  jsii.String(t.TempDir()),
		Context: &map[string]any{"aws:cdk:bundling-stacks": []string{}},
	})
}

func newStack(t *testing.T) *infra.Stack {
	app := newApp(t)
	s := infra.NewStack(app, "Orders-dev", infra.StackProps{
		StackProps: awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}},
		Stage:      "dev",
	})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
	return s
}

func TestSnapshot(t *testing.T) {
	cdktest.Golden(t, cdktest.Template(newStack(t).Stack), "testdata/Orders-dev.json", *update)
}

func TestNoCdkNagFindings(t *testing.T) {
	for _, f := range cdktest.NagFindings(newStack(t).Stack) {
		t.Error(f)
	}
}

func TestTwoFunctionsEachWithItsOwnTableAccess(t *testing.T) {
	s := newStack(t)
	if len(s.Orders.Functions) != 4 {
		t.Fatalf("%d functions, want create, get, partner-get and service-get", len(s.Orders.Functions))
	}
	tmpl := assertions.Template_FromStack(s.Stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Action":    "dynamodb:GetItem",
			"Condition": map[string]any{"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": []string{"ORDER#*"}}},
		})})},
	})
	methods := *tmpl.FindResources(jsii.String("AWS::ApiGateway::Method"), nil)
	secured := map[string][]string{} // authorization type → methods with an API key
	for _, m := range methods {
		p := (*m)["Properties"].(map[string]any)
		if p["HttpMethod"] != "ANY" && p["ApiKeyRequired"] == true {
			secured[p["AuthorizationType"].(string)] = append(secured[p["AuthorizationType"].(string)], p["HttpMethod"].(string))
		}
	}
	// Each GET brings its HEAD twin, secured alike.
	for typ, want := range map[string]string{"COGNITO_USER_POOLS": "GET,HEAD,POST", "CUSTOM": "GET,HEAD", "AWS_IAM": "GET,HEAD"} {
		slices.Sort(secured[typ])
		if got := strings.Join(secured[typ], ","); got != want {
			t.Errorf("%s methods with an API key: %s, want %s", typ, got, want)
		}
	}
	tmpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(1))
	// A paging composite per subsystem (the API, create, get, partner-get,
	// service-get, the table) and Unhealthy over them.
	tmpl.ResourceCountIs(jsii.String("AWS::CloudWatch::CompositeAlarm"), jsii.Number(7))
}

func TestRemovingARequiredPropIsAnAnnotationError(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(*resourceapi.Props)
		want   string
	}{
		"no user pool":  {func(p *resourceapi.Props) { p.UserPool = nil }, "resourceapi: UserPool is required"},
		"no table":      {func(p *resourceapi.Props) { p.NewTable = nil }, "resourceapi: Table or NewTable is required"},
		"no operations": {func(p *resourceapi.Props) { p.Operations = nil }, "resourceapi: at least one Operation is required"},
		"no entry":      {func(p *resourceapi.Props) { p.Operations[0].Entry = "" }, "operation create: Entry"},
		"wildcard":      {func(p *resourceapi.Props) { p.Operations[1].Access.Actions = []string{"dynamodb:*"} }, "operation get: Access must not use wildcard actions"},
	} {
		t.Run(name, func(t *testing.T) {
			s := newStack(t)
			p := infra.Props("dev", s.Users, nil)
			tc.change(&p)
			resourceapi.New(s.Stack, "Broken", p)
			errs := assertions.Annotations_FromStack(s.Stack).FindError(jsii.String("/Orders-dev/Broken"), assertions.Match_StringLikeRegexp(jsii.String(tc.want)))
			if len(*errs) != 1 {
				t.Errorf("want one error annotation matching %q, got %d", tc.want, len(*errs))
			}
		})
	}
}
