package restapi_test

import (
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/restapi"
)

// withAuthorizer makes the operation Lambda-authorized by a TOKEN
// authorizer, with settings s.
func withAuthorizer(s restapi.AuthorizerSettings) func(*restapi.Props) {
	return func(p *restapi.Props) {
		p.Operations[0].Scopes, p.Operations[0].Authorizer = nil, "partners"
		p.Authorizers = []restapi.LambdaAuthorizer{{Name: "partners", Handler: p.Operations[0].Handler, AuthorizerSettings: s}}
	}
}

var token = restapi.AuthorizerSettings{Type: restapi.TokenAuthorizer, IdentitySources: []string{"method.request.header.Authorization"}, ResultsTTL: time.Minute}

func TestALambdaAuthorizedMethodIsCustomWithTheAuthorizersSettings(t *testing.T) {
	tmpl := assertions.Template_FromStack(api(withAuthorizer(token)), nil)
	tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), map[string]any{
		"Type": "TOKEN", "IdentitySource": "method.request.header.Authorization", "AuthorizerResultTtlInSeconds": 60, "Name": "things-partners",
	})
	tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
		"HttpMethod": "GET", "AuthorizationType": "CUSTOM", "AuthorizerId": assertions.Match_AnyValue(), "ApiKeyRequired": true,
		"AuthorizationScopes": assertions.Match_Absent(),
	})
	// No operation uses Cognito: no Cognito authorizer.
	tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Authorizer"), jsii.Number(1))
	request := api(withAuthorizer(restapi.AuthorizerSettings{Type: restapi.RequestAuthorizer,
		IdentitySources: []string{"method.request.header.X-Tenant", "method.request.querystring.key", "context.sourceIp"}}))
	assertions.Template_FromStack(request, nil).HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), map[string]any{
		"Type": "REQUEST", "IdentitySource": "method.request.header.X-Tenant,method.request.querystring.key,context.sourceIp", "AuthorizerResultTtlInSeconds": 0,
	})
}

func TestAnIAMMethodIsAWSIAMAndGrantInvokeAllowsExactlyItsMethods(t *testing.T) {
	stack, r := build(func(p *restapi.Props) { p.Operations[0].Scopes, p.Operations[0].IAM = nil, true })
	role := awsiam.NewRole(stack, jsii.String("Caller"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	r.GrantInvoke(role, "GET /things/{id}")
	r.GrantInvoke(role, "POST /things")
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
		"HttpMethod": "GET", "AuthorizationType": "AWS_IAM", "ApiKeyRequired": true, "AuthorizerId": assertions.Match_Absent(),
	})
	arn := func(method string) map[string]any {
		return map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":execute-api:eu-west-1:111111111111:",
			assertions.Match_AnyValue(), "/", assertions.Match_AnyValue(), "/" + method + "/things/*"}}}
	}
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
		"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": []any{arn("GET"), arn("HEAD")},
	}}}})
	errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(`"POST /things" is not an IAM-authorized operation`)))
	if len(*errs) != 1 {
		t.Errorf("GrantInvoke on an unknown operation: %d errors, want 1", len(*errs))
	}
}

func TestInvalidAuthorizationPropsAreAnnotationErrors(t *testing.T) {
	fn := func(p *restapi.Props) awslambda.IFunction { return p.Operations[0].Handler }
	for name, c := range map[string]struct {
		change func(*restapi.Props)
		want   string
	}{
		"IAM and an authorizer": {func(p *restapi.Props) {
			withAuthorizer(token)(p)
			p.Operations[0].IAM = true
		}, "set IAM or Authorizer, not both"},
		"scopes on an IAM method": {func(p *restapi.Props) { p.Operations[0].IAM = true }, "Scopes apply only to Cognito"},
		"unknown authorizer":      {func(p *restapi.Props) { p.Operations[0].Scopes, p.Operations[0].Authorizer = nil, "nobody" }, `Authorizer "nobody" is not one of Authorizers`},
		"unused authorizer": {func(p *restapi.Props) {
			p.Authorizers = []restapi.LambdaAuthorizer{{Name: "idle", Handler: fn(p), AuthorizerSettings: token}}
		}, "authorizer idle is used by no operation"},
		"no handler": {func(p *restapi.Props) {
			withAuthorizer(token)(p)
			p.Authorizers[0].Handler = nil
		}, "authorizer partners has no Handler"},
		"TOKEN from a query string":       {withAuthorizer(restapi.AuthorizerSettings{Type: restapi.TokenAuthorizer, IdentitySources: []string{"method.request.querystring.t"}}), "a TOKEN authorizer takes exactly one"},
		"REQUEST without sources":         {withAuthorizer(restapi.AuthorizerSettings{Type: restapi.RequestAuthorizer}), "a REQUEST authorizer takes one or more"},
		"no type":                         {withAuthorizer(restapi.AuthorizerSettings{IdentitySources: token.IdentitySources}), `Type "" must be TOKEN or REQUEST`},
		"TTL over an hour":                {withAuthorizer(restapi.AuthorizerSettings{Type: restapi.TokenAuthorizer, IdentitySources: token.IdentitySources, ResultsTTL: 2 * time.Hour}), "ResultsTTL 2h0m0s must be whole seconds"},
		"a Cognito method without a pool": {func(p *restapi.Props) { p.UserPool = nil }, "UserPool is required"},
	} {
		t.Run(name, func(t *testing.T) {
			errs := assertions.Annotations_FromStack(api(c.change)).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(c.want)))
			if len(*errs) != 1 {
				t.Errorf("%d errors matching %q, want 1", len(*errs), c.want)
			}
		})
	}
	// Without a Cognito method, no pool is needed.
	ok := api(func(p *restapi.Props) { p.UserPool, p.Operations[0].Scopes, p.Operations[0].IAM = nil, nil, true })
	if errs := assertions.Annotations_FromStack(ok).FindError(jsii.String("*"), assertions.Match_AnyValue()); len(*errs) != 0 {
		t.Errorf("an IAM-only API without a pool: %d errors, want none", len(*errs))
	}
}
