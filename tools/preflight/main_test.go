package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/acme/customers-api/constructs/settings"
	envconfig "github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/internal/testenv/moto"
)

var srv *moto.Server

func TestMain(m *testing.M) {
	// The API Gateway role check needs AWS managed policies, which moto
	// loads only when asked.
	os.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	moto.TestMain(m, &srv)
}

// account is a fake of the two APIs moto does not serve, Lambda's
// GetAccountSettings and SES v2's GetAccount, answering with the quota and
// the sandbox state it holds, in the shapes of the Lambda API Reference
// (GetAccountSettings: AccountLimit.ConcurrentExecutions) and the SES API
// v2 Reference (GetAccount: ProductionAccessEnabled).
type account struct {
	concurrency int
	production  bool
}

func (a *account) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/2016-08-19/account-settings":
		fmt.Fprintf(w, `{"AccountLimit":{"ConcurrentExecutions":%d,"UnreservedConcurrentExecutions":%d},"AccountUsage":{"FunctionCount":0}}`, a.concurrency, a.concurrency)
	case r.Method == http.MethodGet && r.URL.Path == "/v2/email/account":
		fmt.Fprintf(w, `{"ProductionAccessEnabled":%t,"SendingEnabled":true,"EnforcementStatus":"HEALTHY"}`, a.production)
	default:
		http.Error(w, `{"message":"not faked: `+r.Method+" "+r.URL.Path+`"}`, http.StatusNotFound)
	}
}

// world is an account: moto for every API it serves, the fake for Lambda's
// and SES v2's account settings.
func world(t *testing.T, a *account) clients {
	t.Helper()
	fake := httptest.NewServer(a)
	t.Cleanup(fake.Close)
	c := newClients(srv.Config())
	faked := srv.Config()
	faked.BaseEndpoint = aws.String(fake.URL)
	c.lambda, c.sesv2 = lambda.NewFromConfig(faked), sesv2.NewFromConfig(faked)
	return c
}

func lookup(t *testing.T, name string) envconfig.Environment {
	t.Helper()
	env, err := envconfig.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func contains(t *testing.T, problems []string, want string) {
	t.Helper()
	for _, p := range problems {
		if strings.Contains(p, want) {
			return
		}
	}
	t.Errorf("no problem says %q:\n%s", want, strings.Join(problems, "\n"))
}

const apigwRole = "apigw-logs"

// makeRole creates the API Gateway logging role in moto as given, and
// points API Gateway's account at it.
func makeRole(t *testing.T, c clients, trusted string, policy bool) {
	t.Helper()
	ctx := context.Background()
	c.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(apigwRole), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/" + pushToLogs)})
	c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(apigwRole)})
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"%s"},"Action":"sts:AssumeRole"}]}`, trusted)
	role, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(apigwRole), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if policy {
		if _, err := c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(apigwRole),
			PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/" + pushToLogs)}); err != nil {
			t.Fatal(err)
		}
	}
	setAccountRole(t, c, aws.ToString(role.Role.Arn))
}

func setAccountRole(t *testing.T, c clients, roleARN string) {
	t.Helper()
	if _, err := c.apigateway.UpdateAccount(context.Background(), &apigateway.UpdateAccountInput{PatchOperations: []apigwtypes.PatchOperation{{
		Op: apigwtypes.OpReplace, Path: aws.String("/cloudwatchRoleArn"), Value: aws.String(roleARN)}}}); err != nil {
		t.Fatal(err)
	}
}

// Each check against an account that fails it and one that passes it:
// moto serves CloudFormation, API Gateway, IAM, SES (v1), Cognito and SSM;
// the fake serves Lambda's and SES v2's account settings.
func TestEachCheckFindsItsProblemAndPassesWhenFixed(t *testing.T) {
	ctx := context.Background()
	prod := lookup(t, "prod")
	good := &account{concurrency: 1000, production: true}
	c := world(t, good)

	t.Run("CDK bootstrap", func(t *testing.T) {
		contains(t, checkBootstrap(ctx, c, prod), "cdk bootstrap aws://333333333333/eu-west-1")
		if _, err := c.cloudformation.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("CDKToolkit"),
			TemplateBody: aws.String(`{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}`)}); err != nil {
			t.Fatal(err)
		}
		if p := checkBootstrap(ctx, c, prod); len(p) != 0 {
			t.Errorf("bootstrapped: %v", p)
		}
	})

	t.Run("API Gateway logging role", func(t *testing.T) {
		contains(t, checkAPIGatewayRole(ctx, c, prod), "API Gateway has no CloudWatch Logs role")
		setAccountRole(t, c, "arn:aws:iam::123456789012:role/gone")
		contains(t, checkAPIGatewayRole(ctx, c, prod), "role/gone cannot be read")
		makeRole(t, c, "lambda.amazonaws.com", true)
		contains(t, checkAPIGatewayRole(ctx, c, prod), "does not let apigateway.amazonaws.com assume it")
		makeRole(t, c, apiGateway, false)
		contains(t, checkAPIGatewayRole(ctx, c, prod), "lacks the managed policy AmazonAPIGatewayPushToCloudWatchLogs")
		makeRole(t, c, apiGateway, true)
		if p := checkAPIGatewayRole(ctx, c, prod); len(p) != 0 {
			t.Errorf("a good role: %v", p)
		}
		setAccountRole(t, c, "")
		if p := checkAPIGatewayRole(ctx, c, lookup(t, "dev")); len(p) != 0 {
			t.Errorf("dev creates its own role: %v", p)
		}
	})

	t.Run("SES sender", func(t *testing.T) {
		sandbox := world(t, &account{concurrency: 1000, production: false})
		p := checkSES(ctx, sandbox, prod)
		contains(t, p, "SES has not verified no-reply@example.com")
		contains(t, p, "SES is in the sandbox in eu-west-1")
		if _, err := c.ses.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("no-reply@example.com")}); err != nil {
			t.Fatal(err)
		}
		if p := checkSES(ctx, sandbox, prod); len(p) != 1 {
			t.Errorf("verified, in the sandbox: %v, want only the sandbox", p)
		}
		if p := checkSES(ctx, c, prod); len(p) != 0 {
			t.Errorf("verified, production access: %v", p)
		}
	})

	t.Run("Lambda concurrency quota", func(t *testing.T) {
		contains(t, checkConcurrency(ctx, world(t, &account{concurrency: 10, production: true}), prod),
			"Lambda allows 10 concurrent executions in eu-west-1, and the alarms assume 1000")
		if p := checkConcurrency(ctx, c, prod); len(p) != 0 {
			t.Errorf("a quota of 1000: %v", p)
		}
	})

	t.Run("Cognito domain prefix", func(t *testing.T) {
		if p := checkDomainPrefix(ctx, c, prod); len(p) != 0 {
			t.Errorf("a free prefix: %v", p)
		}
		pool, err := c.cognito.CreateUserPool(ctx, &cognitoidentityprovider.CreateUserPoolInput{PoolName: aws.String("someone-elses")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.cognito.CreateUserPoolDomain(ctx, &cognitoidentityprovider.CreateUserPoolDomainInput{
			Domain: aws.String(prod.DomainPrefix()), UserPoolId: pool.UserPool.Id}); err != nil {
			t.Fatal(err)
		}
		contains(t, checkDomainPrefix(ctx, c, prod), "the Cognito domain prefix customers-prod-333333333333 is taken by user pool "+aws.ToString(pool.UserPool.Id))
		// The environment's own pool, as its Auth stack publishes it: another
		// pool does not own the domain, the one that holds it does.
		publish := func(poolARN *string) {
			if _, err := c.ssm.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(prod.ParameterName(envconfig.UserPoolARNParameter)),
				Value: poolARN, Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
		}
		ours, err := c.cognito.CreateUserPool(ctx, &cognitoidentityprovider.CreateUserPoolInput{PoolName: aws.String("customers-prod")})
		if err != nil {
			t.Fatal(err)
		}
		publish(ours.UserPool.Arn)
		contains(t, checkDomainPrefix(ctx, c, prod), "is taken by user pool "+aws.ToString(pool.UserPool.Id))
		publish(pool.UserPool.Arn)
		if p := checkDomainPrefix(ctx, c, prod); len(p) != 0 {
			t.Errorf("the environment's own domain: %v", p)
		}
	})
}

// `make deploy` runs preflight first: an environment that still holds the
// examples is refused with one line per placeholder, before any AWS call.
func TestPlaceholdersAreRefusedBeforeAnyAWSCall(t *testing.T) {
	var loads atomic.Int32
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), "prod", &stdout, &stderr, func(string) (aws.Config, error) {
		loads.Add(1)
		return srv.Config(), nil
	})
	if code != 1 || loads.Load() != 0 {
		t.Errorf("exit %d after %d AWS configurations; want 1 after none", code, loads.Load())
	}
	want := []string{
		"Account 333333333333 is an example account",
		"Alarms.Emails[0] customers-oncall@example.com is an example address",
		"Events.NotificationEmails[0] customer-care@example.com is an example address",
		"Auth.EmailFrom no-reply@example.com is an example address",
		"API.CORSOrigins[0] https://app.example.com is an example URL",
		"Auth.CallbackURLs[0] https://app.example.com/callback is an example URL",
		"Auth.LogoutURLs[0] https://app.example.com/ is an example URL",
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != len(want) {
		t.Errorf("%d lines, want one per placeholder (%d):\n%s", len(lines), len(want), stderr.String())
	}
	for i, w := range want {
		if i < len(lines) && !strings.Contains(lines[i], w) {
			t.Errorf("line %d is %q, want it to say %q", i+1, lines[i], w)
		}
	}
}

// A real environment passes the placeholder check, and only what looks
// like an example is refused.
func TestOnlyExamplesArePlaceholders(t *testing.T) {
	env := lookup(t, "staging")
	env.Account, env.Alarms.Emails, env.Events.NotificationEmails = "444455556666", []string{"oncall@acme.io"}, []string{"care@acme.io"}
	env.API.CORSOrigins, env.Auth.CallbackURLs, env.Auth.LogoutURLs = []string{"https://app.acme.io"}, []string{"https://app.acme.io/cb"}, []string{"https://app.acme.io/"}
	if p := placeholders(env); len(p) != 0 {
		t.Errorf("a real environment: %v", p)
	}
	env.API.CustomDomain = &settings.CustomDomain{Name: "api.EXAMPLE.org."}
	env.Alarms.Emails = []string{"oncall@example.net", "ops@notexample.com"}
	if p := placeholders(env); len(p) != 2 {
		t.Errorf("%d placeholders, want 2 (the custom domain, the first alarm address): %v", len(p), p)
	}
}
