package httpx

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/acme/customers-api/lambdakit/envvars"
	"github.com/acme/customers-api/lambdakit/httpx/wire"
)

// LambdaFunc is what lambda.Start takes for an API Gateway proxy handler.
type LambdaFunc func(context.Context, Request) (Response, error)

// HandlerFunc is a handler written against this package: it returns a
// response, or an error that the middleware (Service.Handle) turns into an
// RFC 9457 problem response, the first rule that fits deciding:
//
//   - an *Error (or one wrapped) is rendered as it is;
//   - an error Service.Map maps is rendered as the *Error it returns;
//   - validate.Errors (what lambdakit/validate returns, or one wrapped) is
//     a 400 "validation-error" whose errors list holds each FieldError's
//     JSON Pointer (RFC 6901) and detail, e.g.
//     {"errors":[{"pointer":"/email","detail":"..."}]};
//   - an error with a RetryAfter() time.Duration method (lambdakit/ddb's
//     UnavailableError) is a 503 with Retry-After in whole seconds, at
//     least 1;
//   - context.DeadlineExceeded is a 503 with Retry-After: 1;
//   - anything else, and a panic, is a 500 whose body never holds the
//     error's text (the log line does).
type HandlerFunc func(context.Context, *Request) (Response, error)

// Service holds what every route of one Lambda shares.
type Service struct {
	// Logger receives one line per request.
	Logger *slog.Logger
	// Map turns the service's domain errors into HTTP errors.
	Map Mapper
	// DeadlineMargin is kept free before the Lambda deadline so that a slow
	// call still ends in a proper 503 rather than a Lambda time-out.
	DeadlineMargin time.Duration
	// AllowedOrigins are the browser origins that may read responses
	// (CORS); "*" allows any. API Gateway answers the preflights.
	AllowedOrigins []string
	// Trace, when set, starts a trace span for the request (see
	// tracing.Request); the returned function ends it.
	Trace func(ctx context.Context, route, requestID string) (context.Context, func(error))
	// Observe, when set, sees every finished request, e.g. to emit metrics.
	Observe func(ctx context.Context, o Outcome)
	// ProblemTypeBase prefixes the type of every problem response, e.g.
	// "https://errors.example.com/" gives
	// "https://errors.example.com/validation-error". Default: the
	// environment variable envvars.ProblemTypeBase (which
	// constructs/resourceapi sets from the API's setting), else
	// ProblemTypeBase.
	ProblemTypeBase string

	// served is set by the first request: a container serves one Service,
	// so the first request is the cold start.
	served atomic.Bool
}

// Outcome is what became of a request.
type Outcome struct {
	Route     string
	Status    int
	Problem   string
	ColdStart bool
	Latency   time.Duration
	Response  Response
}

type exchangeKey struct{}

// exchange is the per-request state the middleware shares with handlers.
type exchange struct {
	requestID string
	path      string
	typeBase  string
	mapErr    Mapper
	attrs     []slog.Attr
	problem   string
	cause     error
}

// Annotate adds an attribute to the request's log line, for example the
// customer id. It is a no-op outside a request.
func Annotate(ctx context.Context, key string, value any) {
	if x, ok := ctx.Value(exchangeKey{}).(*exchange); ok {
		x.attrs = append(x.attrs, slog.Any(key, value))
	}
}

// ErrorResponse renders err as a problem response for the current request
// and records its cause for the log line. Handlers that must hold on to a
// rendered response (idempotency) use it; others just return the error.
func ErrorResponse(ctx context.Context, err error) Response {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	if x == nil {
		x = &exchange{}
	}
	e := classify(err, x.mapErr)
	x.problem = e.Slug
	if e.Status >= 500 {
		x.cause = err
	}
	return problemResponse(e, cmp.Or(x.typeBase, ProblemTypeBase), x.requestID, x.path)
}

// Handle wraps a handler for lambda.Start: it bounds the handler by the
// Lambda deadline less DeadlineMargin, turns errors and panics into problem
// responses, and logs one JSON line with the request id, route, status,
// latency, cold-start flag, annotations and, for server errors, the cause.
func (s *Service) Handle(route string, h HandlerFunc) LambdaFunc {
	return func(ctx context.Context, req Request) (Response, error) {
		start := time.Now()
		cold := !s.served.Swap(true)
		if deadline, ok := ctx.Deadline(); ok && s.DeadlineMargin > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, deadline.Add(-s.DeadlineMargin))
			defer cancel()
		}
		x := &exchange{requestID: req.RequestContext.RequestID, path: req.RequestContext.Path, mapErr: s.Map,
			typeBase: cmp.Or(s.ProblemTypeBase, os.Getenv(envvars.ProblemTypeBase), ProblemTypeBase)}
		ctx = context.WithValue(ctx, exchangeKey{}, x)
		end := func(error) {}
		if s.Trace != nil {
			ctx, end = s.Trace(ctx, route, x.requestID)
		}

		resp, err := call(ctx, h, &req)
		if err != nil {
			resp = ErrorResponse(ctx, err)
		}
		end(x.cause)
		s.cors(&req, &resp)
		if req.HTTPMethod == http.MethodHead {
			// RFC 9110 §9.3.2: HEAD is GET without content; the status and
			// header fields are GET's.
			resp.Body, resp.IsBase64Encoded = "", false
		}
		latency := time.Since(start)
		s.log(ctx, x, route, req.HTTPMethod, resp.StatusCode, latency, cold)
		if s.Observe != nil {
			s.Observe(ctx, Outcome{Route: route, Status: resp.StatusCode, Problem: x.problem, ColdStart: cold, Latency: latency, Response: resp})
		}
		return resp, nil
	}
}

// cors lets the calling browser origin read the response when it is
// allowed.
func (s *Service) cors(req *Request, resp *Response) {
	origin := Header(req, "Origin")
	if origin == "" {
		return
	}
	for _, allowed := range s.AllowedOrigins {
		if allowed == "*" || allowed == origin {
			if resp.Headers == nil {
				resp.Headers = map[string]string{}
			}
			resp.Headers["Access-Control-Allow-Origin"] = origin
			resp.Headers["Access-Control-Expose-Headers"] = wire.ExposeHeadersValue()
			resp.Headers["Vary"] = "Origin"
			return
		}
	}
}

// call runs h, turning a panic into an error so the client still gets a
// problem response.
func call(ctx context.Context, h HandlerFunc, req *Request) (resp Response, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return h(ctx, req)
}

func (s *Service) log(ctx context.Context, x *exchange, route, method string, status int, latency time.Duration, cold bool) {
	attrs := []slog.Attr{
		slog.String("requestId", x.requestID),
		slog.String("route", route),
		slog.String("method", method),
		slog.Int("status", status),
		slog.Float64("latencyMs", float64(latency.Microseconds())/1000),
		slog.Bool("coldStart", cold),
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("lambdaRequestId", lc.AwsRequestID))
	}
	attrs = append(attrs, x.attrs...)
	if x.problem != "" {
		attrs = append(attrs, slog.String("problem", x.problem))
	}
	level := slog.LevelInfo
	if x.cause != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("error", x.cause.Error()))
	}
	s.Logger.LogAttrs(context.Background(), level, "request", attrs...)
}

// JSON is a response with v as its JSON body.
func JSON(status int, v any, headers map[string]string) (Response, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return Response{}, fmt.Errorf("encode response: %w", err)
	}
	h := map[string]string{"Content-Type": "application/json"}
	for k, val := range headers {
		h[k] = val
	}
	return Response{StatusCode: status, Headers: h, Body: string(body)}, nil
}
