package customers

import (
	"strings"
	"testing"
)

// The rules of a deliverable address (see NormalizeEmail): one per row,
// with the stored form of each accepted address or the rule that refuses it.
func TestEmailAddressesFollowTheRulesOfADeliverableMailbox(t *testing.T) {
	label := func(n int) string { return strings.Repeat("d", n) }
	for _, tc := range []struct {
		name, in, want string
		err            error
	}{
		{"ASCII letters are lower-cased", "Ada@Example.COM", "ada@example.com", nil},
		{"surrounding space is trimmed", "  ada@example.com\t", "ada@example.com", nil},
		{"sub-addressing and atext punctuation", "First.Last+tag!#$%&'*/=?^_`{|}~-@example.co.uk", "first.last+tag!#$%&'*/=?^_`{|}~-@example.co.uk", nil},
		{"the Kelvin sign is canonically K (NFC), so it is k", "\u212Aelvin@example.com", "kelvin@example.com", nil},
		{"other letters are not case-folded", "Ädam@example.com", "Ädam@example.com", nil},
		{"the long s is not folded to s (it is no canonical equivalent)", "\u017fam@example.com", "\u017fam@example.com", nil},
		{"a non-ASCII local part (RFC 6531)", "用户@example.com", "用户@example.com", nil},
		{"a local part in NFD is stored in NFC", "jose\u0301@example.com", "jos\u00e9@example.com", nil},
		{"an internationalized domain, upper case", "ada@BÜCHER.example", "ada@bücher.example", nil},
		{"the same domain as its A-label", "ada@xn--bcher-kva.example", "ada@bücher.example", nil},
		{"the same domain in NFD", "ada@bu\u0308cher.example", "ada@bücher.example", nil},
		{"the Kelvin sign in a domain is mapped, as IDNA does", "ada@\u212Aelvin.example", "ada@kelvin.example", nil},
		{"a 64-octet local part", label(64) + "@example.com", label(64) + "@example.com", nil},
		{"a 63-octet label", "ada@" + label(63) + ".com", "ada@" + label(63) + ".com", nil},
		{"an address of 254 octets", label(64) + "@" + label(63) + "." + label(63) + "." + label(61), label(64) + "@" + label(63) + "." + label(63) + "." + label(61), nil},

		{"a zero-width space before the local part", "\u200bada@example.com", "", errInvisible},
		{"a zero-width joiner in the domain", "ada@exam\u200dple.com", "", errInvisible},
		{"a soft hyphen", "ad\u00ada@example.com", "", errInvisible},
		{"a byte-order mark", "\ufeffada@example.com", "", errInvisible},
		{"a right-to-left override", "ada\u202e@example.com", "", errInvisible},
		{"a space inside", "ada lovelace@example.com", "", errInvisible},
		{"a no-break space inside", "ada\u00a0x@example.com", "", errInvisible},
		{"an ideographic space inside", "ada\u3000x@example.com", "", errInvisible},
		{"a tab inside", "ada\tx@example.com", "", errInvisible},
		{"a NUL", "ad\x00a@example.com", "", errInvisible},
		{"a private-use character", "\ue000@example.com", "", errInvisible},
		{"invalid UTF-8", "ad\xffa@example.com", "", errInvisible},
		{"a tag character (plane 14)", "ada\U000E0041@example.com", "", errInvisible},
		{"a quoted local part", `"ada"@example.com`, "", errQuoted},
		{"an IPv4 address literal", "ada@[192.0.2.1]", "", errLiteral},
		{"an IPv6 address literal", "ada@[IPv6:2001:db8::1]", "", errLiteral},
		{"no @", "ada.example.com", "", errNotPlain},
		{"two @", "ada@b@example.com", "", errNotPlain},
		{"an empty local part", "@example.com", "", errLocalPart},
		{"a leading dot", ".ada@example.com", "", errLocalPart},
		{"a trailing dot", "ada.@example.com", "", errLocalPart},
		{"two dots", "a..da@example.com", "", errLocalPart},
		{"a character outside atext", "a(b)@example.com", "", errLocalPart},
		{"a 65-octet local part", label(65) + "@example.com", "", errLocalPart},
		{"33 two-octet characters: 66 octets", strings.Repeat("é", 33) + "@example.com", "", errLocalPart},
		{"a domain of one label", "ada@example", "", errDomain},
		{"an empty label", "ada@b..co", "", errDomain},
		{"a hyphen first", "ada@-example.com", "", errDomain},
		{"a hyphen last", "ada@example-.com", "", errDomain},
		{"an underscore", "ada@ex_ample.com", "", errDomain},
		{"a 64-octet label", "ada@" + label(64) + ".com", "", errDomain},
		{"a label mixing right-to-left and left-to-right (Bidi rule)", "ada@\u05d0a.example", "", errDomain},
		{"a domain over 253 octets", "a@" + strings.Repeat(label(63)+".", 4) + "com", "", errDomain},
		{"an address of 255 octets", label(64) + "@" + label(63) + "." + label(63) + "." + label(62), "", errAddressLimit},
		{"an address of 255 octets once the domain is in A-labels", label(64) + "@" + label(63) + "." + label(63) + ".bücher" + label(49), "", errAddressLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeEmail(tc.in)
			if got != tc.want || err != tc.err {
				t.Errorf("NormalizeEmail(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
			}
			if err == nil {
				if again, err := NormalizeEmail(got); again != got || err != nil {
					t.Errorf("the stored form %q is not a fixed point: %q, %v", got, again, err)
				}
			}
		})
	}
}
