package orders_test

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/acme/customers-api/examples/orders/orders"
)

func TestThePartnerAuthorizerAllowsKnownPartnersDeniesSuspendedOnesAndRefusesTheRest(t *testing.T) {
	a, err := orders.NewPartnerAuthorizer("acme="+orders.TokenDigest("t-acme")+",globex="+orders.TokenDigest("t-globex"), "globex")
	if err != nil {
		t.Fatal(err)
	}
	const method = "arn:aws:execute-api:eu-west-1:111111111111:abc123/v1/GET/partner/orders/ORD-1"
	for _, tc := range []struct {
		token, effect, partner string
	}{
		{"Bearer t-acme", "Allow", "acme"},
		{"Bearer t-globex", "Deny", "globex"},
		{"t-acme", "", ""}, // no Bearer
		{"Bearer t-other", "", ""},
	} {
		resp, err := a.Authorize(context.Background(), events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: tc.token, MethodArn: method})
		if tc.effect == "" {
			if err == nil || err.Error() != "Unauthorized" {
				t.Errorf("%q: %v, want the error Unauthorized (API Gateway's 401)", tc.token, err)
			}
			continue
		}
		st := resp.PolicyDocument.Statement
		if err != nil || len(st) != 1 || st[0].Effect != tc.effect || st[0].Resource[0] != "arn:aws:execute-api:eu-west-1:111111111111:abc123/v1/GET/partner/orders/*" ||
			resp.PrincipalID != "partner:"+tc.partner || resp.Context["partnerId"] != tc.partner {
			t.Errorf("%q: %+v %v, want %s for %s", tc.token, resp, err, tc.effect, tc.partner)
		}
	}
	if _, err := orders.NewPartnerAuthorizer("acme=not-a-digest", ""); err == nil {
		t.Error("a malformed digest was accepted")
	}
}
