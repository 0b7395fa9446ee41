package customers

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// E-mail address limits, in octets of the address as sent over SMTP (the
// domain in its A-label, ASCII form).
const (
	// MaxLocalPart is RFC 5321 §4.5.3.1.1's limit on the local part.
	MaxLocalPart = 64
	// MaxDomain is RFC 5321 §4.5.3.1.2's limit on the domain; DNS (RFC 1035
	// §2.3.4, as idna's VerifyDNSLength checks) allows 253 without the root.
	MaxDomain = 255
	// MaxAddress is the longest address that fits the 256-octet
	// Forward-path of RFC 5321 §4.5.3.1.3 with its angle brackets (RFC
	// 3696 §3 as corrected by erratum 1690).
	MaxAddress = 254
)

// domainProfile is IDNA2008 as UTS #46 applies it to a domain that is
// looked up (golang.org/x/net/idna): mapped (case-folded, NFC), no
// transitional mapping, labels checked against IDNA2008's tables and the
// Bidi and ContextJ rules, STD3 host names (letters, digits and hyphens,
// no hyphen first or last) and DNS lengths (labels of 1 to 63 octets).
var domainProfile = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.BidiRule(),
	idna.ValidateLabels(true), idna.StrictDomainName(true), idna.VerifyDNSLength(true))

// Why an address is refused; none quotes the address.
var (
	errInvisible    = errors.New("must not contain control, format, private-use or space characters")
	errNotPlain     = errors.New("must be a plain e-mail address: local-part@domain")
	errQuoted       = errors.New("must not have a quoted local part")
	errLiteral      = errors.New("must name a domain, not an address literal")
	errLocalPart    = errors.New("must have a local part of dot-separated atoms of at most 64 octets")
	errDomain       = errors.New("must have a domain of at least two labels of letters, digits and hyphens, each at most 63 octets (IDNA2008 for non-ASCII)")
	errAddressLimit = errors.New("must be at most 254 octets")
)

// NormalizeEmail returns the stored form of an e-mail address, or an error
// saying which rule it breaks. The rules are those of a deliverable
// mailbox:
//
//   - surrounding white space is trimmed; after that no control, format
//     (for example U+200B ZERO WIDTH SPACE), private-use, surrogate or
//     separator character may appear anywhere;
//   - exactly one "@";
//   - the local part is a Dot-string (RFC 5321 §4.1.2): atoms of RFC 5322
//     §3.2.3 atext, which RFC 6531 §3.3 extends with non-ASCII UTF-8,
//     joined by single dots; at most 64 octets. Quoted local parts are
//     refused: RFC 5321 §4.1.2 asks hosts not to define mailboxes that
//     need them. It is stored in NFC (RFC 6532 §3.1), so canonically
//     equivalent spellings are one address (the Kelvin sign U+212A is K),
//     with ASCII letters lower-cased and no other case folding: Unicode
//     case folding would merge mailboxes a server may keep apart (the long
//     s U+017F is not s);
//   - the domain is a host name of at least two labels, not an address
//     literal ("[192.0.2.1]", RFC 5321 §4.1.3: a customer's address names
//     a domain). A non-ASCII domain is converted by IDNA2008 (domainProfile)
//     and stored as its U-label form, lower-case, so that every spelling
//     of one domain is one address;
//   - the domain is at most 255 octets and the address at most 254, both
//     counted with the domain's A-labels.
func NormalizeEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	if !utf8.ValidString(email) || strings.ContainsFunc(email, invisible) {
		return "", errInvisible
	}
	local, domain, ok := strings.Cut(email, "@")
	switch {
	case strings.HasPrefix(local, `"`):
		return "", errQuoted
	case strings.HasPrefix(domain, "["):
		return "", errLiteral
	case !ok || strings.Contains(domain, "@"):
		return "", errNotPlain
	}
	local = asciiLower(norm.NFC.String(local))
	if len(local) > MaxLocalPart || !dotString(local) {
		return "", errLocalPart
	}
	ascii, err := domainProfile.ToASCII(domain)
	if err != nil || !strings.Contains(ascii, ".") || len(ascii) > MaxDomain {
		return "", errDomain
	}
	if len(local)+1+len(ascii) > MaxAddress {
		return "", errAddressLimit
	}
	unicodeDomain, err := domainProfile.ToUnicode(ascii)
	if err != nil {
		return "", errDomain
	}
	return local + "@" + unicodeDomain, nil
}

// invisible is true for characters no address may hold: Unicode's Other
// (control, format, private use, surrogate) and Separator categories.
func invisible(r rune) bool { return unicode.In(r, unicode.C, unicode.Z) }

// dotString reports whether s is atoms of atext joined by single dots (RFC
// 5321 §4.1.2 Dot-string; RFC 5322 §3.2.3 atext; RFC 6531 §3.3 adds
// UTF8-non-ascii).
func dotString(s string) bool {
	for _, atom := range strings.Split(s, ".") {
		if atom == "" {
			return false
		}
		for _, r := range atom {
			if !atext(r) {
				return false
			}
		}
	}
	return true
}

func atext(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
		strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r) || r >= utf8.RuneSelf
}
