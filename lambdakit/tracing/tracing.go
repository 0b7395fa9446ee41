// Package tracing adds X-Ray subsegments to a Lambda function's trace: one
// per request (annotated with the API Gateway request id) and one per AWS SDK
// call under it. It sends segment documents to the X-Ray daemon over UDP, as
// the X-Ray SDKs do, without their weight: the X-Ray SDK for Go made a
// handler's bootstrap 24 MB instead of 10.5 MB, because it pulls in
// aws-sdk-go v1, gRPC and fasthttp.
//
// Lambda's active tracing makes the invocation segment; this package only
// adds subsegments, and only when the invocation is sampled.
//
// Segment documents: https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html
package tracing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// header starts every UDP datagram to the daemon.
const header = `{"format": "json", "version": 1}` + "\n"

// Emitter sends segment documents to the X-Ray daemon.
type Emitter struct {
	mu   sync.Mutex
	conn net.Conn
}

// NewEmitter dials the daemon at addr ("host:port"); nil when addr is empty.
func NewEmitter(addr string) *Emitter {
	if addr == "" {
		return nil
	}
	// A daemon address may list a TCP and a UDP address; take the UDP one.
	for _, part := range strings.Fields(addr) {
		if a, ok := strings.CutPrefix(part, "udp:"); ok {
			addr = a
		}
	}
	conn, err := net.Dial("udp", addr)
	if err != nil {
		return nil
	}
	return &Emitter{conn: conn}
}

var defaultEmitter = sync.OnceValue(func() *Emitter { return NewEmitter(os.Getenv("AWS_XRAY_DAEMON_ADDRESS")) })

// Segment is a subsegment document.
type Segment struct {
	Name        string         `json:"name"`
	ID          string         `json:"id"`
	TraceID     string         `json:"trace_id"`
	ParentID    string         `json:"parent_id"`
	Type        string         `json:"type"`
	Namespace   string         `json:"namespace,omitempty"`
	StartTime   float64        `json:"start_time"`
	EndTime     float64        `json:"end_time"`
	Error       bool           `json:"error,omitempty"`
	Fault       bool           `json:"fault,omitempty"`
	Throttle    bool           `json:"throttle,omitempty"`
	Annotations map[string]any `json:"annotations,omitempty"`
	AWS         map[string]any `json:"aws,omitempty"`
	HTTP        map[string]any `json:"http,omitempty"`
}

func (e *Emitter) send(s *Segment) {
	if e == nil {
		return
	}
	b, err := json.Marshal(s)
	if err != nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.conn.Write(append([]byte(header), b...)) // best effort, as the X-Ray SDKs
}

type parentKey struct{}

type parent struct {
	traceID, id string
	emitter     *Emitter
}

// traceParent returns the trace and parent of a new subsegment: the
// current subsegment if any, else the Lambda invocation's segment from the
// trace header, if it is sampled.
func traceParent(ctx context.Context) (parent, bool) {
	if p, ok := ctx.Value(parentKey{}).(parent); ok {
		return p, true
	}
	h, _ := ctx.Value("x-amzn-trace-id").(string)
	var p parent
	sampled := false
	for _, kv := range strings.Split(h, ";") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "Root":
			p.traceID = v
		case "Parent":
			p.id = v
		case "Sampled":
			sampled = v == "1"
		}
	}
	p.emitter = defaultEmitter()
	return p, sampled && p.traceID != "" && p.id != "" && p.emitter != nil
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func seconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// Begin starts a subsegment and returns a context whose SDK calls become
// its children, and the function that ends it. Outside a sampled trace it
// does nothing.
func Begin(ctx context.Context, name string, annotations map[string]any) (context.Context, func(error)) {
	p, ok := traceParent(ctx)
	if !ok {
		return ctx, func(error) {}
	}
	s := &Segment{Name: name, ID: newID(), TraceID: p.traceID, ParentID: p.id, Type: "subsegment",
		StartTime: seconds(time.Now()), Annotations: annotations}
	ctx = context.WithValue(ctx, parentKey{}, parent{traceID: p.traceID, id: s.ID, emitter: p.emitter})
	return ctx, func(err error) {
		s.EndTime = seconds(time.Now())
		s.Fault = err != nil
		p.emitter.send(s)
	}
}

// Request is an httpx.Service trace hook: a subsegment per request, named by
// its route and annotated with the route and the API Gateway request id.
func Request(ctx context.Context, route, requestID string) (context.Context, func(error)) {
	return Begin(ctx, route, map[string]any{"route": route, "requestId": requestID})
}

// Instrument makes every call of clients built from cfg a subsegment of the
// current request.
func Instrument(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("XRaySubsegment", subsegment), middleware.Before)
	})
}

func subsegment(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	p, ok := traceParent(ctx)
	if !ok {
		return next.HandleInitialize(ctx, in)
	}
	service := awsmiddleware.GetServiceID(ctx)
	s := &Segment{Name: service, ID: newID(), TraceID: p.traceID, ParentID: p.id, Type: "subsegment", Namespace: "aws",
		StartTime: seconds(time.Now())}
	out, md, err := next.HandleInitialize(ctx, in)
	s.EndTime = seconds(time.Now())
	s.AWS = map[string]any{"operation": awsmiddleware.GetOperationName(ctx), "region": awsmiddleware.GetRegion(ctx)}
	if id, ok := awsmiddleware.GetRequestIDMetadata(md); ok {
		s.AWS["request_id"] = id
	}
	var status int
	if raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok {
		status = raw.StatusCode
	}
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) {
		status = respErr.HTTPStatusCode()
	}
	if status != 0 {
		s.HTTP = map[string]any{"response": map[string]any{"status": status}}
	}
	var api smithy.APIError
	switch {
	case err == nil:
	case status == 429 || (errors.As(err, &api) && strings.Contains(api.ErrorCode(), "Throttl")):
		s.Throttle, s.Error = true, true
	case status >= 400 && status < 500:
		s.Error = true
	default:
		s.Fault = true
	}
	p.emitter.send(s)
	return out, md, err
}
