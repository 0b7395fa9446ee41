package orders

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Environment variables of the partner authorizer.
const (
	// PartnerTokensEnv lists the partners and the SHA-256 of each one's
	// token, base64url without padding: "acme=n4bQ…,globex=YDA6…". Only
	// digests are configured, so the environment holds no secret.
	PartnerTokensEnv = "PARTNER_TOKEN_SHA256"
	// SuspendedPartnersEnv lists partners whose calls are denied (403),
	// comma-separated.
	SuspendedPartnersEnv = "SUSPENDED_PARTNERS"
)

// errUnauthorized is the error message API Gateway answers with 401
// ("Use API Gateway Lambda authorizers": a function error "Unauthorized").
var errUnauthorized = errors.New("Unauthorized") //nolint:staticcheck // API Gateway matches this exact message.

// PartnerAuthorizer is the TOKEN Lambda authorizer of the partner routes:
// the Authorization header is "Bearer <token>"; a known token gets a policy
// allowing GET on /partner/orders/* of the API and stage it called, with
// the partner's id as principalId and context.partnerId; a suspended
// partner gets the same policy with Deny (403); anything else is
// "Unauthorized" (401).
type PartnerAuthorizer struct {
	partners  map[[sha256.Size]byte]string // token digest → partner id
	suspended map[string]bool
}

// NewPartnerAuthorizer reads the PartnerTokensEnv and SuspendedPartnersEnv
// values. A malformed entry is an error naming it.
func NewPartnerAuthorizer(tokens, suspended string) (*PartnerAuthorizer, error) {
	a := &PartnerAuthorizer{partners: map[[sha256.Size]byte]string{}, suspended: map[string]bool{}}
	for _, entry := range strings.Split(tokens, ",") {
		if entry == "" {
			continue
		}
		id, digest, _ := strings.Cut(entry, "=")
		b, err := base64.RawURLEncoding.DecodeString(digest)
		if id == "" || err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("%s: %q is not partner=<SHA-256 in base64url>", PartnerTokensEnv, entry)
		}
		a.partners[[sha256.Size]byte(b)] = id
	}
	for _, id := range strings.Split(suspended, ",") {
		if id != "" {
			a.suspended[id] = true
		}
	}
	return a, nil
}

// TokenDigest is the SHA-256 of a token in base64url without padding, as
// PartnerTokensEnv lists it.
func TokenDigest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Authorize answers one TOKEN authorizer event.
func (a *PartnerAuthorizer) Authorize(_ context.Context, e events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	token, ok := strings.CutPrefix(e.AuthorizationToken, "Bearer ")
	partner, known := a.partners[sha256.Sum256([]byte(token))]
	// methodArn is arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH.
	arn := strings.SplitN(e.MethodArn, "/", 3)
	if !ok || !known || len(arn) != 3 {
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	effect := "Allow"
	if a.suspended[partner] {
		effect = "Deny"
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: "partner:" + partner,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{{
			Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{arn[0] + "/" + arn[1] + "/GET/partner/orders/*"},
		}}},
		Context: map[string]any{"partnerId": partner},
	}, nil
}
