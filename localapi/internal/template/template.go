// Package template holds the resources of the templates the local
// environment runs, with their intrinsic functions resolved as
// CloudFormation documents them (cdktest/cfnref) to the names, URLs and ARNs
// the local environment really gave each resource, and the few helpers every
// part of the local environment shares to read them.
package template

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/acme/customers-api/cdktest/cfnref"
)

// Resource is one resource of a synthesized template.
type Resource = cfnref.Resource

// Assembly is the resources of every template in a cloud assembly
// directory (cdk.out). Values resolve lazily, so that a property using an
// intrinsic function cfnref does not model fails only when it is needed.
type Assembly struct {
	*cfnref.Templates
}

// Load reads every *.template.json in dir whose stack name starts with
// prefix ("" for every stack).
func Load(dir, prefix string) (*Assembly, error) {
	ts, err := cfnref.Load(dir, prefix)
	if err != nil {
		return nil, err
	}
	return &Assembly{Templates: ts}, nil
}

// Record records the values the local environment gave r, as attribute,
// value pairs ("" is Ref).
func (a *Assembly) Record(r Resource, attrValues ...string) error {
	for i := 0; i+1 < len(attrValues); i += 2 {
		if err := a.Assign(r, attrValues[i], attrValues[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// Decode resolves a property and decodes it into out (SDK types share the
// CloudFormation property names). An absent property leaves out alone.
func (a *Assembly) Decode(r Resource, prop string, out any) error {
	v, ok := r.Properties[prop]
	if !ok {
		return nil
	}
	resolved, err := a.Value(r.Stack, v)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(resolved)
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("localapi: %s %s: %w", r.Key(), prop, err)
	}
	return nil
}

// QueueURL is the URL of the provisioned queue with this ARN, or "".
func (a *Assembly) QueueURL(arn string) string {
	for _, q := range a.Resources("AWS::SQS::Queue") {
		if got, err := a.GetAtt(q, "Arn"); err == nil && got == arn {
			url, _ := a.Ref(q)
			return url
		}
	}
	return ""
}

// FunctionARN turns a function name, ARN or qualified name into the
// unqualified ARN of the function.
func (a *Assembly) FunctionARN(fn string) string {
	if !strings.HasPrefix(fn, "arn:") {
		fn = a.Arn("lambda", "function:"+fn)
	}
	return Unqualified(fn)
}

// Unqualified strips an alias or version from a function ARN: the local
// environment runs one version of each function, the one in the template.
func Unqualified(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) == 8 {
		return strings.Join(parts[:7], ":")
	}
	return arn
}

// ShortHash is 12 hex digits of s's SHA-256: a stable local id derived from
// a resource's key.
func ShortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

// RandomString is n random letters and digits, for the values AWS
// generates when it creates a resource (API key values, client secrets,
// token ids).
func RandomString(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
