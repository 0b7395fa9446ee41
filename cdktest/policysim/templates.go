package policysim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/acme/customers-api/cdktest/cfnref"
)

// LambdaPolicies returns, by the ARN of the function, version or alias
// they name, the resource-based policies Lambda builds from the
// AWS::Lambda::Permission resources of the templates: one statement per
// permission with its principal, action and function ARN, and ArnLike
// AWS:SourceArn / StringEquals AWS:SourceAccount conditions when set
// ("Viewing resource-based IAM policies in Lambda",
// https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html,
// and the AddPermission API reference). A permission property or a
// principal other than a service's is an error: it is not modelled.
func LambdaPolicies(ts *cfnref.Templates) (map[string]*Policy, error) {
	statements := map[string][]any{}
	for _, r := range ts.Resources("AWS::Lambda::Permission") {
		for k := range r.Properties {
			if !slices.Contains([]string{"Action", "FunctionName", "Principal", "SourceArn", "SourceAccount"}, k) {
				return nil, fmt.Errorf("policysim: %s: Lambda permission property %s is not modelled", r.Key(), k)
			}
		}
		var fn, principal, action string
		for v, out := range map[string]*string{"FunctionName": &fn, "Principal": &principal, "Action": &action} {
			s, err := ts.String(r.Stack, r.Properties[v])
			if err != nil {
				return nil, fmt.Errorf("policysim: %s: %w", r.Key(), err)
			}
			*out = s
		}
		if !strings.HasPrefix(fn, "arn:") { // a name, as FunctionName accepts
			fn = ts.Arn("lambda", "function:"+fn)
		}
		if !strings.HasSuffix(principal, ".amazonaws.com") {
			return nil, fmt.Errorf("policysim: %s: principal %s is not modelled", r.Key(), principal)
		}
		cond := map[string]any{}
		for prop, op := range map[string]string{"SourceArn": "ArnLike", "SourceAccount": "StringEquals"} {
			if v, ok := r.Properties[prop]; ok {
				s, err := ts.String(r.Stack, v)
				if err != nil {
					return nil, fmt.Errorf("policysim: %s: %w", r.Key(), err)
				}
				cond[op] = map[string]any{"AWS:" + prop: s}
			}
		}
		s := map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": principal}, "Action": action, "Resource": fn}
		if len(cond) > 0 {
			s["Condition"] = cond
		}
		statements[fn] = append(statements[fn], s)
	}
	out := map[string]*Policy{}
	for fn, list := range statements {
		b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": list})
		p, err := Parse(b)
		if err != nil {
			return nil, err
		}
		out[fn] = p
	}
	return out, nil
}

// IdentityPolicies returns each IAM role's identity-based policies, by the
// role's ARN: its inline Policies and every AWS::IAM::Policy of the
// templates attached to it ("Identity-based policies and resource-based
// policies", IAM User Guide). Managed policies (ManagedPolicyArns) are not
// read: they are not in the templates.
func IdentityPolicies(ts *cfnref.Templates) (map[string][]*Policy, error) {
	out := map[string][]*Policy{}
	for _, r := range ts.Resources("AWS::IAM::Role") {
		arn, err := ts.GetAtt(r, "Arn")
		if err != nil {
			return nil, err
		}
		out[arn] = []*Policy{}
		l, _ := r.Properties["Policies"].([]any)
		for _, inline := range l {
			doc, _ := inline.(map[string]any)
			p, err := TemplatePolicy(ts, r, doc["PolicyDocument"])
			if err != nil {
				return nil, err
			}
			out[arn] = append(out[arn], p)
		}
	}
	for _, r := range ts.Resources("AWS::IAM::Policy") {
		p, err := TemplatePolicy(ts, r, r.Properties["PolicyDocument"])
		if err != nil {
			return nil, err
		}
		roles, _ := r.Properties["Roles"].([]any)
		for _, ref := range roles {
			role, ok := ts.Lookup(r.Stack, ref)
			if !ok {
				return nil, fmt.Errorf("policysim: %s: role %v is not in the templates", r.Key(), ref)
			}
			arn, err := ts.GetAtt(role, "Arn")
			if err != nil {
				return nil, err
			}
			out[arn] = append(out[arn], p)
		}
	}
	return out, nil
}

// TemplatePolicy resolves a policy document of resource r (its intrinsic
// functions, with cfnref) and parses it.
func TemplatePolicy(ts *cfnref.Templates, r cfnref.Resource, doc any) (*Policy, error) {
	v, err := ts.Value(r.Stack, doc)
	if err != nil {
		return nil, fmt.Errorf("policysim: %s: %w", r.Key(), err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	p, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("policysim: %s: %w", r.Key(), err)
	}
	return p, nil
}
