package validate

import (
	"strconv"
	"unicode/utf8"
)

// checkIJSON reports the first place where a syntactically valid JSON
// document is not an I-JSON message (RFC 7493), or nil:
//
//   - §2.1: strings (member names and values) are UTF-8 and hold no
//     surrogate code points (an escaped "\ud800" without its pair, or raw
//     bytes that encode one) and no noncharacters (U+FDD0–U+FDEF and the
//     last two code points of every plane);
//   - §2.3: no object has two members with the same name, compared after
//     unescaping ("a" and "\u0061" are the same name).
//
// encoding/json replaces invalid Unicode with U+FFFD and keeps the last of
// duplicate members, so two different bodies would decode to one value.
func checkIJSON(body []byte) *FieldError {
	s := &ijsonScanner{b: body}
	return s.value("")
}

type ijsonScanner struct {
	b []byte
	i int
}

const (
	detailUnicode   = "is not valid Unicode (I-JSON, RFC 7493 §2.1: UTF-8 without lone surrogates or noncharacters)"
	detailName      = "has a member name that is not valid Unicode (I-JSON, RFC 7493 §2.1)"
	detailDuplicate = "is a duplicate member name (I-JSON, RFC 7493 §2.3)"
)

func (s *ijsonScanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// value checks the value at s.i, whose JSON Pointer is at.
func (s *ijsonScanner) value(at string) *FieldError {
	s.space()
	if s.i >= len(s.b) {
		return nil
	}
	switch s.b[s.i] {
	case '{':
		s.i++
		names := map[string]bool{}
		for {
			s.space()
			if s.i >= len(s.b) || s.b[s.i] == '}' {
				s.i++
				return nil
			}
			if s.b[s.i] == ',' {
				s.i++
				continue
			}
			name, ok := s.str()
			if !ok {
				return &FieldError{Pointer: at, Detail: detailName}
			}
			member := at + "/" + escape(name)
			if names[name] {
				return &FieldError{Pointer: member, Detail: detailDuplicate}
			}
			names[name] = true
			s.space()
			s.i++ // ':'
			if fe := s.value(member); fe != nil {
				return fe
			}
		}
	case '[':
		s.i++
		for n := 0; ; {
			s.space()
			if s.i >= len(s.b) || s.b[s.i] == ']' {
				s.i++
				return nil
			}
			if s.b[s.i] == ',' {
				s.i++
				continue
			}
			if fe := s.value(at + "/" + strconv.Itoa(n)); fe != nil {
				return fe
			}
			n++
		}
	case '"':
		if _, ok := s.str(); !ok {
			return &FieldError{Pointer: at, Detail: detailUnicode}
		}
	default: // number, true, false, null
		for s.i < len(s.b) && !isDelimiter(s.b[s.i]) {
			s.i++
		}
	}
	return nil
}

func isDelimiter(c byte) bool {
	return c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// str reads the string at s.i (its opening quote) and returns it
// unescaped; ok is false when it is not valid I-JSON Unicode. The string
// is read to its end either way.
func (s *ijsonScanner) str() (string, bool) {
	s.i++ // opening quote
	var out []rune
	ok := true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return string(out), ok
		case c == '\\':
			r, valid := s.escaped()
			ok = ok && valid && allowed(r)
			out = append(out, r)
		case c < utf8.RuneSelf:
			out = append(out, rune(c))
			s.i++
		default:
			r, size := utf8.DecodeRune(s.b[s.i:])
			// DecodeRune refuses encoded surrogates as it does any invalid
			// byte sequence: RuneError of size 1.
			ok = ok && !(r == utf8.RuneError && size == 1) && allowed(r)
			out = append(out, r)
			s.i += size
		}
	}
	return string(out), ok
}

// escaped reads the escape at s.i ("\n", "\u00e9", a "\ud83d\ude00"
// pair); valid is false for a surrogate that is not half of a pair.
func (s *ijsonScanner) escaped() (rune, bool) {
	s.i++ // backslash
	c := s.b[s.i]
	s.i++
	switch c {
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'u':
	default: // '"', '\\', '/'
		return rune(c), true
	}
	hi := s.hex4()
	switch {
	case hi >= 0xDC00 && hi <= 0xDFFF:
		return utf8.RuneError, false
	case hi < 0xD800 || hi > 0xDBFF:
		return hi, true
	}
	if s.i+6 > len(s.b) || s.b[s.i] != '\\' || s.b[s.i+1] != 'u' {
		return utf8.RuneError, false
	}
	save := s.i
	s.i += 2
	lo := s.hex4()
	if lo < 0xDC00 || lo > 0xDFFF {
		s.i = save // the next escape is read on its own
		return utf8.RuneError, false
	}
	return 0x10000 + (hi-0xD800)<<10 + (lo - 0xDC00), true
}

// hex4 reads four hex digits (json.Valid has checked them).
func (s *ijsonScanner) hex4() rune {
	v, _ := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 16)
	s.i += 4
	return rune(v)
}

// allowed is false for noncharacters (Unicode §23.7): U+FDD0–U+FDEF and
// U+xxFFFE, U+xxFFFF in every plane.
func allowed(r rune) bool {
	return !(r >= 0xFDD0 && r <= 0xFDEF) && r&0xFFFE != 0xFFFE
}
