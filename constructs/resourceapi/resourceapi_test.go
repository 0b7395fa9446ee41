package resourceapi_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/resourceapi"
	"github.com/acme/customers-api/constructs/restapi"
	"github.com/acme/customers-api/constructs/table"
	"github.com/acme/customers-api/constructs/userpool"
	"github.com/acme/customers-api/internal/testenv/cdkmain"
)

func TestMain(m *testing.M) { cdkmain.Run(m) }

// things describes a one-operation API over a new table.
func things(stack awscdk.Stack) resourceapi.Props {
	users := userpool.New(stack, "Users", userpool.Props{
		ResourceServer: "things", Scopes: []string{"read"}, DomainPrefix: "things-example",
		CallbackURLs: []string{"https://app.example.com/callback"},
	})
	return resourceapi.Props{
		Name:     "things-dev",
		UserPool: users.Pool,
		NewTable: &table.Props{PartitionKey: "pk", SortKey: "sk", LogicalID: "ThingsTable"},
		Operations: []resourceapi.Operation{{
			Name: "get", Method: "GET", Path: "/things/{id}", Entry: "constructs/gofunction/testdata/hello",
			Scopes: []string{users.Scope("read")}, Access: resourceapi.ReadAccess,
		}},
		API: restapi.Settings{
			Throttle:   restapi.Throttle{RateLimit: 10, BurstLimit: 20},
			UsagePlans: []restapi.UsagePlan{{Name: "standard", Throttle: restapi.Throttle{RateLimit: 5, BurstLimit: 10}, QuotaPerDay: 1000}},
		},
	}
}

func newStack() awscdk.Stack {
	app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{"aws:cdk:bundling-stacks": []string{}}})
	return awscdk.NewStack(app, jsii.String("Things"), nil)
}

// A resource API with one operation: its function, the method and the
// monitoring come from one New call.
func Example() {
	stack := newStack()
	api := resourceapi.New(stack, "Things", things(stack))
	fmt.Println("functions:", slices.Sorted(maps.Keys(api.Functions)))
	fmt.Println("methods:", slices.Sorted(maps.Keys(api.API.Methods)))
	fmt.Println("events:", api.Events != nil)
	fmt.Println("unhealthy alarm:", api.Monitoring.Unhealthy != nil)
	// Output:
	// functions: [get]
	// methods: [GET /things/{id} HEAD /things/{id}]
	// events: false
	// unhealthy alarm: true
}

func TestInvalidAccessIsAnAnnotationError(t *testing.T) {
	for name, tc := range map[string]struct {
		access resourceapi.TableAccess
		want   string
	}{
		"none":                   {resourceapi.TableAccess{}, "operation get: Access is required"},
		"index actions, no name": {resourceapi.TableAccess{IndexActions: []string{"dynamodb:Query"}}, "needs both IndexActions and Indexes"},
		"wildcard":               {resourceapi.TableAccess{Actions: []string{"dynamodb:Get*"}}, "must not use wildcard actions"},
	} {
		t.Run(name, func(t *testing.T) {
			stack := newStack()
			p := things(stack)
			p.Operations[0].Access = tc.access
			resourceapi.New(stack, "Things", p)
			errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(tc.want)))
			if len(*errs) != 1 {
				t.Errorf("want one error matching %q, got %d", tc.want, len(*errs))
			}
		})
	}
}

func TestIndexAccessIsLimitedToTheNamedIndexes(t *testing.T) {
	stack := newStack()
	p := things(stack)
	p.Operations[0].Access = resourceapi.TableAccess{IndexActions: []string{"dynamodb:Query"}, Indexes: []string{"byName"}}
	resourceapi.New(stack, "Things", p)
	assertions.Template_FromStack(stack, nil).HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Action": "dynamodb:Query",
			"Resource": map[string]any{"Fn::Join": []any{"", []any{
				map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("ThingsTable")), "Arn"}}, "/index/byName",
			}}},
		})})},
	})
}

func TestAnExistingWebACLIsAttachedInsteadOfANewOne(t *testing.T) {
	stack := newStack()
	p := things(stack)
	p.API.WebACLArn = "arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/central/0a1b2c3d"
	resourceapi.New(stack, "Things", p)
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.ResourceCountIs(jsii.String("AWS::WAFv2::WebACL"), jsii.Number(0))
	tmpl.HasResourceProperties(jsii.String("AWS::WAFv2::WebACLAssociation"), map[string]any{"WebACLArn": p.API.WebACLArn})
}

// An invalid front-door setting fails synth with restapi's message, not a
// panic in the constructs built on it.
func TestAnInvalidAPISettingIsAnAnnotationError(t *testing.T) {
	stack := newStack()
	p := things(stack)
	p.API.UsagePlans = nil
	resourceapi.New(stack, "Things", p)
	errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("at least one UsagePlan")))
	if len(*errs) != 1 {
		t.Errorf("%d errors about the usage plan, want 1", len(*errs))
	}
}

// Rollout defaults to a canary with CodeDeploy; Off leaves CodeDeploy out;
// an unknown strategy is an error, not a silent default.
func TestRolloutDefaultsToACanaryAndCanBeTurnedOff(t *testing.T) {
	for name, c := range map[string]struct {
		rollout resourceapi.Rollout
		groups  int
		config  string
		err     bool
	}{
		"default": {resourceapi.Rollout{}, 1, "CodeDeployDefault.LambdaCanary10Percent5Minutes", false},
		"linear":  {resourceapi.Rollout{Strategy: resourceapi.Linear}, 1, "CodeDeployDefault.LambdaLinear10PercentEvery1Minute", false},
		"off":     {resourceapi.Rollout{Off: true}, 0, "", false},
		"unknown": {resourceapi.Rollout{Strategy: "big-bang"}, 0, "", true},
	} {
		t.Run(name, func(t *testing.T) {
			stack := newStack()
			p := things(stack)
			p.Rollout = c.rollout
			resourceapi.New(stack, "Things", p)
			errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("Rollout.Strategy")))
			if (len(*errs) > 0) != c.err {
				t.Fatalf("%d Rollout errors, want error %v", len(*errs), c.err)
			}
			if c.err {
				return
			}
			tmpl := assertions.Template_FromStack(stack, nil)
			tmpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::DeploymentGroup"), jsii.Number(c.groups))
			if c.groups > 0 {
				tmpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{"DeploymentConfigName": c.config})
			}
		})
	}
}
