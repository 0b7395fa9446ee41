package infra_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme/customers-api/cdktest"
	"github.com/acme/customers-api/cdktest/cfnref"
	"github.com/acme/customers-api/cdktest/policysim"
)

const account, otherAccount = "111111111111", "999999999999"

// templates is the orders stack's template, resolved as CloudFormation
// would (cdktest/cfnref).
func templates(t *testing.T) *cfnref.Templates {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Orders-dev.template.json"), cdktest.Template(newStack(t).Stack), 0o600); err != nil {
		t.Fatal(err)
	}
	ts, err := cfnref.Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	ts.Account, ts.Region = account, "eu-west-1"
	return ts
}

// one is the only resource of a type whose property prop is value.
func one(t *testing.T, ts *cfnref.Templates, typ, prop, value string) cfnref.Resource {
	t.Helper()
	var found []cfnref.Resource
	for _, r := range ts.Resources(typ) {
		if v, _ := ts.String(r.Stack, r.Properties[prop]); v == value {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s with %s %q, want 1", len(found), typ, prop, value)
	}
	return found[0]
}

func ref(t *testing.T, ts *cfnref.Templates, r cfnref.Resource) string {
	t.Helper()
	v, err := ts.Ref(r)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The shipping service's role may invoke exactly GET (and HEAD)
// /internal/orders/{id} of this API's stage: its identity-based policies,
// evaluated for the execute-api:Invoke request API Gateway authorizes
// ("Control access to a REST API with IAM permissions": the method ARN
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH), allow that
// and refuse every near miss; another role of the stack is refused.
func TestTheShippingRoleMayInvokeOnlyItsIAMAuthorizedMethod(t *testing.T) {
	ts := templates(t)
	identity, err := policysim.IdentityPolicies(ts)
	if err != nil {
		t.Fatal(err)
	}
	api := ref(t, ts, ts.Resources("AWS::ApiGateway::RestApi")[0])
	stage, _ := ts.String("Orders-dev", ts.Resources("AWS::ApiGateway::Stage")[0].Properties["StageName"])
	shipping, _ := ts.GetAtt(one(t, ts, "AWS::IAM::Role", "Description", "Stands for the shipping service's role: reads orders over IAM"), "Arn")
	var other string
	for arn := range identity {
		if arn != shipping && strings.Contains(arn, "Fnserviceget") {
			other = arn // the service-get function's own role
		}
	}
	if other == "" {
		t.Fatal("no role of the service-get function")
	}
	method := func(api, verb, path string) string {
		return fmt.Sprintf("arn:aws:execute-api:eu-west-1:%s:%s/%s/%s/%s", account, api, stage, verb, path)
	}
	foreign := strings.Replace(shipping, ":"+account+":", ":"+otherAccount+":", 1) // the same role name, in another account
	identity[foreign] = identity[shipping]
	for _, tc := range []struct {
		who, arn string
		want     policysim.Decision
	}{
		{foreign, method(api, "GET", "internal/orders/ORD-01JDZ8Q6ZV5X3B9N2M4K7T1R0A"), policysim.ImplicitDeny},
		{shipping, method(api, "GET", "internal/orders/ORD-01JDZ8Q6ZV5X3B9N2M4K7T1R0A"), policysim.Allow},
		{shipping, method(api, "HEAD", "internal/orders/ORD-01JDZ8Q6ZV5X3B9N2M4K7T1R0A"), policysim.Allow},
		{shipping, method(api, "GET", "orders/ORD-01JDZ8Q6ZV5X3B9N2M4K7T1R0A"), policysim.ImplicitDeny},
		{shipping, method(api, "GET", "partner/orders/ORD-01JDZ8Q6ZV5X3B9N2M4K7T1R0A"), policysim.ImplicitDeny},
		{shipping, method(api, "POST", "orders"), policysim.ImplicitDeny},
		{shipping, method("otherapi01", "GET", "internal/orders/ORD-01JDZ8Q6ZV5X3B9N2M4K7T1R0A"), policysim.ImplicitDeny},
		{other, method(api, "GET", "internal/orders/ORD-01JDZ8Q6ZV5X3B9N2M4K7T1R0A"), policysim.ImplicitDeny},
	} {
		got, err := policysim.Evaluate(policysim.Request{
			Principal: policysim.Principal{ARN: tc.who, Identity: identity[tc.who]}, Action: "execute-api:Invoke", Resource: tc.arn,
		}, policysim.Target{Account: account})
		if err != nil || got != tc.want {
			t.Errorf("%s execute-api:Invoke %s: %v %v, want %v", tc.who, tc.arn, got, err, tc.want)
		}
	}
}

// API Gateway may invoke the partner authorizer's function only as that
// authorizer of this API: lambda:InvokeFunction by apigateway.amazonaws.com
// with the authorizer's ARN, arn:aws:execute-api:REGION:ACCOUNT:API/authorizers/ID
// ("Use API Gateway Lambda authorizers", and the Lambda permission's
// SourceArn), as aws:SourceArn is allowed; from another authorizer, API or
// account, or as a method of the API, it is not.
func TestOnlyThePartnerAuthorizerMayInvokeItsFunction(t *testing.T) {
	ts := templates(t)
	policies, err := policysim.LambdaPolicies(ts)
	if err != nil {
		t.Fatal(err)
	}
	api := ref(t, ts, ts.Resources("AWS::ApiGateway::RestApi")[0])
	auth := one(t, ts, "AWS::ApiGateway::Authorizer", "Name", "orders-dev-partners")
	fnARN, err := ts.String(auth.Stack, auth.Properties["AuthorizerUri"])
	if err != nil {
		t.Fatal(err)
	}
	fnARN = strings.TrimSuffix(fnARN[strings.Index(fnARN, "/functions/")+len("/functions/"):], "/invocations")
	source := func(account, api, rest string) string {
		return fmt.Sprintf("arn:aws:execute-api:eu-west-1:%s:%s/%s", account, api, rest)
	}
	id := ref(t, ts, auth)
	for _, tc := range []struct {
		account, source string
		want            policysim.Decision
	}{
		{account, source(account, api, "authorizers/"+id), policysim.Allow},
		{account, source(account, api, "authorizers/other1"), policysim.ImplicitDeny},
		{account, source(account, "otherapi01", "authorizers/"+id), policysim.ImplicitDeny},
		{otherAccount, source(otherAccount, api, "authorizers/"+id), policysim.ImplicitDeny},
		{account, source(account, api, "v1/GET/partner/orders/ORD-1"), policysim.ImplicitDeny},
	} {
		got, err := policysim.Evaluate(policysim.Request{
			Principal: policysim.Principal{Service: "apigateway.amazonaws.com"}, Action: "lambda:InvokeFunction", Resource: fnARN,
			Context: map[string]string{"aws:SourceArn": tc.source, "aws:SourceAccount": tc.account},
		}, policysim.Target{Account: account, Policy: policies[fnARN]})
		if err != nil || got != tc.want {
			t.Errorf("apigateway lambda:InvokeFunction %s from %s: %v %v, want %v", fnARN, tc.source, got, err, tc.want)
		}
	}
}

// The authorizer's function is least privilege: its role may not read the
// orders table (nor anything else of the stack's data), and its
// environment holds only token digests.
func TestThePartnerAuthorizerCannotReadTheTable(t *testing.T) {
	ts := templates(t)
	identity, err := policysim.IdentityPolicies(ts)
	if err != nil {
		t.Fatal(err)
	}
	fn := one(t, ts, "AWS::Lambda::Function", "Description", "orders-dev: Lambda authorizer partners")
	role, _ := ts.String(fn.Stack, fn.Properties["Role"])
	table, _ := ts.GetAtt(ts.Resources("AWS::DynamoDB::Table")[0], "Arn")
	for _, action := range []string{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"} {
		got, err := policysim.Evaluate(policysim.Request{Principal: policysim.Principal{ARN: role, Identity: identity[role]}, Action: action, Resource: table},
			policysim.Target{Account: account})
		if err != nil || got != policysim.ImplicitDeny {
			t.Errorf("authorizer %s on the table: %v %v, want ImplicitDeny", action, got, err)
		}
	}
	env, _ := fn.Properties["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	for k := range vars {
		if k != "PARTNER_TOKEN_SHA256" && k != "SUSPENDED_PARTNERS" && !strings.HasPrefix(k, "AWS_") && !strings.HasPrefix(k, "POWERTOOLS") {
			t.Errorf("the authorizer's environment has %s", k)
		}
	}
}
