package gateway

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/acme/customers-api/cdktest/policysim"
	"github.com/acme/customers-api/localapi/internal/template"
)

// caller is an IAM role of the templates that the local environment gave
// an access key: requests signed with it are the role's. There is no STS:
// the key stands for the role itself, not for a session of it.
type caller struct {
	arn, name         string
	accessKey, secret string
	identity          []*policysim.Policy
}

// sigV4Skew is how far X-Amz-Date may be from the gateway's clock: "the
// request must reach AWS within five minutes of the time stamp in the
// request" ("Elements of an AWS API request signature", Signature Version 4,
// IAM User Guide).
const sigV4Skew = 5 * time.Minute

// loadCallers gives every IAM role of the templates an access key, with
// its identity-based policies (policysim.IdentityPolicies).
func (g *Gateway) loadCallers() error {
	identity, err := policysim.IdentityPolicies(g.assembly.Templates)
	if err != nil {
		return fmt.Errorf("localapi: the IAM-authorized methods need every role's policies: %w", err)
	}
	g.callers = map[string]*caller{}
	for _, r := range g.assembly.Resources("AWS::IAM::Role") {
		arn, err := g.assembly.GetAtt(r, "Arn")
		if err != nil {
			return err
		}
		c := &caller{arn: arn, name: r.LogicalID, accessKey: "AKIALOCAL" + strings.ToUpper(template.RandomString(11)), secret: template.RandomString(40), identity: identity[arn]}
		g.callers[c.accessKey] = c
	}
	return nil
}

// Credentials returns the access key the local gateway accepts for the IAM
// role with this logical id, role name or ARN; sign requests to
// IAM-authorized methods with it (service "execute-api", the templates'
// region). The role's identity-based policies of the templates decide
// what it may invoke.
func (g *Gateway) Credentials(role string) (aws.Credentials, error) {
	for _, c := range g.callers {
		if role == c.name || role == c.arn || strings.HasSuffix(c.arn, ":role/"+role) {
			return aws.Credentials{AccessKeyID: c.accessKey, SecretAccessKey: c.secret, Source: "localapi"}, nil
		}
	}
	return aws.Credentials{}, fmt.Errorf("localapi: no IAM role %q in the templates (or no IAM-authorized method)", role)
}

// sigV4 is an Authorization header of Signature Version 4: "AWS4-HMAC-SHA256
// Credential=KEY/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b,
// Signature=HEX" ("Create a signed AWS API request", IAM User Guide).
type sigV4 struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

func parseSigV4(header string) (sigV4, bool) {
	rest, ok := strings.CutPrefix(header, "AWS4-HMAC-SHA256 ")
	if !ok {
		return sigV4{}, false
	}
	var s sigV4
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 || scope[4] != "aws4_request" {
				return sigV4{}, false
			}
			s.accessKey, s.date, s.region, s.service = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			s.signedHeaders = strings.Split(v, ";")
		case "Signature":
			s.signature = v
		}
	}
	return s, s.accessKey != "" && len(s.signedHeaders) > 0 && s.signature != ""
}

// authorizeIAM authorizes an AWS_IAM method as API Gateway does ("Control
// access to a REST API with IAM permissions", API Gateway developer guide):
// the request must be signed with Signature Version 4 for the service
// execute-api in the API's region, by a known access key, within the
// allowed clock skew, and the signature must be the one the SDK's signer
// computes for the same request and key (recomputed and compared); then
// the caller's identity-based policies must allow execute-api:Invoke on
// the method's ARN (evaluated with cdktest/policysim). It returns the
// caller, or the gateway response type and message that refuse it.
// Temporary credentials (X-Amz-Security-Token) and presigned URLs are not
// modelled and are refused.
func (g *Gateway) authorizeIAM(r *http.Request, rc *requestContext, body []byte) (*caller, string, string) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, missingAuthToken, ""
	}
	sig, ok := parseSigV4(header)
	if !ok {
		return nil, invalidSignature, "Authorization header requires Credential, SignedHeaders and Signature (AWS4-HMAC-SHA256)"
	}
	c := g.callers[sig.accessKey]
	switch {
	case c == nil:
		return nil, invalidSignature, "The security token included in the request is invalid."
	case r.Header.Get("X-Amz-Security-Token") != "":
		return nil, invalidSignature, "temporary credentials (X-Amz-Security-Token) are not modelled by the local gateway"
	case sig.service != "execute-api" || sig.region != g.assembly.Region:
		return nil, invalidSignature, fmt.Sprintf("Credential should be scoped to a valid region and service execute-api, not %s/%s", sig.region, sig.service)
	}
	signed, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || signed.Format("20060102") != sig.date {
		return nil, invalidSignature, "X-Amz-Date is missing or does not match the credential's date"
	}
	if skew := rc.start.Sub(signed); skew > sigV4Skew || skew < -sigV4Skew {
		return nil, invalidSignature, "Signature expired: " + r.Header.Get("X-Amz-Date") + " is outside five minutes of the gateway's time"
	}
	if !slices.Contains(sig.signedHeaders, "host") || !slices.Contains(sig.signedHeaders, "x-amz-date") {
		return nil, invalidSignature, "SignedHeaders must include host and x-amz-date"
	}
	if want, err := recomputeSignature(r, body, sig, c, signed); err != nil || !hmac.Equal([]byte(want), []byte(sig.signature)) {
		return nil, invalidSignature, "The request signature we calculated does not match the signature you provided."
	}
	resource := g.methodARN(rc.verb, rc.path)
	d, err := policysim.Evaluate(policysim.Request{
		Principal: policysim.Principal{ARN: c.arn, Identity: c.identity}, Action: "execute-api:Invoke", Resource: resource,
	}, policysim.Target{Account: g.assembly.Account})
	if err != nil {
		fmt.Fprintf(g.opts.Logs, "local: %s: the policies of %s are not modelled: %v\n", rc.requestID, c.arn, err)
		return nil, authorizerConfigurationError, ""
	}
	if d != policysim.Allow {
		msg := "User: " + c.arn + " is not authorized to perform: execute-api:Invoke on resource: " + resource
		if d == policysim.ExplicitDeny {
			msg += " with an explicit deny"
		}
		return nil, accessDenied, msg
	}
	return c, "", ""
}

// recomputeSignature signs a copy of the request holding only the headers
// the caller signed, with the caller's key and the request's own time, and
// returns the signature.
func recomputeSignature(r *http.Request, body []byte, sig sigV4, c *caller, signed time.Time) (string, error) {
	req, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	if err != nil {
		return "", err
	}
	for _, h := range sig.signedHeaders {
		switch h {
		case "host":
		case "content-length":
			req.ContentLength = int64(len(body))
		default:
			req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	creds := aws.Credentials{AccessKeyID: c.accessKey, SecretAccessKey: c.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payload, "execute-api", sig.region, signed); err != nil {
		return "", err
	}
	got, ok := parseSigV4(req.Header.Get("Authorization"))
	sort.Strings(got.signedHeaders)
	want := slices.Sorted(slices.Values(sig.signedHeaders))
	if !ok || !slices.Equal(got.signedHeaders, want) {
		return "", fmt.Errorf("signed headers %v, recomputed over %v", want, got.signedHeaders)
	}
	return got.signature, nil
}

// methodARN is the execute-api ARN of a request:
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH, the path
// without its leading slash ("Control access to a REST API with IAM
// permissions", execute-api ARN format).
func (g *Gateway) methodARN(verb, path string) string {
	return fmt.Sprintf("arn:%s:execute-api:%s:%s:%s/%s/%s/%s", g.assembly.Partition, g.assembly.Region, g.assembly.Account, g.apiID, g.stage, verb, strings.TrimPrefix(path, "/"))
}
