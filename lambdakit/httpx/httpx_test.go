package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acme/customers-api/lambdakit/envvars"
	"github.com/acme/customers-api/lambdakit/validate"
)

func TestAPanicBecomesA500ProblemAndALoggedCause(t *testing.T) {
	var log bytes.Buffer
	svc := &Service{Logger: slog.New(slog.NewJSONHandler(&log, nil))}
	h := svc.Handle("GET /boom", func(context.Context, *Request) (Response, error) { panic("nil map write in handler") })
	req := Request{HTTPMethod: "GET"}
	req.RequestContext.RequestID = "r-1"
	resp, err := h(context.Background(), req)
	if err != nil {
		t.Fatalf("error returned to the runtime: %v", err)
	}
	var p Problem
	json.Unmarshal([]byte(resp.Body), &p)
	if resp.StatusCode != 500 || p.Status != 500 || p.RequestID != "r-1" || strings.Contains(resp.Body, "nil map") {
		t.Errorf("response %d %s", resp.StatusCode, resp.Body)
	}
	if !strings.Contains(log.String(), "nil map write in handler") || strings.Count(log.String(), "\n") != 1 {
		t.Errorf("want one log line with the panic, got:\n%s", log.String())
	}
}

func TestServiceMappingComesFirstAndKeepsTheCause(t *testing.T) {
	errDomain := errors.New("domain")
	e := classify(errDomain, func(err error) *Error {
		if errors.Is(err, errDomain) {
			return NewError(http.StatusGone, "gone", "It is gone.")
		}
		return nil
	})
	if e.Status != http.StatusGone || !errors.Is(e, errDomain) {
		t.Errorf("classify = %+v", e)
	}
}

// If-None-Match compares weakly, If-Match strongly (RFC 9110 §13.1).
func TestWeakAndStrongETagComparison(t *testing.T) {
	for _, tc := range []struct {
		header       string
		weak, strong bool
	}{
		{`"3"`, true, true}, {`W/"3"`, true, false}, {`"1", "3"`, true, true}, {`W/"1", W/"3"`, true, false},
		{`*`, true, true}, {`"4"`, false, false}, {`3`, false, false}, {``, false, false},
	} {
		if got := MatchesAny(tc.header, `"3"`); got != tc.weak {
			t.Errorf("MatchesAny(%q) = %v, want %v", tc.header, got, tc.weak)
		}
		if got := MatchesStrong(tc.header, `"3"`); got != tc.strong {
			t.Errorf("MatchesStrong(%q) = %v, want %v", tc.header, got, tc.strong)
		}
	}
}

// A header sent on several lines is one list; API Gateway keeps only the
// last line in headers.
func TestRepeatedHeaderLinesAreOneList(t *testing.T) {
	req := &Request{Headers: map[string]string{"If-Match": `"2"`}, MultiValueHeaders: map[string][]string{"If-Match": {`"1"`, `"2"`}}}
	if got := Header(req, "if-match"); got != `"1", "2"` {
		t.Errorf("Header = %q", got)
	}
	if !MatchesStrong(Header(req, "If-Match"), `"1"`) {
		t.Error("the first line's tag does not match")
	}
	empty := &Request{Headers: map[string]string{"Idempotency-Key": ""}}
	if v, ok := LookupHeader(empty, "idempotency-key"); v != "" || !ok {
		t.Errorf("an empty header reads as %q, %v; want present and empty", v, ok)
	}
	if _, ok := LookupHeader(empty, "X"); ok {
		t.Error("an absent header reads as present")
	}
}

func TestHeaderIgnoresCaseAndReadsMultiValueHeaders(t *testing.T) {
	req := &Request{Headers: map[string]string{"content-type": "a"}, MultiValueHeaders: map[string][]string{"If-Match": {`"1"`}}}
	if Header(req, "Content-Type") != "a" || Header(req, "if-match") != `"1"` || Header(req, "X") != "" {
		t.Error("Header lookup failed")
	}
}

// Cognito puts the app client's id in user access tokens too: two users of
// one client must be two principals, and a client-credentials token (no
// username) is its client.
func TestPrincipalSeparatesUsersOfOneClientFromMachineClients(t *testing.T) {
	principal := func(claims map[string]any) string {
		req := &Request{}
		req.RequestContext.Authorizer = map[string]any{"claims": claims}
		return Principal(req)
	}
	ada := principal(map[string]any{"sub": "u-ada", "client_id": "web", "username": "ada"})
	bob := principal(map[string]any{"sub": "u-bob", "client_id": "web", "username": "bob"})
	machine := principal(map[string]any{"sub": "crm", "client_id": "crm", "token_use": "access"})
	if ada != "user:u-ada" || bob != "user:u-bob" || machine != "client:crm" {
		t.Errorf("principals: ada %q, bob %q, machine %q", ada, bob, machine)
	}
	if got := Principal(&Request{}); got != "" {
		t.Errorf("Principal without claims = %q", got)
	}
}

// A Lambda authorizer's principalId and an IAM caller's ARN are principals
// too, so that idempotency keys of two partners or two services never meet.
func TestPrincipalOfALambdaAuthorizerOrAnIAMCaller(t *testing.T) {
	partner := &Request{}
	partner.RequestContext.Authorizer = map[string]any{"principalId": "partner:acme", "partnerId": "acme"}
	service := &Request{}
	service.RequestContext.Identity.UserArn = "arn:aws:sts::111111111111:assumed-role/shipping/s1"
	if got, want := Principal(partner), "authorizer:partner:acme"; got != want {
		t.Errorf("Lambda authorizer: %q, want %q", got, want)
	}
	if got, want := Principal(service), "iam:arn:aws:sts::111111111111:assumed-role/shipping/s1"; got != want {
		t.Errorf("IAM: %q, want %q", got, want)
	}
}

func TestCORSHeadersOnlyForAllowedOrigins(t *testing.T) {
	svc := &Service{Logger: slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)), AllowedOrigins: []string{"https://app.example.com"}}
	h := svc.Handle("GET /x", func(context.Context, *Request) (Response, error) { return JSON(200, "ok", nil) })
	for origin, want := range map[string]string{"https://app.example.com": "https://app.example.com", "https://evil.example": "", "": ""} {
		resp, _ := h(context.Background(), Request{Headers: map[string]string{"Origin": origin}})
		if got := resp.Headers["Access-Control-Allow-Origin"]; got != want {
			t.Errorf("Origin %q: Access-Control-Allow-Origin = %q, want %q", origin, got, want)
		}
	}
}

// Only UTF-8 JSON is JSON (RFC 8259 §8.1): another charset is 415, as is
// any other media type.
func TestJSONBodyAcceptsOnlyUTF8JSON(t *testing.T) {
	for _, tc := range []struct {
		contentType string
		status      int // 0: accepted
	}{
		{"application/json", 0},
		{"application/json; charset=utf-8", 0},
		{"application/json;charset=UTF-8", 0},
		{`application/json; charset="utf-8"`, 0},
		{"Application/JSON", 0},
		{"application/json; charset=iso-8859-1", 415},
		{"application/json; charset=utf-16", 415},
		{"application/json; charset=", 415},
		{"application/json; charset=utf8", 415},
		{"text/plain", 415},
		{"application/problem+json", 415},
		{"", 415},
		{"application/json; charset", 415},
	} {
		t.Run(tc.contentType, func(t *testing.T) {
			_, err := JSONBody(&Request{Headers: map[string]string{"Content-Type": tc.contentType}, Body: `{}`}, 100)
			status := 0
			var e *Error
			if errors.As(err, &e) {
				status = e.Status
			}
			if status != tc.status {
				t.Errorf("Content-Type %q: %d (%v), want %d", tc.contentType, status, err, tc.status)
			}
		})
	}
}

// RFC 9110 §9.3.2: HEAD answers as GET would, without content: the
// status and headers stay, for successes and problems alike.
func TestHEADAnswersAsGETWithoutTheBody(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler HandlerFunc
		status  int
	}{
		{"a success", func(context.Context, *Request) (Response, error) {
			return JSON(200, map[string]string{"a": "b"}, map[string]string{"ETag": `"1"`})
		}, 200},
		{"a problem", func(context.Context, *Request) (Response, error) {
			return Response{}, NewError(404, "not-found", "No.")
		}, 404},
		{"a base64 body", func(context.Context, *Request) (Response, error) {
			return Response{StatusCode: 200, Body: "AAAA", IsBase64Encoded: true, Headers: map[string]string{"ETag": `"1"`}}, nil
		}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := &Service{Logger: slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil))}
			get, _ := svc.Handle("GET /x", tc.handler)(context.Background(), Request{HTTPMethod: "GET"})
			head, _ := svc.Handle("GET /x", tc.handler)(context.Background(), Request{HTTPMethod: "HEAD"})
			if get.Body == "" || head.Body != "" || head.IsBase64Encoded || head.StatusCode != tc.status || get.StatusCode != tc.status {
				t.Errorf("GET %d %q, HEAD %d %q (base64 %v); want %d and no HEAD body", get.StatusCode, get.Body, head.StatusCode, head.Body, head.IsBase64Encoded, tc.status)
			}
			if fmt.Sprint(get.Headers) != fmt.Sprint(head.Headers) {
				t.Errorf("HEAD headers %v, GET's %v", head.Headers, get.Headers)
			}
		})
	}
}

// A handler that returns validate.Errors, as lambdakit/validate gives
// them, answers 400 with each field's pointer and detail, wrapped or not.
func TestReturningValidateErrorsRendersA400WithTheirPointers(t *testing.T) {
	fields := validate.Errors{{Pointer: "/email", Detail: "is not an e-mail address"}, {Pointer: "/name", Detail: "is too long"}}
	for name, err := range map[string]error{"as returned": fields, "wrapped": fmt.Errorf("create customer: %w", fields)} {
		t.Run(name, func(t *testing.T) {
			svc := &Service{Logger: slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil))}
			h := svc.Handle("POST /things", func(context.Context, *Request) (Response, error) { return Response{}, err })
			resp, herr := h(context.Background(), Request{HTTPMethod: "POST"})
			if herr != nil {
				t.Fatal(herr)
			}
			var p Problem
			if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
				t.Fatalf("body %s: %v", resp.Body, err)
			}
			if resp.StatusCode != http.StatusBadRequest || p.Type != ProblemTypeBase+"validation-error" || resp.Headers["Content-Type"] != ContentTypeProblem {
				t.Errorf("answer %d %q %q, want 400 validation-error as %s", resp.StatusCode, p.Type, resp.Headers["Content-Type"], ContentTypeProblem)
			}
			if diff := cmp.Diff([]validate.FieldError(fields), p.Errors); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// The problem type's base is the Service's, else the environment's
// (constructs/resourceapi sets it from the API's setting), else
// ProblemTypeBase.
func TestProblemTypesTakeTheConfiguredBase(t *testing.T) {
	for _, tc := range []struct {
		name, service, env, want string
	}{
		{"default", "", "", ProblemTypeBase + "not-found"},
		{"from the environment", "", "https://errors.example.com/", "https://errors.example.com/not-found"},
		{"the Service's first", "tag:example.com,2026:", "https://errors.example.com/", "tag:example.com,2026:not-found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(envvars.ProblemTypeBase, tc.env)
			svc := &Service{Logger: slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)), ProblemTypeBase: tc.service}
			h := svc.Handle("GET /things/{id}", func(context.Context, *Request) (Response, error) {
				return Response{}, NewError(http.StatusNotFound, "not-found", "No such thing.")
			})
			resp, _ := h(context.Background(), Request{HTTPMethod: "GET"})
			var p Problem
			json.Unmarshal([]byte(resp.Body), &p)
			if p.Type != tc.want {
				t.Errorf("type %q, want %q", p.Type, tc.want)
			}
		})
	}
}
