package restapi

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/constructs/internal/cdkx"
)

// Lambda authorizer types ("Use API Gateway Lambda authorizers", API
// Gateway developer guide): a TOKEN authorizer gets one header's value as
// authorizationToken; a REQUEST authorizer gets the request's headers,
// query string, path parameters, stage variables and context.
const (
	TokenAuthorizer   = "TOKEN"
	RequestAuthorizer = "REQUEST"
)

// MaxAuthorizerTTL is the longest time API Gateway caches an authorizer's
// policy (AWS::ApiGateway::Authorizer AuthorizerResultTtlInSeconds, at most
// 3600).
const MaxAuthorizerTTL = time.Hour

// AuthorizerSettings are a Lambda authorizer's settings apart from its
// function.
type AuthorizerSettings struct {
	// Type is TokenAuthorizer or RequestAuthorizer. Required.
	Type string
	// IdentitySources are API Gateway's mapping expressions of the caller's
	// identity. A TOKEN authorizer takes exactly one header,
	// "method.request.header.NAME"; a REQUEST authorizer one or more of
	// "method.request.header.NAME", "method.request.querystring.NAME",
	// "context.NAME" and "stageVariables.NAME". A request without a value
	// for each is refused with 401 without calling the function, and the
	// values key the cache. Required.
	IdentitySources []string
	// ResultsTTL is how long API Gateway caches the function's answer for
	// one set of identity-source values, in whole seconds, up to
	// MaxAuthorizerTTL. A cached policy is evaluated again for each method
	// it is used for. Default: 0, no caching: the function decides every
	// request, so a revoked caller is refused at once.
	ResultsTTL time.Duration
}

// LambdaAuthorizer is a Lambda authorizer of the API (a "custom
// authorizer"): its function answers with an IAM policy on the method's
// execute-api ARN and a context the integration receives.
type LambdaAuthorizer struct {
	// Name identifies the authorizer; Operation.Authorizer names it.
	// Alphanumeric. Required.
	Name string
	// Handler is the authorizer's function; API Gateway may invoke it only
	// as this authorizer of this API (its Lambda permission's SourceArn is
	// the authorizer's ARN). Required.
	Handler awslambda.IFunction
	AuthorizerSettings
}

var authorizerName = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// requestIdentitySource is a REQUEST authorizer's identity source
// ("identitySource", AWS::ApiGateway::Authorizer, CloudFormation).
var requestIdentitySource = regexp.MustCompile(`^(method\.request\.(header|querystring)\.[A-Za-z0-9._~!$&'*+^|` + "`" + `-]+|(context|stageVariables)\.[A-Za-z0-9._]+)$`)

// tokenIdentitySource is a TOKEN authorizer's only identity source: a
// header.
var tokenIdentitySource = regexp.MustCompile(`^method\.request\.header\.[A-Za-z0-9!#$%&'*+.^_` + "`" + `|~-]+$`)

// authorization is how an operation authorizes its caller.
func (o Operation) authorization() string {
	switch {
	case o.IAM:
		return "AWS_IAM"
	case o.Authorizer != "":
		return "CUSTOM"
	}
	return "COGNITO_USER_POOLS"
}

// validateAuthorization reports the authorization props that are
// invalid: an operation with both IAM and an Authorizer, scopes on a
// method Cognito does not authorize, an unknown or unused authorizer, and
// every bad setting of an authorizer.
func validateAuthorization(p Props, bad func(string, ...any)) {
	names := map[string]bool{}
	used := map[string]bool{}
	for _, op := range p.Operations {
		used[op.Authorizer] = true
	}
	for i, a := range p.Authorizers {
		switch {
		case !authorizerName.MatchString(a.Name) || names[a.Name]:
			bad("Authorizers[%d]: Name %q must be alphanumeric and unique", i, a.Name)
		case a.Handler == nil:
			bad("authorizer %s has no Handler", a.Name)
		case !used[a.Name]:
			bad("authorizer %s is used by no operation (API Gateway requires every authorizer to be attached)", a.Name)
		default:
			if msg := a.AuthorizerSettings.problem(); msg != "" {
				bad("authorizer %s: %s", a.Name, msg)
			}
		}
		names[a.Name] = true
	}
	for _, op := range p.Operations {
		switch {
		case op.IAM && op.Authorizer != "":
			bad("operation %s: set IAM or Authorizer, not both", op.Key())
		case op.Authorizer != "" && !names[op.Authorizer]:
			bad("operation %s: Authorizer %q is not one of Authorizers", op.Key(), op.Authorizer)
		case op.authorization() != "COGNITO_USER_POOLS" && len(op.Scopes) > 0:
			bad("operation %s: Scopes apply only to Cognito; an IAM or Lambda-authorized method would ignore them", op.Key())
		}
	}
}

// problem says what is wrong with the settings, or "".
func (s AuthorizerSettings) problem() string {
	switch {
	case s.ResultsTTL < 0 || s.ResultsTTL > MaxAuthorizerTTL || s.ResultsTTL%time.Second != 0:
		return fmt.Sprintf("ResultsTTL %s must be whole seconds from 0 to %s", s.ResultsTTL, MaxAuthorizerTTL)
	case s.Type == TokenAuthorizer:
		if len(s.IdentitySources) != 1 || !tokenIdentitySource.MatchString(s.IdentitySources[0]) {
			return fmt.Sprintf("a TOKEN authorizer takes exactly one IdentitySources entry, method.request.header.NAME; got %q", s.IdentitySources)
		}
	case s.Type == RequestAuthorizer:
		if len(s.IdentitySources) == 0 || slices.ContainsFunc(s.IdentitySources, func(src string) bool { return !requestIdentitySource.MatchString(src) }) {
			return fmt.Sprintf("a REQUEST authorizer takes one or more IdentitySources of method.request.header.NAME, method.request.querystring.NAME, context.NAME or stageVariables.NAME; got %q", s.IdentitySources)
		}
	default:
		return fmt.Sprintf("Type %q must be %s or %s", s.Type, TokenAuthorizer, RequestAuthorizer)
	}
	return ""
}

// usesCognito says whether any operation is authorized by Cognito.
func usesCognito(ops []Operation) bool {
	return slices.ContainsFunc(ops, func(o Operation) bool { return o.authorization() == "COGNITO_USER_POOLS" })
}

// addAuthorizers creates the Lambda authorizers. CDK's TokenAuthorizer and
// RequestAuthorizer give API Gateway lambda:InvokeFunction on the handler
// with the authorizer's ARN,
// arn:aws:execute-api:REGION:ACCOUNT:API/authorizers/ID, as SourceArn.
func (r *RestAPI) addAuthorizers(name string, list []LambdaAuthorizer) {
	for _, a := range list {
		id := jsii.String("Authorizer" + a.Name)
		ttl := awscdk.Duration_Seconds(jsii.Number(a.ResultsTTL.Seconds()))
		authName := jsii.String(name + "-" + a.Name)
		switch a.Type {
		case TokenAuthorizer:
			r.Authorizers[a.Name] = awsapigateway.NewTokenAuthorizer(r.Construct, id, &awsapigateway.TokenAuthorizerProps{
				Handler: a.Handler, AuthorizerName: authName, ResultsCacheTtl: ttl, IdentitySource: jsii.String(a.IdentitySources[0]),
			})
		case RequestAuthorizer:
			r.Authorizers[a.Name] = awsapigateway.NewRequestAuthorizer(r.Construct, id, &awsapigateway.RequestAuthorizerProps{
				Handler: a.Handler, AuthorizerName: authName, ResultsCacheTtl: ttl, IdentitySources: jsii.Strings(a.IdentitySources...),
			})
		}
	}
}

// methodAuthorization sets the options of an operation's method for its
// authorization.
func (r *RestAPI) methodAuthorization(op Operation, opts *awsapigateway.MethodOptions) {
	switch op.authorization() {
	case "AWS_IAM":
		opts.AuthorizationType = awsapigateway.AuthorizationType_IAM
	case "CUSTOM":
		opts.AuthorizationType = awsapigateway.AuthorizationType_CUSTOM
		opts.Authorizer = r.Authorizers[op.Authorizer]
	default:
		opts.AuthorizationType = awsapigateway.AuthorizationType_COGNITO
		opts.Authorizer = r.Authorizer
		opts.AuthorizationScopes = jsii.Strings(op.Scopes...)
	}
}

// suppressCognitoFinding explains cdk-nag's COG4 ("does not use a Cognito
// user pool authorizer") on a method another authorizer guards.
func suppressCognitoFinding(m awsapigateway.Method, op Operation) {
	reason := "The method is authorized by IAM (AWS_IAM, SigV4) for service-to-service callers, by the operation's IAM setting; callers need execute-api:Invoke on its ARN (RestAPI.GrantInvoke)."
	if op.Authorizer != "" {
		reason = "The method is authorized by the Lambda authorizer " + op.Authorizer + ", by the operation's Authorizer setting."
	}
	switch op.authorization() {
	case "AWS_IAM", "CUSTOM":
		cdknag.NagSuppressions_AddResourceSuppressions(m, &[]*cdknag.NagPackSuppression{{Id: jsii.String("AwsSolutions-COG4"), Reason: jsii.String(reason)}}, nil)
	}
}

// GrantInvoke allows grantee (the role of a service that calls the API)
// execute-api:Invoke on exactly one IAM-authorized operation, "METHOD
// /path" (Operation.Key), and on its HEAD twin for a GET: the method ARNs
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH with each
// {param} as * ("Control access to a REST API with IAM permissions", API
// Gateway developer guide). IAM's * matches any characters, / included,
// so the grant also covers methods deeper under a {param}, should the API
// have any. An operation that is unknown or not
// IAM-authorized is an error annotation: IAM does not decide who calls it.
func (r *RestAPI) GrantInvoke(grantee awsiam.IGrantable, operation string) {
	m, ok := r.Methods[operation]
	if !ok || !r.iam[operation] {
		cdkx.Error(r.Construct, "restapi: GrantInvoke: %q is not an IAM-authorized operation of the API", operation)
		return
	}
	arns := []*string{m.MethodArn()}
	if head, ok := r.Methods["HEAD"+strings.TrimPrefix(operation, "GET")]; ok && strings.HasPrefix(operation, "GET ") {
		arns = append(arns, head.MethodArn())
	}
	awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
		Grantee: grantee, Actions: jsii.Strings("execute-api:Invoke"), ResourceArns: &arns,
	})
	if c, ok := grantee.(constructs.IConstruct); ok && strings.Contains(operation, "{") {
		_, path, _ := strings.Cut(operation, " ")
		pattern := regexp.QuoteMeta(regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(path, "*"))
		cdknag.NagSuppressions_AddResourceSuppressions(c, &[]*cdknag.NagPackSuppression{{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String("execute-api:Invoke on one method of the API: each * stands for the value of one path parameter, as API Gateway's method ARNs are written."),
			AppliesTo: &[]any{&cdknag.RegexAppliesTo{Regex: jsii.String("/^Resource::arn:<AWS::Partition>:execute-api:.*\\/(GET|HEAD|POST|PUT|PATCH|DELETE)" + strings.ReplaceAll(pattern, "/", "\\/") + "$/g")}},
		}}, jsii.Bool(true))
	}
}
