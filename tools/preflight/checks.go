package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	envconfig "github.com/acme/customers-api/internal/config"
)

// clients are the AWS APIs preflight reads; each check uses one or two.
type clients struct {
	cloudformation *cloudformation.Client
	apigateway     *apigateway.Client
	iam            *iam.Client
	ses            *ses.Client
	sesv2          *sesv2.Client
	lambda         *lambda.Client
	cognito        *cognitoidentityprovider.Client
	ssm            *ssm.Client
}

func newClients(cfg aws.Config) clients {
	return clients{
		cloudformation: cloudformation.NewFromConfig(cfg), apigateway: apigateway.NewFromConfig(cfg),
		iam: iam.NewFromConfig(cfg), ses: ses.NewFromConfig(cfg), sesv2: sesv2.NewFromConfig(cfg),
		lambda: lambda.NewFromConfig(cfg), cognito: cognitoidentityprovider.NewFromConfig(cfg), ssm: ssm.NewFromConfig(cfg),
	}
}

// check returns what the account lacks for env, one fix per line.
func check(ctx context.Context, c clients, env envconfig.Environment) []string {
	var problems []string
	for _, f := range []func(context.Context, clients, envconfig.Environment) []string{
		checkBootstrap, checkAPIGatewayRole, checkSES, checkConcurrency, checkDomainPrefix,
	} {
		problems = append(problems, f(ctx, c, env)...)
	}
	return problems
}

func checkBootstrap(ctx context.Context, c clients, env envconfig.Environment) []string {
	_, err := c.cloudformation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("CDKToolkit")})
	if err != nil {
		return []string{fmt.Sprintf("not bootstrapped for the CDK: run `npx cdk bootstrap aws://%s/%s` once (%v)", env.Account, env.Region, short(err))}
	}
	return nil
}

// pushToLogs is the managed policy API Gateway's logging role needs, and
// apiGateway the service that must be trusted to assume it (API Gateway
// developer guide, "Set up CloudWatch logging for REST APIs in API
// Gateway": "Permissions for CloudWatch logging").
const (
	pushToLogs = "AmazonAPIGatewayPushToCloudWatchLogs"
	apiGateway = "apigateway.amazonaws.com"
)

const roleFix = "set API.CloudWatchRole: true in internal/config for one deploy (the role is retained), or fix the account's role yourself"

// checkAPIGatewayRole checks the account's API Gateway logging role where
// the environment does not create it: set, existing, trusted by API
// Gateway, with the push-to-logs policy.
func checkAPIGatewayRole(ctx context.Context, c clients, env envconfig.Environment) []string {
	if env.API.CloudWatchRole {
		return nil
	}
	acct, err := c.apigateway.GetAccount(ctx, &apigateway.GetAccountInput{})
	if err != nil {
		return []string{fmt.Sprintf("cannot read API Gateway's account settings: %v", short(err))}
	}
	roleARN := aws.ToString(acct.CloudwatchRoleArn)
	if roleARN == "" {
		return []string{"API Gateway has no CloudWatch Logs role, and this environment does not create one: " + roleFix}
	}
	parsed, err := arn.Parse(roleARN)
	if err != nil || !strings.HasPrefix(parsed.Resource, "role/") {
		return []string{fmt.Sprintf("API Gateway's CloudWatch Logs role %q is not a role ARN: %s", roleARN, roleFix)}
	}
	name := parsed.Resource[strings.LastIndex(parsed.Resource, "/")+1:]
	role, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return []string{fmt.Sprintf("API Gateway's CloudWatch Logs role %s cannot be read (%v): %s", roleARN, short(err), roleFix)}
	}
	var problems []string
	if !trusts(aws.ToString(role.Role.AssumeRolePolicyDocument), apiGateway) {
		problems = append(problems, fmt.Sprintf("API Gateway's CloudWatch Logs role %s does not let %s assume it: %s", roleARN, apiGateway, roleFix))
	}
	attached, err := c.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return append(problems, fmt.Sprintf("cannot list the policies of %s: %v", roleARN, short(err)))
	}
	managed := fmt.Sprintf("arn:%s:iam::aws:policy/service-role/%s", parsed.Partition, pushToLogs)
	if !slices.ContainsFunc(attached.AttachedPolicies, func(p iamtypes.AttachedPolicy) bool { return aws.ToString(p.PolicyArn) == managed }) {
		problems = append(problems, fmt.Sprintf("API Gateway's CloudWatch Logs role %s lacks the managed policy %s: attach it, or %s", roleARN, pushToLogs, roleFix))
	}
	return problems
}

// trusts says whether a role's trust policy (URL-encoded JSON, as IAM's
// GetRole returns it) allows service to call sts:AssumeRole.
func trusts(document, service string) bool {
	decoded, err := url.QueryUnescape(document)
	if err != nil {
		return false
	}
	var policy struct {
		Statement []struct {
			Effect    string
			Action    stringOrList
			Principal struct{ Service stringOrList }
			Condition json.RawMessage
		}
	}
	if json.Unmarshal([]byte(decoded), &policy) != nil {
		return false
	}
	for _, s := range policy.Statement {
		// A condition could narrow the trust to nothing; a statement with one
		// is not counted, so preflight errs on the side of a problem.
		if s.Effect == "Allow" && len(s.Condition) == 0 && slices.Contains(s.Action, "sts:AssumeRole") && slices.Contains(s.Principal.Service, service) {
			return true
		}
	}
	return false
}

// stringOrList is an IAM policy element that is a string or a list of them.
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*s = []string{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(s))
}

// checkSES checks the sender of an environment that sends the pool's
// e-mail through SES: the identity verified, and the account out of the
// sandbox, where SES sends only to verified addresses ("Request production
// access", SES developer guide; SES API v2 GetAccount, ProductionAccessEnabled).
func checkSES(ctx context.Context, c clients, env envconfig.Environment) []string {
	from := env.Auth.EmailFrom
	if from == "" || env.Auth.ExistingUserPoolID != "" {
		return nil
	}
	var problems []string
	out, err := c.ses.GetIdentityVerificationAttributes(ctx, &ses.GetIdentityVerificationAttributesInput{Identities: []string{from}})
	switch {
	case err != nil:
		problems = append(problems, fmt.Sprintf("cannot read SES identities: %v", short(err)))
	case out.VerificationAttributes[from].VerificationStatus != "Success":
		problems = append(problems, fmt.Sprintf("SES has not verified %s (Auth.EmailFrom) in %s: verify it before Cognito can send from it", from, env.Region))
	}
	acct, err := c.sesv2.GetAccount(ctx, &sesv2.GetAccountInput{})
	switch {
	case err != nil:
		problems = append(problems, fmt.Sprintf("cannot read the SES account: %v", short(err)))
	case !acct.ProductionAccessEnabled:
		problems = append(problems, fmt.Sprintf("SES is in the sandbox in %s and sends only to verified addresses: request production access (SES console, Account dashboard) before users sign up", env.Region))
	}
	return problems
}

// checkConcurrency compares the account's concurrent executions quota with
// the limit the environment's alarms assume; new accounts get far less
// than the default 1,000 (Lambda GetAccountSettings,
// AccountLimit.ConcurrentExecutions).
func checkConcurrency(ctx context.Context, c clients, env envconfig.Environment) []string {
	out, err := c.lambda.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil {
		return []string{fmt.Sprintf("cannot read Lambda's account settings: %v", short(err))}
	}
	var got int32 // no AccountLimit counts as none: a problem, not a pass
	if out.AccountLimit != nil {
		got = out.AccountLimit.ConcurrentExecutions
	}
	if want := env.Alarms.Thresholds.ConcurrencyLimit; int(got) < want {
		return []string{fmt.Sprintf("Lambda allows %d concurrent executions in %s, and the alarms assume %d (Alarms.Thresholds.ConcurrencyLimit): "+
			"request an increase of \"Concurrent executions\" (Service Quotas, AWS Lambda, L-B99A9384), or lower Alarms.Thresholds.ConcurrencyLimit to %d", got, env.Region, want, got)}
	}
	return nil
}

// checkDomainPrefix checks that the Cognito domain prefix is free, or is
// already the domain of the pool the environment's Auth stack published.
func checkDomainPrefix(ctx context.Context, c clients, env envconfig.Environment) []string {
	if env.Auth.ExistingUserPoolID != "" || env.Auth.WithoutDomain {
		return nil
	}
	prefix := env.DomainPrefix()
	out, err := c.cognito.DescribeUserPoolDomain(ctx, &cognitoidentityprovider.DescribeUserPoolDomainInput{Domain: aws.String(prefix)})
	if err != nil {
		return []string{fmt.Sprintf("cannot read the Cognito domain %s: %v", prefix, short(err))}
	}
	owner := ""
	if out.DomainDescription != nil {
		owner = aws.ToString(out.DomainDescription.UserPoolId)
	}
	if owner == "" {
		return nil
	}
	param, err := c.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(env.ParameterName(envconfig.UserPoolARNParameter))})
	if err == nil {
		if pool, err := arn.Parse(aws.ToString(param.Parameter.Value)); err == nil && pool.Resource == "userpool/"+owner {
			return nil // the environment's own pool, deployed before
		}
	}
	return []string{fmt.Sprintf("the Cognito domain prefix %s is taken by user pool %s, not this environment's: set another Auth.DomainPrefix in internal/config (README, \"Changing the Cognito domain prefix\")", prefix, owner)}
}

// short is an AWS error without the SDK's operation prefix noise.
func short(err error) string {
	var unwrapped interface{ ErrorMessage() string }
	if errors.As(err, &unwrapped) {
		return unwrapped.ErrorMessage()
	}
	return err.Error()
}
