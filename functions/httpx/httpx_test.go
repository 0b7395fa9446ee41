package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
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

func TestMatchesAny(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{`"3"`, true}, {`W/"3"`, true}, {`"1", "3"`, true}, {`*`, true},
		{`"4"`, false}, {`3`, false}, {``, false},
	} {
		if got := MatchesAny(tc.header, `"3"`); got != tc.want {
			t.Errorf("MatchesAny(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestHeaderIgnoresCaseAndReadsMultiValueHeaders(t *testing.T) {
	req := &Request{Headers: map[string]string{"content-type": "a"}, MultiValueHeaders: map[string][]string{"If-Match": {`"1"`}}}
	if Header(req, "Content-Type") != "a" || Header(req, "if-match") != `"1"` || Header(req, "X") != "" {
		t.Error("Header lookup failed")
	}
}

func TestPrincipalPrefersTheClientID(t *testing.T) {
	req := &Request{}
	req.RequestContext.Authorizer = map[string]any{"claims": map[string]any{"sub": "user", "client_id": "client"}}
	if got := Principal(req); got != "client" {
		t.Errorf("Principal = %q", got)
	}
	if got := Principal(&Request{}); got != "" {
		t.Errorf("Principal without claims = %q", got)
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
