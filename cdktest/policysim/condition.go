package policysim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// keyType is the type of a condition key's value.
type keyType int

const (
	stringKey keyType = iota
	arnKey
	boolKey
)

// keys are the condition keys modelled, lower-cased, with their types as
// their pages give them: "AWS global condition context keys"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
// "AWS KMS condition keys"
// (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html) and
// "Actions, resources, and condition keys for Amazon DynamoDB"
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html).
var keys = map[string]struct {
	typ   keyType
	multi bool
}{
	"aws:sourcearn":            {typ: arnKey},
	"aws:sourceaccount":        {typ: stringKey},
	"aws:securetransport":      {typ: boolKey},
	"aws:principalarn":         {typ: arnKey},
	"aws:principalaccount":     {typ: stringKey},
	"aws:principalservicename": {typ: stringKey},
	"kms:viaservice":           {typ: stringKey},
	"kms:calleraccount":        {typ: stringKey},
	"dynamodb:leadingkeys":     {typ: stringKey, multi: true},
}

// operator is a condition operator ("IAM JSON policy elements: Condition
// operators").
type operator struct {
	// wildcards: * and ? match (StringLike, Arn*); ArnEquals matches like
	// ArnLike, as the page says.
	wildcards, negated, ignoreCase bool
	// arn: the key must be an ARN key; boolean: a Bool key.
	arn, boolean bool
}

var operators = map[string]operator{
	"StringEquals":              {},
	"StringNotEquals":           {negated: true},
	"StringEqualsIgnoreCase":    {ignoreCase: true},
	"StringNotEqualsIgnoreCase": {negated: true, ignoreCase: true},
	"StringLike":                {wildcards: true},
	"StringNotLike":             {wildcards: true, negated: true},
	"ArnEquals":                 {wildcards: true, arn: true},
	"ArnLike":                   {wildcards: true, arn: true},
	"ArnNotEquals":              {wildcards: true, arn: true, negated: true},
	"ArnNotLike":                {wildcards: true, arn: true, negated: true},
	"Bool":                      {boolean: true, ignoreCase: true},
}

// condition is one key of one operator of a Condition element.
type condition struct {
	name   string // as written, for messages
	op     operator
	set    string // "", "ForAllValues" or "ForAnyValue"
	key    string // lower-cased
	values []string
}

func parseConditions(v json.RawMessage) ([]condition, error) {
	var m map[string]map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, err
	}
	var out []condition
	for name, byKey := range m {
		set, base, qualified := strings.Cut(name, ":")
		if !qualified {
			set, base = "", name
		} else if set != "ForAllValues" && set != "ForAnyValue" {
			return nil, fmt.Errorf("condition operator %q is not modelled", name)
		}
		op, ok := operators[base]
		if !ok {
			return nil, fmt.Errorf("condition operator %q is not modelled", name)
		}
		for k, raw := range byKey {
			key := strings.ToLower(k)
			kt, ok := keys[key]
			switch {
			case !ok:
				return nil, fmt.Errorf("condition key %q is not modelled", k)
			case op.arn && kt.typ != arnKey, op.boolean != (kt.typ == boolKey):
				return nil, fmt.Errorf("%s cannot test %s", name, k)
			case kt.multi != (set != ""):
				return nil, fmt.Errorf("%s on %s: set operators are for multivalued keys, and only they", name, k)
			}
			values, err := conditionValues(raw)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", name, k, err)
			}
			out = append(out, condition{name: name, op: op, set: set, key: key, values: values})
		}
	}
	return out, nil
}

// conditionValues reads a condition's value: a string, a list of strings
// or a JSON boolean (as "true" or "false").
func conditionValues(raw json.RawMessage) ([]string, error) {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return []string{fmt.Sprint(b)}, nil
	}
	return stringOrList(raw)
}

// context is a request's condition keys, lower-cased, each with its values.
type context map[string][]string

func newContext(req Request) (context, error) {
	ctx := context{}
	for k, v := range req.Context {
		key := strings.ToLower(k)
		kt, ok := keys[key]
		switch {
		case !ok:
			return nil, fmt.Errorf("policysim: request condition key %q is not modelled", k)
		case strings.HasPrefix(key, "aws:principal"):
			return nil, fmt.Errorf("policysim: %s comes from Request.Principal, not Context", k)
		case kt.typ == boolKey && v != "true" && v != "false":
			return nil, fmt.Errorf("policysim: %s is %q, not true or false", k, v)
		case kt.multi:
			ctx[key] = strings.Split(v, ",")
		default:
			ctx[key] = []string{v}
		}
	}
	if p := req.Principal; p.ARN != "" {
		account, _ := iamAccount(p.ARN) // checked by Evaluate
		ctx["aws:principalarn"], ctx["aws:principalaccount"] = []string{p.ARN}, []string{account}
	} else {
		ctx["aws:principalservicename"] = []string{p.Service}
	}
	return ctx, nil
}

// holds tells whether every condition holds for the request.
func holds(conds []condition, ctx context) bool {
	return !slices.ContainsFunc(conds, func(c condition) bool { return !c.holds(ctx[c.key]) })
}

func (c condition) holds(got []string) bool {
	matches := func(v string) bool {
		return slices.ContainsFunc(c.values, func(want string) bool { return c.op.match(want, v) })
	}
	switch c.set {
	case "ForAllValues": // true for a missing key, as for an empty set
		for _, v := range got {
			if matches(v) == c.op.negated {
				return false
			}
		}
		return true
	case "ForAnyValue":
		return slices.ContainsFunc(got, func(v string) bool { return matches(v) != c.op.negated })
	}
	if len(got) == 0 {
		return c.op.negated // a missing key: false, and true for the Not operators
	}
	return matches(got[0]) != c.op.negated
}

func (o operator) match(want, got string) bool {
	switch {
	case o.arn:
		return arnMatch(want, got)
	case o.wildcards:
		return glob(want, got, false)
	case o.ignoreCase:
		return strings.EqualFold(want, got)
	default:
		return want == got
	}
}
