package alarmsim

import (
	"fmt"
	"strings"
	"unicode"
)

// rule is a parsed composite AlarmRule; holds reports whether it is true
// for the given alarm states.
type rule interface {
	holds(state func(alarm string) State) bool
}

type (
	stateIs struct {
		alarm string // the alarm's name or resolved ARN token, as written
		want  State
	}
	constRule bool
	notRule   struct{ x rule }
	andRule   struct{ l, r rule }
	orRule    struct{ l, r rule }
)

func (s stateIs) holds(state func(string) State) bool { return state(s.alarm) == s.want }
func (c constRule) holds(func(string) State) bool     { return bool(c) }
func (n notRule) holds(state func(string) State) bool { return !n.x.holds(state) }
func (a andRule) holds(state func(string) State) bool { return a.l.holds(state) && a.r.holds(state) }
func (o orRule) holds(state func(string) State) bool  { return o.l.holds(state) || o.r.holds(state) }

// parseRule parses a composite alarm rule: ALARM(x), OK(x),
// INSUFFICIENT_DATA(x) with x an alarm name or ARN (quoted or not), TRUE,
// FALSE, NOT, AND, OR and parentheses. AND binds tighter than OR.
func parseRule(s string) (rule, []string, error) {
	rp := &ruleParser{s: s}
	r, err := rp.or()
	if err == nil {
		rp.space()
		if rp.i < len(s) {
			err = fmt.Errorf("unexpected %q", s[rp.i:])
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("alarm rule %q: %w", s, err)
	}
	return r, rp.refs, nil
}

type ruleParser struct {
	s    string
	i    int
	refs []string
}

func (p *ruleParser) space() {
	for p.i < len(p.s) && unicode.IsSpace(rune(p.s[p.i])) {
		p.i++
	}
}

// word reads the next keyword without consuming it.
func (p *ruleParser) word() string {
	p.space()
	j := p.i
	for j < len(p.s) && (unicode.IsLetter(rune(p.s[j])) || p.s[j] == '_') {
		j++
	}
	return p.s[p.i:j]
}

func (p *ruleParser) or() (rule, error) {
	l, err := p.and()
	for err == nil && p.word() == "OR" {
		p.i += 2
		var r rule
		if r, err = p.and(); err == nil {
			l = orRule{l, r}
		}
	}
	return l, err
}

func (p *ruleParser) and() (rule, error) {
	l, err := p.not()
	for err == nil && p.word() == "AND" {
		p.i += 3
		var r rule
		if r, err = p.not(); err == nil {
			l = andRule{l, r}
		}
	}
	return l, err
}

func (p *ruleParser) not() (rule, error) {
	switch w := p.word(); w {
	case "NOT":
		p.i += 3
		x, err := p.not()
		return notRule{x}, err
	case "TRUE", "FALSE":
		p.i += len(w)
		return constRule(w == "TRUE"), nil
	case "ALARM", "OK", "INSUFFICIENT_DATA":
		p.i += len(w)
		name, err := p.argument()
		if err != nil {
			return nil, err
		}
		p.refs = append(p.refs, name)
		return stateIs{alarm: name, want: State(w)}, nil
	case "":
		if p.i < len(p.s) && p.s[p.i] == '(' {
			p.i++
			r, err := p.or()
			p.space()
			if err == nil && (p.i >= len(p.s) || p.s[p.i] != ')') {
				err = fmt.Errorf("missing ) at %d", p.i)
			}
			p.i++
			return r, err
		}
	}
	return nil, fmt.Errorf("unexpected %q at %d", p.s[min(p.i, len(p.s)):], p.i)
}

// argument reads "(name)" or "(\"name\")".
func (p *ruleParser) argument() (string, error) {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		return "", fmt.Errorf("expected ( at %d", p.i)
	}
	end := strings.IndexByte(p.s[p.i:], ')')
	if end < 0 {
		return "", fmt.Errorf("missing ) at %d", p.i)
	}
	name := strings.Trim(strings.TrimSpace(p.s[p.i+1:p.i+end]), `"`)
	p.i += end + 1
	if name == "" {
		return "", fmt.Errorf("empty alarm name at %d", p.i)
	}
	return name, nil
}
