package handlers_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/acme/customers-api/internal/customers/handlers"
	"github.com/acme/customers-api/lambdakit/ddb"
	"github.com/acme/customers-api/lambdakit/httpx"
)

// cannedDynamoDB answers DynamoDB calls from memory, so benchmarks measure
// the handler path (event decoding, validation, SDK serialization and
// signing, response and log encoding) without network I/O.
type cannedDynamoDB map[string]string

const cannedCustomer = `{"pk":{"S":"CUSTOMER#CUST-01JDZ8Q6ZV5X3B9N2M4K7T1R0A"},"sk":{"S":"CUSTOMER"},"type":{"S":"customer"},` +
	`"customerId":{"S":"CUST-01JDZ8Q6ZV5X3B9N2M4K7T1R0A"},"name":{"S":"Ada Lovelace"},"email":{"S":"ada@example.com"},` +
	`"status":{"S":"ACTIVE"},"createdDate":{"S":"2026-06-30T10:00:00.000Z"},"updatedDate":{"S":"2026-06-30T10:00:00.000Z"},` +
	`"version":{"N":"1"},"listPk":{"S":"CUSTOMERS#3"},"statusPk":{"S":"ACTIVE#3"},"listSk":{"S":"2026-06-30T10:00:00.000Z#CUST-01JDZ8Q6ZV5X3B9N2M4K7T1R0A"}}`

var canned = cannedDynamoDB{
	"GetItem":            `{"Item":` + cannedCustomer + `}`,
	"TransactWriteItems": `{}`,
	"Query":              `{"Items":[` + cannedCustomer + `,` + cannedCustomer + `],"Count":2}`,
}

func (c cannedDynamoDB) Do(r *http.Request) (*http.Response, error) {
	io.Copy(io.Discard, r.Body)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	return &http.Response{
		StatusCode: 200, Request: r,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:   io.NopCloser(bytes.NewReader([]byte(c[op]))),
	}, nil
}

func benchHandlers() *handlers.Handlers {
	db := ddb.New(aws.Config{
		Region: "eu-west-1", HTTPClient: canned,
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", ""),
	})
	return handlers.New(handlers.Deps{DB: db, Table: "customers", Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
}

// bench measures one handler on one request; the event is built once.
func bench(b *testing.B, fn httpx.LambdaFunc, r req, want int) {
	e := r.event()
	b.ReportAllocs()
	for b.Loop() {
		if resp, _ := fn(context.Background(), e); resp.StatusCode != want {
			b.Fatalf("status %d, want %d: %s", resp.StatusCode, want, resp.Body)
		}
	}
}

func BenchmarkGetCustomer(b *testing.B) {
	bench(b, benchHandlers().Get(), req{method: "GET", path: "/customers/CUST-01JDZ8Q6ZV5X3B9N2M4K7T1R0A"}, 200)
}

func BenchmarkCreateCustomer(b *testing.B) {
	bench(b, benchHandlers().Create(), req{method: "POST", path: "/customers", body: `{"name":"Ada Lovelace","email":"ada@example.com"}`}, 201)
}

// BenchmarkListCustomers queries all 8 shards and merges 16 items.
func BenchmarkListCustomers(b *testing.B) {
	bench(b, benchHandlers().List(), req{method: "GET", path: "/customers", query: map[string]string{"limit": "20"}}, 200)
}
