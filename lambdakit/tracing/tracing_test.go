package tracing

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

var daemon *net.UDPConn

// TestMain stands in for the X-Ray daemon: a UDP listener on loopback.
func TestMain(m *testing.M) {
	var err error
	daemon, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		panic(err)
	}
	os.Setenv("AWS_XRAY_DAEMON_ADDRESS", daemon.LocalAddr().String())
	os.Exit(m.Run())
}

// received reads the datagrams sent so far and checks their header.
func received(t *testing.T) []Segment {
	t.Helper()
	var out []Segment
	buf := make([]byte, 64*1024)
	for {
		daemon.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := daemon.Read(buf)
		if err != nil {
			return out
		}
		doc, ok := strings.CutPrefix(string(buf[:n]), header)
		if !ok {
			t.Fatalf("datagram without the X-Ray header: %q", buf[:n])
		}
		var s Segment
		if err := json.Unmarshal([]byte(doc), &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
}

var getItem = &dynamodb.GetItemInput{TableName: aws.String("t"), Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "k"}}}

const traceHeader = "Root=1-6752f1a0-0c1d2e3f4a5b6c7d8e9f0a1b;Parent=53995c3f42cd8ad8;Sampled=1"

func client(t *testing.T, status int, body string) *dynamodb.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-Requestid", "REQ123")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
	Instrument(&cfg)
	return dynamodb.NewFromConfig(cfg)
}

func TestARequestAndItsSDKCallsBecomeSubsegments(t *testing.T) {
	db := client(t, 200, `{}`)
	//lint:ignore SA1029 aws-lambda-go passes the trace header under this string key
	ctx := context.WithValue(context.Background(), "x-amzn-trace-id", traceHeader)
	ctx, end := Request(ctx, "GET /customers/{id}", "api-req-1")
	db.GetItem(ctx, getItem)
	end(nil)

	segs := received(t)
	if len(segs) != 2 {
		t.Fatalf("%d segments, want the SDK call and the request", len(segs))
	}
	call, req := segs[0], segs[1]
	if req.TraceID != "1-6752f1a0-0c1d2e3f4a5b6c7d8e9f0a1b" || req.ParentID != "53995c3f42cd8ad8" || req.Type != "subsegment" ||
		req.Annotations["requestId"] != "api-req-1" || req.Name != "GET /customers/{id}" || req.EndTime < req.StartTime {
		t.Errorf("request subsegment %+v", req)
	}
	if call.ParentID != req.ID || call.TraceID != req.TraceID || call.Namespace != "aws" || call.Name != "DynamoDB" ||
		call.AWS["operation"] != "GetItem" || call.AWS["request_id"] != "REQ123" || call.Error || call.Fault {
		t.Errorf("SDK subsegment %+v", call)
	}
}

func TestThrottlingIsMarked(t *testing.T) {
	db := client(t, 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow down"}`)
	//lint:ignore SA1029 aws-lambda-go passes the trace header under this string key
	ctx := context.WithValue(context.Background(), "x-amzn-trace-id", traceHeader)
	db.GetItem(ctx, getItem)
	segs := received(t)
	if len(segs) != 1 || !segs[0].Throttle || !segs[0].Error || segs[0].HTTP["response"].(map[string]any)["status"] != float64(400) {
		t.Errorf("segments %+v, want one throttled call", segs)
	}
}

func TestUnsampledInvocationsSendNothing(t *testing.T) {
	db := client(t, 200, `{}`)
	//lint:ignore SA1029 aws-lambda-go passes the trace header under this string key
	ctx := context.WithValue(context.Background(), "x-amzn-trace-id", strings.Replace(traceHeader, "Sampled=1", "Sampled=0", 1))
	ctx, end := Request(ctx, "GET /customers", "r")
	db.GetItem(ctx, getItem)
	end(nil)
	db.GetItem(context.Background(), getItem) // no trace at all
	if segs := received(t); len(segs) != 0 {
		t.Errorf("sent %d segments for an unsampled invocation", len(segs))
	}
}
