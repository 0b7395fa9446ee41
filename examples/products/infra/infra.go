// Package infra is the products API's CDK code: one stack with the user
// pool and the API, built on the public resourceapi construct.
package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/constructs/monitoring"
	"github.com/acme/customers-api/constructs/resourceapi"
	"github.com/acme/customers-api/constructs/restapi"
	"github.com/acme/customers-api/constructs/table"
	"github.com/acme/customers-api/constructs/userpool"
	"github.com/acme/products-api/schemas"
)

// StackProps configures the products stack.
type StackProps struct {
	awscdk.StackProps
	// Stage names the environment, e.g. "dev"; it suffixes every name.
	Stage string
	// AlarmEmails are paged when the API is unhealthy.
	AlarmEmails []string
}

// Stack holds the products API.
type Stack struct {
	awscdk.Stack
	Users    *userpool.UserPool
	Products *resourceapi.ResourceAPI
}

// APIKey is the usage plan's API key name (the partner shop's).
const APIKey = "shop"

// NewStack creates the products stack: a user pool with the "products"
// resource server and its read and write scopes, and the API on a table of
// its own.
func NewStack(scope constructs.Construct, id string, p StackProps) *Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), &p.StackProps)
	users := userpool.New(stack, "Users", userpool.Props{
		ResourceServer: "products", Scopes: []string{"read", "write"}, DomainPrefix: "products-" + p.Stage,
		CallbackURLs: []string{"https://shop.example.com/callback"},
		// The pool holds the users: deleting the stack must not delete them.
		Retain: true,
	})
	api := resourceapi.New(stack, "Products", resourceapi.Props{
		Name:        "products-" + p.Stage,
		Description: "Products API (" + p.Stage + ")",
		UserPool:    users.Pool,
		NewTable:    &table.Props{PartitionKey: "pk", SortKey: "sk", LogicalID: "ProductsTable"},
		Operations: []resourceapi.Operation{
			{Name: "create", Method: "POST", Path: "/products", Entry: "functions/create-product", Write: true,
				Scopes: []string{users.Scope("write")}, BodyModel: "ProductCreate", BodySchema: schemas.Create,
				Access: resourceapi.TableAccess{Actions: []string{"dynamodb:PutItem"}, LeadingKeys: []string{"PRODUCT#*"}}},
			{Name: "get", Method: "GET", Path: "/products/{sku}", Entry: "functions/get-product",
				Scopes: []string{users.Scope("read")}, PathSchema: schemas.Path,
				Access: resourceapi.TableAccess{Actions: []string{"dynamodb:GetItem"}, LeadingKeys: []string{"PRODUCT#*"}}},
		},
		API: restapi.Settings{
			Throttle:   restapi.Throttle{RateLimit: 50, BurstLimit: 100},
			UsagePlans: []restapi.UsagePlan{{Name: "partners", Throttle: restapi.Throttle{RateLimit: 20, BurstLimit: 40}, QuotaPerDay: 10_000, APIKeys: []string{APIKey}}},
		},
		Alarms: monitoring.Settings{Emails: p.AlarmEmails},
	})
	return &Stack{Stack: stack, Users: users, Products: api}
}

// NewApp adds the dev stack, Products-dev in account 111111111111 and
// eu-west-1, to app and checks the app with cdk-nag's AWS Solutions rules.
// The CDK app and the tests both call it.
func NewApp(app awscdk.App) *Stack {
	s := NewStack(app, "Products-dev", StackProps{
		StackProps: awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}},
		Stage:      "dev",
	})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
	return s
}
