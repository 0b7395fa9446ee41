// Package orders is the example consumer's handler code: operations on
// an orders table, built only from the public handler helpers of
// github.com/acme/customers-api/lambdakit (httpx, idempotency, validate,
// ddb, lambdaenv, metrics, tracing), and the partner routes' Lambda
// authorizer (PartnerAuthorizer).
package orders

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/oklog/ulid/v2"

	"github.com/acme/customers-api/examples/orders/schemas"
	"github.com/acme/customers-api/lambdakit/ddb"
	"github.com/acme/customers-api/lambdakit/envvars"
	"github.com/acme/customers-api/lambdakit/httpx"
	"github.com/acme/customers-api/lambdakit/idempotency"
	"github.com/acme/customers-api/lambdakit/lambdaenv"
	"github.com/acme/customers-api/lambdakit/metrics"
	"github.com/acme/customers-api/lambdakit/tracing"
	"github.com/acme/customers-api/lambdakit/validate"
)

// Item is one line of an order.
type Item struct {
	SKU      string `json:"sku" dynamodbav:"sku"`
	Quantity int    `json:"quantity" dynamodbav:"quantity"`
}

// Order is the stored record.
type Order struct {
	PK          string    `json:"-" dynamodbav:"pk"`
	SK          string    `json:"-" dynamodbav:"sk"`
	Type        string    `json:"-" dynamodbav:"type"`
	OrderID     string    `json:"orderId" dynamodbav:"orderId"`
	CustomerID  string    `json:"customerId" dynamodbav:"customerId"`
	Items       []Item    `json:"items" dynamodbav:"items"`
	CreatedDate time.Time `json:"createdDate" dynamodbav:"createdDate"`
}

// DB is the DynamoDB API the handlers use.
type DB interface {
	idempotency.API
}

// Handlers serve the orders API.
type Handlers struct {
	db    DB
	table string
	idem  *idempotency.Store
	svc   *httpx.Service
}

var (
	createSchema = validate.MustCompile(schemas.FS, schemas.Create)
	pathSchema   = validate.MustCompile(schemas.FS, schemas.Path)
	errNotFound  = errors.New("order not found")
)

// New wires the handlers.
func New(db DB, table string, logger *slog.Logger, m *metrics.Recorder) *Handlers {
	h := &Handlers{db: db, table: table, idem: idempotency.New(db, table, idempotency.Options{})}
	h.svc = &httpx.Service{Logger: logger, DeadlineMargin: 500 * time.Millisecond, Trace: tracing.Request,
		Map: func(err error) *httpx.Error {
			if errors.Is(err, errNotFound) {
				return httpx.NewError(http.StatusNotFound, "order-not-found", "No order has this id.")
			}
			return nil
		},
		Observe: func(_ context.Context, o httpx.Outcome) {
			if m != nil && o.Status == http.StatusCreated {
				m.Emit(map[string]string{"Operation": "create"}, metrics.Metric{Name: "OrdersCreated", Unit: "Count", Value: 1})
			}
		},
	}
	return h
}

// Create handles POST /orders.
func (h *Handlers) Create() httpx.LambdaFunc { return h.svc.Handle("POST /orders", h.create) }

// Get handles GET /orders/{id}.
func (h *Handlers) Get() httpx.LambdaFunc { return h.svc.Handle("GET /orders/{id}", h.get) }

// Main starts one operation's function.
func Main(operation func(*Handlers) httpx.LambdaFunc) {
	logger, env, cfg := lambdaenv.Start(envvars.TableName)
	m := metrics.New(os.Stdout, "Orders", map[string]string{"Service": "orders"})
	lambda.Start(operation(New(ddb.New(cfg), env[envvars.TableName], logger, m)))
}

func (h *Handlers) create(ctx context.Context, req *httpx.Request) (httpx.Response, error) {
	body, err := httpx.JSONBody(req, 64<<10)
	if err != nil {
		return httpx.Response{}, err
	}
	var o Order
	if err := createSchema.Decode(body, &o); err != nil {
		return httpx.Response{}, err
	}
	run := func(ctx context.Context) httpx.Response {
		now := time.Now().UTC()
		o.OrderID = "ORD-" + ulid.MustNew(ulid.Timestamp(now), rand.Reader).String()
		o.PK, o.SK, o.Type, o.CreatedDate = "ORDER#"+o.OrderID, "ORDER", "order", now
		item, err := attributevalue.MarshalMap(o)
		if err == nil {
			_, err = h.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &h.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")})
		}
		if err != nil {
			return httpx.ErrorResponse(ctx, ddb.Classify("put order", err))
		}
		resp, _ := httpx.JSON(http.StatusCreated, o, map[string]string{"Location": httpx.ResourcePath(req, o.OrderID)})
		return resp
	}
	key := httpx.Header(req, idempotency.HeaderKey)
	if key == "" {
		return run(ctx), nil
	}
	return h.idem.Do(ctx, idempotency.Request{Scope: httpx.Principal(req) + " POST /orders", Key: key, Fingerprint: idempotency.Fingerprint(string(body))}, run)
}

func (h *Handlers) get(ctx context.Context, req *httpx.Request) (httpx.Response, error) {
	doc := map[string]any{}
	for k, v := range req.PathParameters {
		doc[k] = v
	}
	if err := pathSchema.Check(doc, "/path"); err != nil {
		return httpx.Response{}, err
	}
	out, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &h.table, ConsistentRead: aws.Bool(true), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "ORDER#" + req.PathParameters["id"]}, "sk": &types.AttributeValueMemberS{Value: "ORDER"},
	}})
	if err != nil {
		return httpx.Response{}, ddb.Classify("get order", err)
	}
	if out.Item == nil {
		return httpx.Response{}, errNotFound
	}
	var o Order
	if err := attributevalue.UnmarshalMap(out.Item, &o); err != nil {
		return httpx.Response{}, fmt.Errorf("decode order: %w", err)
	}
	return httpx.JSON(http.StatusOK, o, nil)
}
