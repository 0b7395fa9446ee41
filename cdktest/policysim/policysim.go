// Package policysim decides whether AWS would allow one request, given the
// resource-based policy of the resource it names and the identity-based
// policies of the principal that makes it, so that a test can show a
// delivery path (CloudWatch → topic, SNS → queue, an operator → topic, ...)
// is allowed for the exact request and refused for a near miss.
//
//	topic, err := policysim.Parse(topicPolicyJSON)
//	d, err := policysim.Evaluate(policysim.Request{
//		Principal: policysim.Principal{Service: "cloudwatch.amazonaws.com"},
//		Action:    "sns:Publish", Resource: topicARN,
//		Context:   map[string]string{"aws:SourceArn": alarmARN, "aws:SourceAccount": "111122223333", "aws:SecureTransport": "true"},
//	}, policysim.Target{Account: "111122223333", Policy: topic})
//	// d is policysim.Allow, policysim.ExplicitDeny or policysim.ImplicitDeny
//
// # Evaluation rules
//
// Each rule names the AWS page it follows.
//
//   - Order ("Policy evaluation logic", "Determining whether a request is
//     allowed or denied within an account",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
//     a Deny statement that applies, in any policy, is an explicit deny and
//     final; otherwise the request needs an Allow; otherwise it is
//     implicitly denied.
//   - Same account: an Allow in the resource-based policy for the principal
//     (its ARN, a service name or "*") or in an identity-based policy is
//     enough. A resource policy that names the principal's account (its
//     12-digit id or arn:aws:iam::ID:root) delegates to the account's
//     identity-based policies: it allows nothing by itself.
//   - KMS key policies and IAM role trust policies (Target.MustAllow) must
//     allow the principal themselves: the principal directly, or its
//     account and then an identity-based policy too. An identity-based
//     policy alone allows nothing (same page, and "Key policies in AWS
//     KMS", https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html:
//     "Unless the key policy explicitly allows it, you cannot use IAM
//     policies to allow access to a KMS key").
//   - Cross account ("Cross-account policy evaluation logic",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):
//     the resource policy must allow the principal or its account, and an
//     identity-based policy in the principal's account must allow too.
//   - A service principal has no identity-based policies: only the resource
//     policy can allow it. "Principal": "*" and {"AWS": "*"} are the same
//     and match every principal, services included ("AWS JSON policy
//     elements: Principal", All principals).
//   - Action matching is case-insensitive, with * and ? wildcards; Resource
//     and Arn* condition values match colon-separated ARN segment by
//     segment with * and ? inside a segment ("IAM JSON policy elements:
//     Resource" and "Condition operators", ARN). A resource-based statement
//     without Resource applies to the resource the policy is attached to,
//     as in a role trust policy.
//   - Conditions ("IAM JSON policy elements: Condition operators",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
//     every operator of a statement, and every key of an operator, must
//     hold; a key holds when the request's value matches any of the
//     policy's values (for the Not operators: matches none of them). A key
//     the request does not carry makes the condition false, and true for
//     the Not operators. ForAllValues: holds when every request value
//     matches (and for a missing key); ForAnyValue: when at least one does.
//     Condition key names are case-insensitive, values case-sensitive
//     except for StringEqualsIgnoreCase and Bool.
//   - aws:PrincipalArn and aws:PrincipalAccount come from Principal.ARN;
//     aws:PrincipalServiceName from Principal.Service ("AWS global
//     condition context keys"). Every other key comes from Request.Context.
//
// # Not modelled (an error, never a guess)
//
// Unknown policy elements (NotPrincipal, NotAction, NotResource),
// principals other than AWS and Service (Federated, CanonicalUser),
// wildcards inside a principal ARN, role-session (sts) principal ARNs,
// policy variables (${...}), policy versions other than 2012-10-17, and any
// condition operator or key outside the tables in condition.go. Not
// modelled either, so never passed in: Organizations SCPs and RCPs,
// permissions boundaries, session policies, VPC endpoint policies, access
// points, ACLs, KMS grants, and service-specific rules (S3 object
// ownership, SNS's default topic policy: a topic with an
// AWS::SNS::TopicPolicy has only that policy).
package policysim

import (
	"errors"
	"fmt"
	"strings"
)

// Decision is the outcome of evaluating a request.
type Decision int

const (
	// ImplicitDeny: nothing allows the request.
	ImplicitDeny Decision = iota
	// Allow: an applicable policy allows it and none denies it.
	Allow
	// ExplicitDeny: a Deny statement applies.
	ExplicitDeny
)

func (d Decision) String() string {
	return [...]string{"ImplicitDeny", "Allow", "ExplicitDeny"}[d]
}

// Principal makes the request: an AWS service, or an IAM role or user.
type Principal struct {
	// Service is a service principal, e.g. "cloudwatch.amazonaws.com".
	Service string
	// ARN is an IAM role (arn:aws:iam::ID:role/NAME, which also stands for
	// the role's sessions) or user (arn:aws:iam::ID:user/NAME).
	ARN string
	// Identity are the identity-based policies attached to the role or user.
	Identity []*Policy
}

// Request is one API call as IAM sees it.
type Request struct {
	Principal Principal
	// Action is "service:Operation", e.g. "sns:Publish".
	Action string
	// Resource is the ARN of the resource the request acts on.
	Resource string
	// Context holds the request's condition keys, e.g. "aws:SourceArn",
	// "aws:SecureTransport": "true". A key that is absent is not in the
	// request. Multi-valued keys (ForAllValues:/ForAnyValue:) are
	// comma-separated.
	Context map[string]string
}

// Target is the resource the request names.
type Target struct {
	// Account is the 12-digit id of the account that owns the resource.
	Account string
	// Policy is its resource-based policy; nil when it has none.
	Policy *Policy
	// MustAllow marks a KMS key policy or an IAM role trust policy: it must
	// allow the principal itself (see the package doc).
	MustAllow bool
}

// Evaluate decides the request against the target's resource-based policy
// and the principal's identity-based policies. Anything it does not model
// is an error.
func Evaluate(req Request, t Target) (Decision, error) {
	p := req.Principal
	if (p.Service == "") == (p.ARN == "") {
		return ImplicitDeny, errors.New("policysim: a principal is a Service or an ARN, exactly one")
	}
	if p.Service != "" && len(p.Identity) > 0 {
		return ImplicitDeny, errors.New("policysim: a service principal has no identity-based policies")
	}
	if len(t.Account) != 12 || req.Action == "" || req.Resource == "" {
		return ImplicitDeny, fmt.Errorf("policysim: need an action, a resource and its 12-digit account, got %q %q %q", req.Action, req.Resource, t.Account)
	}
	account := ""
	if p.ARN != "" {
		var err error
		if account, err = iamAccount(p.ARN); err != nil {
			return ImplicitDeny, err
		}
	}
	ctx, err := newContext(req)
	if err != nil {
		return ImplicitDeny, err
	}

	var resource, identity grant
	if t.Policy != nil {
		if resource, err = t.Policy.grant(req, ctx, p, account, true); err != nil {
			return ImplicitDeny, err
		}
	}
	for _, pol := range p.Identity {
		g, err := pol.grant(req, ctx, p, account, false)
		if err != nil {
			return ImplicitDeny, err
		}
		identity = identity.or(g)
	}
	switch {
	case resource.deny || identity.deny:
		return ExplicitDeny, nil
	case p.Service != "":
		return decide(resource.direct), nil
	case account != t.Account:
		return decide((resource.direct || resource.account) && identity.direct), nil
	case t.MustAllow:
		return decide(resource.direct || (resource.account && identity.direct)), nil
	default:
		return decide(resource.direct || identity.direct), nil
	}
}

func decide(allowed bool) Decision {
	if allowed {
		return Allow
	}
	return ImplicitDeny
}

// grant is what one policy says about a request: a Deny applies, an Allow
// names the principal (or, in an identity-based policy, applies), or an
// Allow names the principal's account.
type grant struct{ deny, direct, account bool }

func (g grant) or(o grant) grant {
	return grant{g.deny || o.deny, g.direct || o.direct, g.account || o.account}
}

// iamAccount is the account of an IAM role or user ARN.
func iamAccount(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || len(parts[4]) != 12 ||
		!(strings.HasPrefix(parts[5], "role/") || strings.HasPrefix(parts[5], "user/")) {
		return "", fmt.Errorf("policysim: principal %q is not an IAM role or user ARN", arn)
	}
	return parts[4], nil
}
