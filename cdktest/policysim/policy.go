package policysim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Policy is a parsed IAM policy document, identity-based or resource-based.
type Policy struct {
	statements []statement
}

type statement struct {
	sid        string
	allow      bool
	principal  *principals // nil when the statement has no Principal
	actions    []string
	resources  []string // nil: the resource the policy is attached to
	conditions []condition
}

// principals is a statement's Principal element.
type principals struct {
	all      bool
	aws      []string
	services []string
}

// Parse reads a policy document ("IAM JSON policy element reference",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html).
// An element, operator or key it does not model is an error.
func Parse(doc []byte) (*Policy, error) {
	var raw map[string]json.RawMessage
	if err := strictUnmarshal(doc, &raw); err != nil {
		return nil, fmt.Errorf("policysim: policy: %w", err)
	}
	for k := range raw {
		if k != "Version" && k != "Id" && k != "Statement" {
			return nil, fmt.Errorf("policysim: policy element %q is not modelled", k)
		}
	}
	var version string
	if err := json.Unmarshal(raw["Version"], &version); err != nil || version != "2012-10-17" {
		return nil, fmt.Errorf("policysim: policy Version %s: only 2012-10-17 is modelled", raw["Version"])
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw["Statement"], &list); err != nil {
		list = []json.RawMessage{raw["Statement"]} // a single statement object
	}
	p := &Policy{}
	for i, r := range list {
		s, err := parseStatement(r)
		if err != nil {
			return nil, fmt.Errorf("policysim: statement %d: %w", i, err)
		}
		p.statements = append(p.statements, s)
	}
	if len(p.statements) == 0 {
		return nil, fmt.Errorf("policysim: policy has no Statement")
	}
	return p, nil
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

func parseStatement(r json.RawMessage) (statement, error) {
	var raw map[string]json.RawMessage
	if err := strictUnmarshal(r, &raw); err != nil {
		return statement{}, err
	}
	s := statement{}
	for k, v := range raw {
		var err error
		switch k {
		case "Sid":
			err = json.Unmarshal(v, &s.sid)
		case "Effect":
			var effect string
			if err = json.Unmarshal(v, &effect); err == nil && effect != "Allow" && effect != "Deny" {
				err = fmt.Errorf("%q is neither Allow nor Deny", effect)
			}
			s.allow = effect == "Allow"
		case "Principal":
			s.principal, err = parsePrincipal(v)
		case "Action":
			s.actions, err = stringOrList(v)
			for _, a := range s.actions {
				if a != "*" && !actionPattern.MatchString(a) {
					err = fmt.Errorf("%q is not service:operation", a)
				}
			}
		case "Resource":
			s.resources, err = stringOrList(v)
			for _, res := range s.resources {
				if res != "*" && len(strings.SplitN(res, ":", 6)) != 6 {
					err = fmt.Errorf("%q is neither * nor an ARN", res)
				}
			}
		case "Condition":
			s.conditions, err = parseConditions(v)
		default:
			err = fmt.Errorf("element %q is not modelled", k)
		}
		if err != nil {
			return s, fmt.Errorf("%s: %w", k, err)
		}
	}
	if raw["Effect"] == nil || len(s.actions) == 0 {
		return s, fmt.Errorf("needs Effect and Action")
	}
	return s, nil
}

var (
	actionPattern = regexp.MustCompile(`^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$`)
	// principalARN is an account root, IAM role or IAM user ARN, without
	// wildcards (which Principal does not accept apart from "*").
	principalARN = regexp.MustCompile(`^arn:aws:iam::[0-9]{12}:(root|role/[\w+=,.@/-]+|user/[\w+=,.@/-]+)$`)
	accountID    = regexp.MustCompile(`^[0-9]{12}$`)
)

func parsePrincipal(v json.RawMessage) (*principals, error) {
	var all string
	if json.Unmarshal(v, &all) == nil {
		if all != "*" {
			return nil, fmt.Errorf("%q: a string Principal must be *", all)
		}
		return &principals{all: true}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, err
	}
	p := &principals{}
	for k, raw := range m {
		values, err := stringOrList(raw)
		if err != nil {
			return nil, err
		}
		switch k {
		case "AWS":
			for _, a := range values {
				switch {
				case a == "*":
					p.all = true
				case accountID.MatchString(a) || principalARN.MatchString(a):
					p.aws = append(p.aws, a)
				default:
					return nil, fmt.Errorf("AWS principal %q is not modelled", a)
				}
			}
		case "Service":
			p.services = append(p.services, values...)
		default:
			return nil, fmt.Errorf("%s principals are not modelled", k)
		}
	}
	return p, nil
}

// stringOrList reads a string or a non-empty list of strings without
// policy variables.
func stringOrList(v json.RawMessage) ([]string, error) {
	var one string
	if json.Unmarshal(v, &one) == nil {
		v = json.RawMessage(`[` + string(v) + `]`)
	}
	var list []string
	if err := json.Unmarshal(v, &list); err != nil {
		return nil, fmt.Errorf("%s is not a string or a list of strings", v)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("empty list")
	}
	for _, s := range list {
		if strings.Contains(s, "${") {
			return nil, fmt.Errorf("%q: policy variables are not modelled", s)
		}
	}
	return list, nil
}

// grant evaluates the policy's statements that apply to the request.
// resourceBased tells whether it is the target's policy (statements need a
// Principal) or an identity-based one (statements must not have one).
func (p *Policy) grant(req Request, ctx context, who Principal, account string, resourceBased bool) (grant, error) {
	var g grant
	for _, s := range p.statements {
		if (s.principal != nil) != resourceBased {
			return g, fmt.Errorf("policysim: statement %q: a resource-based statement needs a Principal, an identity-based one has none", s.sid)
		}
		if s.resources == nil && !resourceBased {
			return g, fmt.Errorf("policysim: identity-based statement %q has no Resource", s.sid)
		}
		direct, viaAccount := true, false
		if s.principal != nil {
			direct, viaAccount = s.principal.match(who, account)
		}
		if !(direct || viaAccount) || !s.matchAction(req.Action) || !s.matchResource(req.Resource) {
			continue
		}
		switch {
		case !holds(s.conditions, ctx):
		case !s.allow:
			g.deny = true // a Deny that names the account applies to its principals too
		case direct:
			g.direct = true
		default:
			g.account = true
		}
	}
	return g, nil
}

// match tells whether the Principal element names who directly, or names
// who's account (which only delegates to its identity-based policies).
func (p *principals) match(who Principal, account string) (direct, viaAccount bool) {
	if p.all {
		return true, false
	}
	if who.Service != "" {
		return slices.Contains(p.services, who.Service), false
	}
	for _, a := range p.aws {
		switch a {
		case who.ARN:
			direct = true
		case account, "arn:aws:iam::" + account + ":root":
			viaAccount = true
		}
	}
	return direct, viaAccount
}

func (s statement) matchAction(action string) bool {
	return slices.ContainsFunc(s.actions, func(pattern string) bool { return glob(pattern, action, true) })
}

func (s statement) matchResource(arn string) bool {
	if s.resources == nil {
		return true // the resource the policy is attached to
	}
	return slices.ContainsFunc(s.resources, func(pattern string) bool { return pattern == "*" || arnMatch(pattern, arn) })
}

// arnMatch matches the six colon-separated segments of an ARN one by one,
// with * and ? inside each ("Condition operators", ARN condition
// operators).
func arnMatch(pattern, arn string) bool {
	ps, as := strings.SplitN(pattern, ":", 6), strings.SplitN(arn, ":", 6)
	if len(ps) != 6 || len(as) != 6 {
		return false
	}
	for i := range ps {
		if !glob(ps[i], as[i], false) {
			return false
		}
	}
	return true
}

// glob matches s against pattern, where * is any run of characters and ?
// one character.
func glob(pattern, s string, ignoreCase bool) bool {
	if ignoreCase {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	p, r := []rune(pattern), []rune(s)
	// star is the pattern index after the last *, and mark where in s it
	// started matching; on a mismatch the * takes one more character.
	star, mark, i, j := -1, 0, 0, 0
	for j < len(r) {
		switch {
		case i < len(p) && (p[i] == '?' || p[i] == r[j]):
			i, j = i+1, j+1
		case i < len(p) && p[i] == '*':
			star, mark, i = i+1, j, i+1
		case star >= 0:
			mark++
			i, j = star, mark
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}
