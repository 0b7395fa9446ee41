package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/acme/customers-api/localapi/internal/identity"
	"github.com/acme/customers-api/localapi/internal/template"
)

// authorizerGateway serves testdata/authorizers: a TOKEN authorizer (TTL
// 300 s) on /partner/{id}, a REQUEST authorizer (no caching) on /tenant
// and AWS_IAM methods on /service/{id}, in front of an integration that
// echoes the proxy event. The token authorizer answers "allow-NAME" with
// a policy allowing GET on /partner/* and a context, "deny-NAME" with the
// same policy denying, "unauthorized" with the error Unauthorized,
// "crash" with another error, "nested" with an object in its context; the
// request authorizer allows key "k1". calls counts each authorizer's
// invocations by identity.
type authorizerGateway struct {
	g     *Gateway
	srv   *httptest.Server
	mu    sync.Mutex
	calls map[string]int
}

func newAuthorizerGateway(t *testing.T) *authorizerGateway {
	t.Helper()
	a, err := template.Load("testdata/authorizers", "")
	if err != nil {
		t.Fatal(err)
	}
	ag := &authorizerGateway{calls: map[string]int{}}
	policy := func(effect, methodArn string) events.APIGatewayCustomAuthorizerPolicy {
		arn := strings.SplitN(methodArn, "/", 3) // arn:...:API, STAGE, METHOD/PATH
		return events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{{
			Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{arn[0] + "/" + arn[1] + "/GET/partner/*"},
		}}}
	}
	invoke := func(_ context.Context, fn string, event any) ([]byte, error) {
		switch fn {
		case a.Arn("lambda", "function:token-authorizer"):
			e := event.(events.APIGatewayCustomAuthorizerRequest)
			ag.count("token " + e.AuthorizationToken)
			verdict, name, _ := strings.Cut(e.AuthorizationToken, "-")
			switch verdict {
			case "allow", "deny":
				effect := map[string]string{"allow": "Allow", "deny": "Deny"}[verdict]
				return json.Marshal(events.APIGatewayCustomAuthorizerResponse{PrincipalID: name, PolicyDocument: policy(effect, e.MethodArn),
					Context: map[string]any{"name": name, "n": 7, "ok": true}})
			case "unauthorized":
				return []byte(`{"errorType":"errorString","errorMessage":"Unauthorized"}`), errors.New("function error")
			case "nested":
				return json.Marshal(events.APIGatewayCustomAuthorizerResponse{PrincipalID: "n", PolicyDocument: policy("Allow", e.MethodArn),
					Context: map[string]any{"claims": map[string]any{"a": 1}}})
			}
			return []byte(`{"errorType":"errorString","errorMessage":"boom"}`), errors.New("function error")
		case a.Arn("lambda", "function:request-authorizer"):
			e := event.(events.APIGatewayCustomAuthorizerRequestTypeRequest)
			ag.count("request " + e.Headers["X-Tenant"] + " " + e.QueryStringParameters["key"])
			effect := "Deny"
			if e.QueryStringParameters["key"] == "k1" {
				effect = "Allow"
			}
			return json.Marshal(events.APIGatewayCustomAuthorizerResponse{PrincipalID: e.Headers["X-Tenant"],
				PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{{
					Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{e.MethodArn},
				}}}})
		case a.Arn("lambda", "function:echo"):
			b, _ := json.Marshal(event)
			return json.Marshal(events.APIGatewayProxyResponse{StatusCode: 200, Body: string(b)})
		}
		return nil, fmt.Errorf("invoked %s", fn)
	}
	g, err := New(a, &identity.Server{}, Options{}, invoke)
	if err != nil {
		t.Fatal(err)
	}
	ag.g, ag.srv = g, httptest.NewServer(g)
	t.Cleanup(ag.srv.Close)
	return ag
}

func (ag *authorizerGateway) count(key string) {
	ag.mu.Lock()
	defer ag.mu.Unlock()
	ag.calls[key]++
}

func (ag *authorizerGateway) called(key string) int {
	ag.mu.Lock()
	defer ag.mu.Unlock()
	return ag.calls[key]
}

// echoed is the proxy event the integration got, or the gateway's answer.
type echoed struct {
	status  int
	errType string
	event   events.APIGatewayProxyRequest
	body    string
}

func (ag *authorizerGateway) do(t *testing.T, req *http.Request) echoed {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := echoed{status: resp.StatusCode, errType: resp.Header.Get("x-amzn-ErrorType"), body: string(b)}
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(b, &out.event); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func (ag *authorizerGateway) get(t *testing.T, method, path string, header ...string) echoed {
	t.Helper()
	req, _ := http.NewRequest(method, ag.srv.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return ag.do(t, req)
}

func TestATokenAuthorizersPolicyDecidesAndItsContextReachesTheIntegration(t *testing.T) {
	ag := newAuthorizerGateway(t)
	got := ag.get(t, "GET", "/partner/1", "Authorization", "allow-ann")
	want := map[string]any{"principalId": "ann", "name": "ann", "n": "7", "ok": "true"}
	if got.status != 200 || fmt.Sprint(got.event.RequestContext.Authorizer) != fmt.Sprint(want) {
		t.Fatalf("allowed: %d %v, want 200 with requestContext.authorizer %v", got.status, got.event.RequestContext.Authorizer, want)
	}
	for _, tc := range []struct {
		name, token string
		status      int
		errType     string
	}{
		{"no Authorization: refused before the function runs", "", 401, "UnauthorizedException"},
		{"the function's error Unauthorized", "unauthorized", 401, "UnauthorizedException"},
		{"a policy that denies", "deny-dan", 403, "AccessDeniedException"},
		{"another error of the function", "crash", 500, "AuthorizerConfigurationException"},
		{"an object in the context", "nested", 500, "AuthorizerConfigurationException"},
	} {
		got := ag.get(t, "GET", "/partner/1", "Authorization", tc.token)
		if got.status != tc.status || got.errType != tc.errType {
			t.Errorf("%s: %d %s %s, want %d %s", tc.name, got.status, got.errType, got.body, tc.status, tc.errType)
		}
	}
	if n := ag.called("token "); n != 0 {
		t.Errorf("the function ran %d times for a request without the identity source", n)
	}
}

// API Gateway caches an authorizer's answer by identity source for the
// TTL, and evaluates the cached policy for each request's method ARN
// ("Use API Gateway Lambda authorizers": a cached policy that does not
// cover another method refuses it).
func TestACachedPolicyIsReusedForTheTTLAndEvaluatedPerMethod(t *testing.T) {
	ag := newAuthorizerGateway(t)
	steps := []struct {
		method, path  string
		status, calls int
	}{
		{"GET", "/partner/1", 200, 1},
		{"GET", "/partner/2", 200, 1},    // the cached policy covers GET /partner/*
		{"DELETE", "/partner/1", 403, 1}, // ... and not DELETE: refused without a call
	}
	for _, s := range steps {
		if got := ag.get(t, s.method, s.path, "Authorization", "allow-bob"); got.status != s.status || ag.called("token allow-bob") != s.calls {
			t.Errorf("%s %s: %d after %d calls, want %d after %d", s.method, s.path, got.status, ag.called("token allow-bob"), s.status, s.calls)
		}
	}
	for _, la := range ag.g.authorizers { // the TTL (300 s) passes
		for k, c := range la.cache {
			c.expires = time.Now().Add(-time.Second)
			la.cache[k] = c
		}
	}
	if got := ag.get(t, "GET", "/partner/1", "Authorization", "allow-bob"); got.status != 200 || ag.called("token allow-bob") != 2 {
		t.Errorf("after the TTL: %d after %d calls, want 200 after a second call", got.status, ag.called("token allow-bob"))
	}
}

func TestARequestAuthorizerNeedsEveryIdentitySourceAndCachesNothingWithTTL0(t *testing.T) {
	ag := newAuthorizerGateway(t)
	if got := ag.get(t, "GET", "/tenant?key=k1"); got.status != 401 || ag.called("request  k1") != 0 {
		t.Errorf("without X-Tenant: %d, want 401 without a call", got.status)
	}
	for i := 1; i <= 2; i++ {
		got := ag.get(t, "GET", "/tenant?key=k1", "X-Tenant", "t1")
		if got.status != 200 || got.event.RequestContext.Authorizer["principalId"] != "t1" || ag.called("request t1 k1") != i {
			t.Errorf("request %d: %d %v after %d calls, want 200 for t1 after %d", i, got.status, got.event.RequestContext.Authorizer, ag.called("request t1 k1"), i)
		}
	}
	if got := ag.get(t, "GET", "/tenant?key=k2", "X-Tenant", "t1"); got.status != 403 {
		t.Errorf("a key the function denies: %d, want 403", got.status)
	}
}

// signed is a request signed with Signature Version 4 for execute-api by
// the SDK's signer, at a time, then changed by tamper.
func (ag *authorizerGateway) signed(t *testing.T, creds aws.Credentials, method, path, body string, at time.Time, service string, tamper func(*http.Request)) echoed {
	t.Helper()
	req, _ := http.NewRequest(method, ag.srv.URL+path, strings.NewReader(body))
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "eu-west-1", at); err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(req)
	}
	return ag.do(t, req)
}

func TestAnIAMMethodChecksTheSignatureThenTheCallersPolicy(t *testing.T) {
	ag := newAuthorizerGateway(t)
	caller, err := ag.g.Credentials("caller")
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := ag.g.Credentials("Stranger")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	got := ag.signed(t, caller, "GET", "/service/1?x=1", "", now, "execute-api", nil)
	if got.status != 200 || got.event.RequestContext.Identity.UserArn != "arn:aws:iam::123456789012:role/caller" || got.event.RequestContext.Identity.AccessKey != caller.AccessKeyID {
		t.Fatalf("signed by the granted role: %d %+v, want 200 with its ARN and key", got.status, got.event.RequestContext.Identity)
	}
	for _, tc := range []struct {
		name    string
		got     echoed
		status  int
		errType string
	}{
		{"unsigned", ag.get(t, "GET", "/service/1"), 403, "MissingAuthenticationTokenException"},
		{"a bearer token", ag.get(t, "GET", "/service/1", "Authorization", "Bearer x"), 403, "InvalidSignatureException"},
		{"another path than signed", ag.signed(t, caller, "GET", "/service/1", "", now, "execute-api", func(r *http.Request) { r.URL.Path = "/service/2" }), 403, "InvalidSignatureException"},
		{"another query than signed", ag.signed(t, caller, "GET", "/service/1?x=1", "", now, "execute-api", func(r *http.Request) { r.URL.RawQuery = "x=2" }), 403, "InvalidSignatureException"},
		{"a body changed after signing", ag.signed(t, caller, "PUT", "/service/1", `{"a":1}`, now, "execute-api", func(r *http.Request) {
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader([]byte(`{"a":2}`))), 7
		}), 403, "InvalidSignatureException"},
		{"a wrong secret", ag.signed(t, aws.Credentials{AccessKeyID: caller.AccessKeyID, SecretAccessKey: "wrong"}, "GET", "/service/1", "", now, "execute-api", nil), 403, "InvalidSignatureException"},
		{"an unknown key", ag.signed(t, aws.Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "x"}, "GET", "/service/1", "", now, "execute-api", nil), 403, "InvalidSignatureException"},
		{"signed for another service", ag.signed(t, caller, "GET", "/service/1", "", now, "lambda", nil), 403, "InvalidSignatureException"},
		{"signed six minutes ago", ag.signed(t, caller, "GET", "/service/1", "", now.Add(-6*time.Minute), "execute-api", nil), 403, "InvalidSignatureException"},
		{"a method the policy does not grant", ag.signed(t, caller, "PUT", "/service/1", "{}", now, "execute-api", nil), 403, "AccessDeniedException"},
		{"a role without a grant", ag.signed(t, stranger, "GET", "/service/1", "", now, "execute-api", nil), 403, "AccessDeniedException"},
	} {
		if tc.got.status != tc.status || tc.got.errType != tc.errType {
			t.Errorf("%s: %d %s %s, want %d %s", tc.name, tc.got.status, tc.got.errType, tc.got.body, tc.status, tc.errType)
		}
	}
}
