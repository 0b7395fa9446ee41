package alarmsim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// expr is a parsed metric math expression, evaluated one datapoint at a
// time: value returns the expression's value at one timestamp, or ok=false
// where it has none.
type expr interface {
	value(vars func(id string) (float64, bool)) (float64, bool)
}

type (
	number float64
	ident  string
	unary  struct {
		op string
		x  expr
	}
	binary struct {
		op   string
		l, r expr
	}
	call struct {
		fn   string
		args []expr
	}
)

func (n number) value(func(string) (float64, bool)) (float64, bool) { return float64(n), true }
func (i ident) value(vars func(string) (float64, bool)) (float64, bool) {
	return vars(string(i))
}

func (u unary) value(vars func(string) (float64, bool)) (float64, bool) {
	x, ok := u.x.value(vars)
	if !ok {
		return 0, false
	}
	if u.op == "-" {
		return -x, true
	}
	return boolf(x == 0), true // NOT
}

func (b binary) value(vars func(string) (float64, bool)) (float64, bool) {
	l, okl := b.l.value(vars)
	r, okr := b.r.value(vars)
	if !okl || !okr {
		return 0, false
	}
	switch b.op {
	case "+":
		return l + r, true
	case "-":
		return l - r, true
	case "*":
		return l * r, true
	case "/":
		if r == 0 {
			return 0, false
		}
		return l / r, true
	case ">":
		return boolf(l > r), true
	case "<":
		return boolf(l < r), true
	case ">=":
		return boolf(l >= r), true
	case "<=":
		return boolf(l <= r), true
	case "==":
		return boolf(l == r), true
	case "!=":
		return boolf(l != r), true
	case "AND":
		return boolf(l != 0 && r != 0), true
	default: // OR
		return boolf(l != 0 || r != 0), true
	}
}

func (c call) value(vars func(string) (float64, bool)) (float64, bool) {
	switch c.fn {
	case "IF":
		cond, ok := c.args[0].value(vars)
		if !ok {
			return 0, false
		}
		if cond != 0 {
			return c.args[1].value(vars)
		}
		if len(c.args) == 3 {
			return c.args[2].value(vars)
		}
		return 0, false
	case "FILL":
		if v, ok := c.args[0].value(vars); ok {
			return v, true
		}
		return c.args[1].value(vars)
	default: // ABS
		v, ok := c.args[0].value(vars)
		return math.Abs(v), ok
	}
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// arity is how many arguments each supported function takes (min, max).
var arity = map[string][2]int{"IF": {2, 3}, "FILL": {2, 2}, "ABS": {1, 1}}

// parseExpr parses the subset of CloudWatch metric math this package
// evaluates: numbers, metric ids, + - * /, comparisons, AND/&&, OR/||,
// NOT/!, parentheses, and the functions IF, FILL (with a constant) and ABS.
func parseExpr(s string) (expr, error) {
	p := &parser{toks: tokenize(s)}
	e, err := p.or()
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", s, err)
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("expression %q: unexpected %q", s, p.toks[p.pos])
	}
	return e, nil
}

func tokenize(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case unicode.IsLetter(c) || c == '_' || unicode.IsDigit(c) || c == '.':
			j := i
			for j < len(s) && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || s[j] == '_' || s[j] == '.') {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			if i+1 < len(s) && strings.Contains(">= <= == != && ||", s[i:i+2]) {
				toks = append(toks, s[i:i+2])
				i += 2
			} else {
				toks = append(toks, s[i:i+1])
				i++
			}
		}
	}
	return toks
}

type parser struct {
	toks []string
	pos  int
}

func (p *parser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *parser) next() string { t := p.peek(); p.pos++; return t }

func (p *parser) binaryLevel(ops map[string]string, lower func() (expr, error)) (expr, error) {
	l, err := lower()
	if err != nil {
		return nil, err
	}
	for {
		op, ok := ops[strings.ToUpper(p.peek())]
		if !ok {
			return l, nil
		}
		p.next()
		r, err := lower()
		if err != nil {
			return nil, err
		}
		l = binary{op, l, r}
	}
}

func (p *parser) or() (expr, error) {
	return p.binaryLevel(map[string]string{"OR": "OR", "||": "OR"}, p.and)
}

func (p *parser) and() (expr, error) {
	return p.binaryLevel(map[string]string{"AND": "AND", "&&": "AND"}, p.comparison)
}

func (p *parser) comparison() (expr, error) {
	return p.binaryLevel(map[string]string{">": ">", "<": "<", ">=": ">=", "<=": "<=", "==": "==", "!=": "!="}, p.sum)
}

func (p *parser) sum() (expr, error) {
	return p.binaryLevel(map[string]string{"+": "+", "-": "-"}, p.product)
}

func (p *parser) product() (expr, error) {
	return p.binaryLevel(map[string]string{"*": "*", "/": "/"}, p.unary)
}

func (p *parser) unary() (expr, error) {
	switch t := strings.ToUpper(p.peek()); t {
	case "-", "!", "NOT":
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		if t != "-" {
			t = "NOT"
		}
		return unary{t, x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (expr, error) {
	t := p.next()
	switch {
	case t == "":
		return nil, fmt.Errorf("unexpected end")
	case t == "(":
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next() != ")" {
			return nil, fmt.Errorf("missing )")
		}
		return e, nil
	case unicode.IsDigit(rune(t[0])) || t[0] == '.':
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q", t)
		}
		return number(f), nil
	case unicode.IsLetter(rune(t[0])) || t[0] == '_':
		if p.peek() != "(" {
			return ident(t), nil
		}
		fn := strings.ToUpper(t)
		n, ok := arity[fn]
		if !ok {
			return nil, fmt.Errorf("function %s is not supported by the simulator", t)
		}
		p.next()
		var args []expr
		for p.peek() != ")" {
			a, err := p.or()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if p.peek() == "," {
				p.next()
			} else if p.peek() != ")" {
				return nil, fmt.Errorf("expected , or ) in %s(...)", t)
			}
		}
		p.next()
		if len(args) < n[0] || len(args) > n[1] {
			return nil, fmt.Errorf("%s takes %d to %d arguments, not %d", fn, n[0], n[1], len(args))
		}
		if _, isNum := args[len(args)-1].(number); fn == "FILL" && !isNum {
			return nil, fmt.Errorf("FILL with a non-constant value is not supported")
		}
		return call{fn, args}, nil
	}
	return nil, fmt.Errorf("unexpected %q", t)
}
