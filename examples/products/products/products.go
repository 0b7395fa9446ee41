// Package products is the products API's handler code: create and read a
// product by its SKU, built only from the public handler toolkit of
// github.com/acme/customers-api/lambdakit (httpx, validate, ddb, lambdaenv).
package products

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme/customers-api/lambdakit/ddb"
	"github.com/acme/customers-api/lambdakit/envvars"
	"github.com/acme/customers-api/lambdakit/httpx"
	"github.com/acme/customers-api/lambdakit/lambdaenv"
	"github.com/acme/customers-api/lambdakit/validate"
	"github.com/acme/products-api/schemas"
)

// Product is a catalogue entry, as the API shows it.
type Product struct {
	SKU        string `json:"sku" dynamodbav:"sku"`
	Name       string `json:"name" dynamodbav:"name"`
	PriceCents int64  `json:"priceCents" dynamodbav:"priceCents"`
}

// The table holds one item per product: partition key "PRODUCT#<sku>",
// sort key "PRODUCT" (the infrastructure's LeadingKeys follow the prefix).
const (
	keyPrefix = "PRODUCT#"
	sortKey   = "PRODUCT"
)

func key(sku string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: keyPrefix + sku},
		"sk": &types.AttributeValueMemberS{Value: sortKey},
	}
}

// DB is the part of the DynamoDB API the handlers call.
type DB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

var (
	createSchema = validate.MustCompile(schemas.FS, schemas.CreateFile)
	pathSchema   = validate.MustCompile(schemas.FS, schemas.PathFile)

	errNotFound = errors.New("product not found")
	errExists   = errors.New("product exists")
)

// Handlers serve the products API.
type Handlers struct {
	db    DB
	table string
	svc   *httpx.Service
}

// New wires the handlers to a table.
func New(db DB, table string, logger *slog.Logger) *Handlers {
	return &Handlers{db: db, table: table, svc: &httpx.Service{
		Logger: logger, DeadlineMargin: 500 * time.Millisecond,
		Map: func(err error) *httpx.Error {
			switch {
			case errors.Is(err, errNotFound):
				return httpx.NewError(http.StatusNotFound, "product-not-found", "No product has this SKU.")
			case errors.Is(err, errExists):
				return httpx.NewError(http.StatusConflict, "product-exists", "A product with this SKU exists.")
			}
			return nil
		},
	}}
}

// Create handles POST /products: 201 with the product, 409 when the SKU is
// taken, 400 with JSON Pointers for a body the schema refuses.
func (h *Handlers) Create() httpx.LambdaFunc { return h.svc.Handle("POST /products", h.create) }

// Get handles GET /products/{sku}: 200 with the product, or 404.
func (h *Handlers) Get() httpx.LambdaFunc { return h.svc.Handle("GET /products/{sku}", h.get) }

// Main starts the function of one operation: the toolkit's start-up, then
// the handler.
func Main(operation func(*Handlers) httpx.LambdaFunc) {
	logger, env, cfg := lambdaenv.Start(envvars.TableName)
	lambda.Start(operation(New(ddb.New(cfg), env[envvars.TableName], logger)))
}

func (h *Handlers) create(ctx context.Context, req *httpx.Request) (httpx.Response, error) {
	body, err := httpx.JSONBody(req, 16<<10)
	if err != nil {
		return httpx.Response{}, err
	}
	var p Product
	if err := createSchema.Decode(body, &p); err != nil {
		return httpx.Response{}, err
	}
	item, err := attributevalue.MarshalMap(p)
	if err != nil {
		return httpx.Response{}, fmt.Errorf("encode product: %w", err)
	}
	for k, v := range key(p.SKU) {
		item[k] = v
	}
	_, err = h.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &h.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if _, taken := errors.AsType[*types.ConditionalCheckFailedException](err); taken {
		return httpx.Response{}, errExists
	}
	if err != nil {
		return httpx.Response{}, ddb.Classify("put product", err)
	}
	return httpx.JSON(http.StatusCreated, p, map[string]string{"Location": httpx.ResourcePath(req, p.SKU)})
}

func (h *Handlers) get(ctx context.Context, req *httpx.Request) (httpx.Response, error) {
	if err := pathSchema.Check(map[string]any{"sku": req.PathParameters["sku"]}, "/path"); err != nil {
		return httpx.Response{}, err
	}
	out, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &h.table, Key: key(req.PathParameters["sku"]), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return httpx.Response{}, ddb.Classify("get product", err)
	}
	if out.Item == nil {
		return httpx.Response{}, errNotFound
	}
	var p Product
	if err := attributevalue.UnmarshalMap(out.Item, &p); err != nil {
		return httpx.Response{}, fmt.Errorf("decode product: %w", err)
	}
	return httpx.JSON(http.StatusOK, p, nil)
}
