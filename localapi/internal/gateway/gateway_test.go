package gateway

import (
	"errors"

	"github.com/acme/customers-api/localapi/internal/identity"
	"github.com/acme/customers-api/localapi/internal/template"

	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// newTestGateway serves testdata/api with an integration that echoes the
// proxy event back as the body, except for the item ids "slow" (answers
// after the integration timeout), "broken" (a malformed proxy response)
// and "crash" (a function error).
func newTestGateway(t *testing.T) (*httptest.Server, *identity.Server) {
	t.Helper()
	a, err := template.Load("testdata/api", "")
	if err != nil {
		t.Fatal(err)
	}
	id, err := identity.New(a)
	if err != nil {
		t.Fatal(err)
	}
	idp := httptest.NewServer(id)
	t.Cleanup(idp.Close)
	id.URL = idp.URL
	echo := func(ctx context.Context, fn string, event any) ([]byte, error) {
		if fn != a.Arn("lambda", "function:echo") {
			return nil, fmt.Errorf("integration invoked %s", fn)
		}
		e := event.(events.APIGatewayProxyRequest)
		switch e.PathParameters["id"] {
		case "slow":
			<-ctx.Done()
			return nil, ctx.Err()
		case "broken":
			return []byte(`{"body":"no status"}`), nil
		case "crash":
			return []byte(`{"errorType":"Runtime.ExitError"}`), errors.New("function error")
		}
		b, _ := json.Marshal(e)
		return json.Marshal(events.APIGatewayProxyResponse{StatusCode: 200, Body: string(b), Headers: map[string]string{"Content-Type": "application/json"}})
	}
	g, err := New(a, id, Options{}, echo)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv, id
}

type call struct {
	method, path, body string
	header             map[string]string
}

func (c call) do(t *testing.T, srv *httptest.Server) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func token(t *testing.T, id *identity.Server, req identity.TokenRequest) string {
	t.Helper()
	tok, err := id.Token(req)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestTheGatewayAppliesEachRuleOfTheTemplate(t *testing.T) {
	srv, id := newTestGateway(t)
	read := token(t, id, identity.TokenRequest{Scopes: []string{"items/read"}})
	write := token(t, id, identity.TokenRequest{Scopes: []string{"items/write"}})
	idToken := token(t, id, identity.TokenRequest{User: "ada", Use: "id"})
	userAccess := token(t, id, identity.TokenRequest{User: "ada"})
	list := func(header map[string]string, query string) call {
		h := map[string]string{"Authorization": "Bearer " + read, "X-Api-Key": "key-in-plan-0123456789", "X-Tenant": "t1"}
		for k, v := range header {
			h[k] = v
		}
		return call{"GET", "/items" + query, "", h}
	}
	post := func(contentType, body, bearer string) call {
		h := map[string]string{"Authorization": bearer}
		if contentType != "" {
			h["Content-Type"] = contentType
		}
		return call{"POST", "/items", body, h}
	}
	for _, tc := range []struct {
		name   string
		call   call
		status int
		// errorType is the gateway's x-amzn-ErrorType ("" when the
		// integration answered); body, a substring of the body.
		errorType, body string
	}{
		{"required query parameter and header present", list(nil, "?q=x"), 200, "", `"resource":"/items"`},
		{"required query parameter missing", list(nil, ""), 400, "BadRequestException", "Missing required request parameters: [q]"},
		{"required query parameter blank", list(nil, "?q=%20"), 400, "BadRequestException", "[q]"},
		{"required header missing", list(map[string]string{"X-Tenant": ""}, "?q=x"), 400, "BadRequestException", "[X-Tenant]"},
		{"disabled key", list(map[string]string{"X-Api-Key": "key-disabled-0123456789"}, "?q=x"), 403, "ForbiddenException", `{"message":"Forbidden"}`},
		{"key in no plan of the stage", list(map[string]string{"X-Api-Key": "key-in-no-plan-0123456789"}, "?q=x"), 403, "ForbiddenException", "Forbidden"},
		{"token without Bearer", list(map[string]string{"Authorization": read}, "?q=x"), 200, "", ""},
		{"scope of another method", list(map[string]string{"Authorization": "Bearer " + write}, "?q=x"), 401, "UnauthorizedException", `"detail":"Unauthorized"`},
		{"a user's access token with the scope", list(map[string]string{"Authorization": "Bearer " + userAccess}, "?q=x"), 200, "", `"cognito:username":"ada"`},
		{"claims reach the handler as strings", list(nil, "?q=x"), 200, "", `"scope":"items/read"`},
		{"multi-value query", list(nil, "?q=a&q=b"), 200, "", `"multiValueQueryStringParameters":{"q":["a","b"]}`},
		{"valid body", post("application/json", `{"n":2}`, write), 200, "", `"body":"{\"n\":2}"`},
		{"body against the model", post("application/json", `{"n":0}`, write), 400, "BadRequestException", "Invalid request body"},
		{"no Content-Type is application/json", post("", `{}`, write), 400, "BadRequestException", "Invalid request body"},
		{"a content type without a model is not validated", post("text/plain", `anything`, write), 200, "", ""},
		{"id token where scopes are required", post("application/json", `{"n":2}`, idToken), 401, "UnauthorizedException", ""},
		{"id token where no scope is required", call{"GET", "/items/7", "", map[string]string{"Authorization": idToken}}, 200, "", `"pathParameters":{"id":"7"}`},
		{"access token where no scope is required", call{"GET", "/items/7", "", map[string]string{"Authorization": read}}, 401, "UnauthorizedException", ""},
		{"literal segment before a parameter", call{"DELETE", "/items/special", "", nil}, 200, "", `"resource":"/items/special"`},
		{"greedy parameter", call{"GET", "/files/a/b/c.txt", "", nil}, 200, "", `"path":"a/b/c.txt"`},
		{"another method of the resource: its ANY method", call{"DELETE", "/files/a/b/c.txt", "", nil}, 405, "", `{"status":405,"requestId":"`},
		{"no such route: API Gateway's default 403", call{"GET", "/nothing", "", nil}, 403, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`},
		{"integration timeout", call{"GET", "/items/slow", "", map[string]string{"Authorization": idToken}}, 504, "InternalServerErrorException", "Endpoint request timed out"},
		{"malformed proxy response", call{"GET", "/items/broken", "", map[string]string{"Authorization": idToken}}, 502, "InternalServerErrorException", "Internal server error"},
		{"function error", call{"GET", "/items/crash", "", map[string]string{"Authorization": idToken}}, 502, "InternalServerErrorException", "Internal server error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, header, body := tc.call.do(t, srv)
			if status != tc.status || header.Get("X-Amzn-Errortype") != tc.errorType || !strings.Contains(body, tc.body) {
				t.Errorf("got %d (%q) %s\nwant %d (%q) with %s", status, header.Get("X-Amzn-Errortype"), body, tc.status, tc.errorType, tc.body)
			}
			if header.Get("X-Amzn-Requestid") == "" {
				t.Error("no x-amzn-RequestId")
			}
		})
	}
}

func TestAMethodThrottleOfThePlanLimitsThatMethodOnly(t *testing.T) {
	srv, id := newTestGateway(t)
	read := token(t, id, identity.TokenRequest{Scopes: []string{"items/read"}})
	h := map[string]string{"Authorization": read, "X-Api-Key": "key-in-plan-0123456789", "X-Tenant": "t1"}
	statuses := map[int]int{}
	for range 22 {
		status, _, _ := call{"GET", "/items?q=x", "", h}.do(t, srv)
		statuses[status]++
	}
	// Burst 20, 1 a second: within a second, 21 or 20 of 22 pass.
	if statuses[200] < 20 || statuses[200] > 21 || statuses[429] != 22-statuses[200] {
		t.Errorf("statuses of 22 requests = %v, want 20 or 21 200s and the rest 429", statuses)
	}
	if status, _, _ := (call{"DELETE", "/items/special", "", nil}).do(t, srv); status != 200 {
		t.Errorf("another method: %d, want 200", status)
	}
	time.Sleep(1100 * time.Millisecond)
	if status, _, _ := (call{"GET", "/items?q=x", "", h}).do(t, srv); status != 200 {
		t.Errorf("a second later: %d, want 200 (the bucket refills)", status)
	}
}

func TestExpiredTokensAreRefusedWithCognitosMessage(t *testing.T) {
	srv, id := newTestGateway(t)
	expired := token(t, id, identity.TokenRequest{User: "ada", Use: "id", ExpiresIn: -time.Second})
	status, _, body := call{"GET", "/items/7", "", map[string]string{"Authorization": expired}}.do(t, srv)
	if status != 401 || !strings.Contains(body, `"detail":"The incoming token has expired"`) {
		t.Errorf("expired token: %d %s", status, body)
	}
}

// A MOCK integration answers with its integration response: the status,
// the literal header mappings and the application/json template with its
// $context variables substituted.
func TestAMockIntegrationAnswersWithItsIntegrationResponse(t *testing.T) {
	srv, _ := newTestGateway(t)
	status, header, body := call{"PUT", "/files/a.txt", "", nil}.do(t, srv)
	want := `{"status":405,"requestId":"` + header.Get("X-Amzn-Requestid") + `","path":"/files/{path+}"}`
	if status != 405 || header.Get("Allow") != "GET" || header.Get("Content-Type") != "application/problem+json" || body != want {
		t.Errorf("got %d %v %s\nwant 405, Allow: GET, %s", status, header, body, want)
	}
}
