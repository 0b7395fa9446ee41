package policysim_test

import (
	"strings"
	"testing"

	"github.com/acme/customers-api/cdktest/policysim"
)

func mustParse(t *testing.T, doc string) *policysim.Policy {
	t.Helper()
	p, err := policysim.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type example struct {
	name string
	req  policysim.Request
	on   policysim.Target
	want policysim.Decision
}

func run(t *testing.T, examples []example) {
	t.Helper()
	for _, e := range examples {
		t.Run(e.name, func(t *testing.T) {
			got, err := policysim.Evaluate(e.req, e.on)
			if err != nil {
				t.Fatal(err)
			}
			if got != e.want {
				t.Errorf("got %v, want %v", got, e.want)
			}
		})
	}
}

// The identity-based policy of the IAM user carlossalazar in the single
// account example of "Policy evaluation logic" (Example identity-based and
// resource-based policy evaluation).
const carlosSingleAccount = `{"Version": "2012-10-17", "Statement": [
	{"Sid": "AllowS3ListRead", "Effect": "Allow",
	 "Action": ["s3:GetBucketLocation", "s3:GetAccountPublicAccessBlock", "s3:ListAccessPoints", "s3:ListAllMyBuckets"],
	 "Resource": "arn:aws:s3:::*"},
	{"Sid": "AllowS3Self", "Effect": "Allow", "Action": "s3:*",
	 "Resource": ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"]},
	{"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*log*"}]}`

// ... and the bucket policy of the carlossalazar bucket.
const carlosBucket = `{"Version": "2012-10-17", "Statement": [
	{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/carlossalazar"}, "Action": "s3:*",
	 "Resource": ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"]}]}`

func TestAWSsSingleAccountExampleDeniesTheLogsBucketAndAllowsHisOwn(t *testing.T) {
	carlos := "arn:aws:iam::123456789012:user/carlossalazar"
	identity := mustParse(t, carlosSingleAccount)
	bucket := mustParse(t, carlosBucket)
	put := func(resource string, identity ...*policysim.Policy) policysim.Request {
		return policysim.Request{Principal: policysim.Principal{ARN: carlos, Identity: identity}, Action: "s3:PutObject", Resource: resource}
	}
	run(t, []example{
		{"the logs bucket is explicitly denied by DenyS3Logs", put("arn:aws:s3:::carlossalazar-logs", identity),
			policysim.Target{Account: "123456789012"}, policysim.ExplicitDeny},
		{"his own bucket is allowed by both policies", put("arn:aws:s3:::carlossalazar/report.txt", identity),
			policysim.Target{Account: "123456789012", Policy: bucket}, policysim.Allow},
		{"the bucket policy alone is enough in the same account", put("arn:aws:s3:::carlossalazar/report.txt"),
			policysim.Target{Account: "123456789012", Policy: bucket}, policysim.Allow},
		{"the identity policy alone is enough in the same account", put("arn:aws:s3:::carlossalazar/report.txt", identity),
			policysim.Target{Account: "123456789012"}, policysim.Allow},
		{"another bucket is implicitly denied", put("arn:aws:s3:::someone-else/report.txt", identity),
			policysim.Target{Account: "123456789012", Policy: bucket}, policysim.ImplicitDeny},
	})
}

// The cross-account example of "Cross-account policy evaluation logic":
// carlossalazar in 111111111111 and the Production bucket in 222222222222.
const (
	carlosCrossAccount = `{"Version": "2012-10-17", "Statement": [
		{"Sid": "AllowS3ListRead", "Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
		{"Sid": "AllowS3ProductionObjectActions", "Effect": "Allow", "Action": "s3:*Object*", "Resource": "arn:aws:s3:::Production/*"},
		{"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": ["arn:aws:s3:::*log*", "arn:aws:s3:::*log*/*"]}]}`
	productionBucket = `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["s3:GetObject*", "s3:PutObject*", "s3:ReplicateObject", "s3:RestoreObject"],
		 "Principal": {"AWS": "arn:aws:iam::111111111111:user/carlossalazar"}, "Resource": "arn:aws:s3:::Production/*"}]}`
)

func TestAWSsCrossAccountExampleNeedsBothAccountsToAllow(t *testing.T) {
	identity := mustParse(t, carlosCrossAccount)
	bucket := mustParse(t, productionBucket)
	req := func(action, resource string, identity ...*policysim.Policy) policysim.Request {
		return policysim.Request{Principal: policysim.Principal{ARN: "arn:aws:iam::111111111111:user/carlossalazar", Identity: identity},
			Action: action, Resource: resource}
	}
	run(t, []example{
		{"Production-logs is explicitly denied in his own account", req("s3:PutObject", "arn:aws:s3:::Production-logs/f", identity),
			policysim.Target{Account: "222222222222"}, policysim.ExplicitDeny},
		{"Production is allowed by both accounts", req("s3:PutObject", "arn:aws:s3:::Production/f", identity),
			policysim.Target{Account: "222222222222", Policy: bucket}, policysim.Allow},
		{"the bucket policy alone is not enough across accounts", req("s3:PutObject", "arn:aws:s3:::Production/f"),
			policysim.Target{Account: "222222222222", Policy: bucket}, policysim.ImplicitDeny},
		{"his identity policy alone is not enough across accounts", req("s3:PutObject", "arn:aws:s3:::Production/f", identity),
			policysim.Target{Account: "222222222222"}, policysim.ImplicitDeny},
		{"deleting is allowed by his policy but not by the bucket's", req("s3:DeleteObject", "arn:aws:s3:::Production/f", identity),
			policysim.Target{Account: "222222222222", Policy: bucket}, policysim.ImplicitDeny},
	})
}

// The AllowGetList/DenyReports policy of "Policy evaluation logic" (The
// difference between explicit and implicit denies).
func TestAWSsExplicitAndImplicitDenyExample(t *testing.T) {
	p := mustParse(t, `{"Version": "2012-10-17", "Statement": [
		{"Sid": "AllowGetList", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
		{"Sid": "DenyReports", "Effect": "Deny", "Action": "iam:*Report", "Resource": "*"}]}`)
	req := func(action string) policysim.Request {
		return policysim.Request{Principal: policysim.Principal{ARN: "arn:aws:iam::123456789012:role/reader", Identity: []*policysim.Policy{p}},
			Action: action, Resource: "arn:aws:iam::123456789012:user/someone"}
	}
	acct := policysim.Target{Account: "123456789012"}
	run(t, []example{
		{"a Get action is allowed", req("iam:GetUser"), acct, policysim.Allow},
		{"actions match case-insensitively", req("IAM:getuser"), acct, policysim.Allow},
		{"a report is explicitly denied although Get* allows it", req("iam:GetOrganizationsAccessReport"), acct, policysim.ExplicitDeny},
		{"anything else is implicitly denied", req("iam:CreatePolicy"), acct, policysim.ImplicitDeny},
	})
}

// The default key policy's first statement, "Allows access to the AWS
// account and enables IAM policies"
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
const rootKeyPolicy = `{"Version": "2012-10-17", "Statement": [
	{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}`

func TestAKeyPolicyMustAllowBeforeAnIdentityPolicyCounts(t *testing.T) {
	role := "arn:aws:iam::111122223333:role/publisher"
	identity := mustParse(t, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "arn:aws:kms:eu-west-1:111122223333:key/k1"}]}`)
	onlyCloudWatch := mustParse(t, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "kms:Decrypt", "Resource": "*"}]}`)
	req := func(identity ...*policysim.Policy) policysim.Request {
		return policysim.Request{Principal: policysim.Principal{ARN: role, Identity: identity},
			Action: "kms:GenerateDataKey", Resource: "arn:aws:kms:eu-west-1:111122223333:key/k1"}
	}
	key := func(p *policysim.Policy) policysim.Target {
		return policysim.Target{Account: "111122223333", Policy: p, MustAllow: true}
	}
	run(t, []example{
		{"the account statement and an identity policy allow", req(identity), key(mustParse(t, rootKeyPolicy)), policysim.Allow},
		{"the account statement alone allows nothing", req(), key(mustParse(t, rootKeyPolicy)), policysim.ImplicitDeny},
		{"an identity policy alone allows nothing", req(identity), key(onlyCloudWatch), policysim.ImplicitDeny},
		{"the same identity policy is enough for an ordinary resource", req(identity),
			policysim.Target{Account: "111122223333", Policy: onlyCloudWatch}, policysim.Allow},
	})
}

func TestAServicePrincipalIsAllowedOnlyByTheResourcePolicyAndItsConditions(t *testing.T) {
	topic := mustParse(t, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": "arn:aws:sns:eu-west-1:111122223333:alarms",
		 "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
		{"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish",
		 "Resource": "arn:aws:sns:eu-west-1:111122223333:alarms",
		 "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:svc-*"},
		               "StringEquals": {"AWS:SourceAccount": "111122223333"}}}]}`)
	publish := func(service string, ctx map[string]string) policysim.Request {
		return policysim.Request{Principal: policysim.Principal{Service: service}, Action: "sns:Publish",
			Resource: "arn:aws:sns:eu-west-1:111122223333:alarms", Context: ctx}
	}
	ours := map[string]string{"aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:svc-unhealthy",
		"aws:SourceAccount": "111122223333", "aws:SecureTransport": "true"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for key, val := range ours {
			m[key] = val
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	target := policysim.Target{Account: "111122223333", Policy: topic}
	run(t, []example{
		{"our alarm over TLS is allowed", publish("cloudwatch.amazonaws.com", ours), target, policysim.Allow},
		{"another alarm name is implicitly denied", publish("cloudwatch.amazonaws.com", with("aws:SourceArn", "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:other-x")), target, policysim.ImplicitDeny},
		{"another account's alarm is implicitly denied", publish("cloudwatch.amazonaws.com", with("aws:SourceAccount", "444455556666")), target, policysim.ImplicitDeny},
		{"a missing source ARN makes ArnLike false", publish("cloudwatch.amazonaws.com", with("aws:SourceArn", "")), target, policysim.ImplicitDeny},
		{"plain text is explicitly denied", publish("cloudwatch.amazonaws.com", with("aws:SecureTransport", "false")), target, policysim.ExplicitDeny},
		{"another service is implicitly denied", publish("events.amazonaws.com", ours), target, policysim.ImplicitDeny},
	})
}

// "If the policy condition requires that the key is not matched, such as
// StringNotLike or ArnNotLike, and the right key is not present, the
// condition is true" ("Condition operators").
func TestANegatedOperatorHoldsForAKeyTheRequestLacks(t *testing.T) {
	topic := mustParse(t, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": "*",
		 "Condition": {"ArnNotEquals": {"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/publisher", "arn:aws:iam::111122223333:role/recovery"]}}},
		{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "*"}]}`)
	publish := func(p policysim.Principal) policysim.Request {
		return policysim.Request{Principal: p, Action: "sns:Publish", Resource: "arn:aws:sns:eu-west-1:111122223333:events"}
	}
	target := policysim.Target{Account: "111122223333", Policy: topic}
	run(t, []example{
		{"the publisher role is allowed", publish(policysim.Principal{ARN: "arn:aws:iam::111122223333:role/publisher"}), target, policysim.Allow},
		{"the second listed role is allowed", publish(policysim.Principal{ARN: "arn:aws:iam::111122223333:role/recovery"}), target, policysim.Allow},
		{"an administrator is explicitly denied", publish(policysim.Principal{ARN: "arn:aws:iam::111122223333:role/admin"}), target, policysim.ExplicitDeny},
		{"a service principal has no aws:PrincipalArn and is denied", publish(policysim.Principal{Service: "sns.amazonaws.com"}), target, policysim.ExplicitDeny},
	})
}

func TestARoleTrustPolicyNamingTheAccountNeedsTheCallersOwnPolicyToo(t *testing.T) {
	trust := mustParse(t, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}]}`)
	mayAssume := mustParse(t, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role/recovery"}]}`)
	assume := func(who string, identity ...*policysim.Policy) policysim.Request {
		return policysim.Request{Principal: policysim.Principal{ARN: who, Identity: identity}, Action: "sts:AssumeRole",
			Resource: "arn:aws:iam::111122223333:role/recovery"}
	}
	role := policysim.Target{Account: "111122223333", Policy: trust, MustAllow: true}
	run(t, []example{
		{"an operator whose policy allows it may assume the role", assume("arn:aws:iam::111122223333:role/operator", mayAssume), role, policysim.Allow},
		{"a principal of the account without such a policy may not", assume("arn:aws:iam::111122223333:role/app"), role, policysim.ImplicitDeny},
		{"another account's principal may not, whatever its policy", assume("arn:aws:iam::444455556666:role/operator", mayAssume), role, policysim.ImplicitDeny},
	})
}

func TestSetOperatorsTestEveryValue(t *testing.T) {
	p := mustParse(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem",
		"Resource": "arn:aws:dynamodb:eu-west-1:111122223333:table/t",
		"Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["CUST-*"]}}}]}`)
	get := func(ctx map[string]string) policysim.Request {
		return policysim.Request{Principal: policysim.Principal{ARN: "arn:aws:iam::111122223333:role/fn", Identity: []*policysim.Policy{p}},
			Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:eu-west-1:111122223333:table/t", Context: ctx}
	}
	acct := policysim.Target{Account: "111122223333"}
	run(t, []example{
		{"every key matches", get(map[string]string{"dynamodb:LeadingKeys": "CUST-1,CUST-2"}), acct, policysim.Allow},
		{"one key does not", get(map[string]string{"dynamodb:LeadingKeys": "CUST-1,ORDER-2"}), acct, policysim.ImplicitDeny},
		{"no key at all holds, as for an empty set", get(nil), acct, policysim.Allow},
	})
}

func TestWhatIsNotModelledIsAnError(t *testing.T) {
	for name, doc := range map[string]string{
		"an unknown operator":     `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"NumericLessThan": {"s3:max-keys": "10"}}}]}`,
		"IfExists":                `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}}]}`,
		"an unknown key":          `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}}]}`,
		"Bool on a string key":    `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SourceAccount": "true"}}}]}`,
		"ArnLike on a string key": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"ArnLike": {"aws:SourceAccount": "1*"}}}]}`,
		"a set operator on a single-valued key": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
			"Condition": {"ForAnyValue:StringEquals": {"aws:SourceAccount": "111122223333"}}}]}`,
		"NotPrincipal":              `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}]}`,
		"NotAction":                 `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}`,
		"NotResource":               `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::x"}]}`,
		"a policy variable":         `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::${aws:username}/*"}]}`,
		"a Federated principal":     `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}`,
		"a wildcard role ARN":       `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/*"}, "Action": "s3:*", "Resource": "*"}]}`,
		"a role session ARN":        `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:sts::111122223333:assumed-role/r/s"}, "Action": "s3:*", "Resource": "*"}]}`,
		"the 2008 version":          `{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`,
		"no version":                `{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`,
		"a Resource that is no ARN": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "bucket"}]}`,
		"an unknown policy element": `{"Version": "2012-10-17", "Comment": "x", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := policysim.Parse([]byte(doc)); err == nil {
				t.Errorf("Parse accepted %s", doc)
			}
		})
	}
	identity := mustParse(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`)
	resource := mustParse(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}`)
	for name, c := range map[string]struct {
		req policysim.Request
		on  policysim.Target
	}{
		"an unknown request key": {policysim.Request{Principal: policysim.Principal{ARN: "arn:aws:iam::111122223333:role/r"}, Action: "s3:GetObject",
			Resource: "arn:aws:s3:::b/k", Context: map[string]string{"aws:SourceIp": "10.0.0.1"}}, policysim.Target{Account: "111122223333"}},
		"a principal key in the context": {policysim.Request{Principal: policysim.Principal{ARN: "arn:aws:iam::111122223333:role/r"}, Action: "s3:GetObject",
			Resource: "arn:aws:s3:::b/k", Context: map[string]string{"aws:PrincipalArn": "arn:aws:iam::111122223333:role/x"}}, policysim.Target{Account: "111122223333"}},
		"a Principal in an identity policy": {policysim.Request{Principal: policysim.Principal{ARN: "arn:aws:iam::111122223333:role/r", Identity: []*policysim.Policy{resource}},
			Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, policysim.Target{Account: "111122223333"}},
		"no Principal in a resource policy": {policysim.Request{Principal: policysim.Principal{ARN: "arn:aws:iam::111122223333:role/r"},
			Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, policysim.Target{Account: "111122223333", Policy: identity}},
		"a service with identity policies": {policysim.Request{Principal: policysim.Principal{Service: "sns.amazonaws.com", Identity: []*policysim.Policy{identity}},
			Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, policysim.Target{Account: "111122223333"}},
		"a principal that is no IAM ARN": {policysim.Request{Principal: policysim.Principal{ARN: "arn:aws:sts::111122223333:assumed-role/r/s"},
			Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, policysim.Target{Account: "111122223333"}},
		"no account": {policysim.Request{Principal: policysim.Principal{Service: "sns.amazonaws.com"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, policysim.Target{}},
	} {
		t.Run(name, func(t *testing.T) {
			if d, err := policysim.Evaluate(c.req, c.on); err == nil {
				t.Errorf("Evaluate decided %v instead of failing", d)
			} else if !strings.HasPrefix(err.Error(), "policysim: ") {
				t.Errorf("error %q does not name the package", err)
			}
		})
	}
}
