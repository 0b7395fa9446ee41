// Package infra is the example consumer's CDK code: the orders API built
// with the public resourceapi construct, its own schemas and handlers.
package infra

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/constructs/monitoring"
	"github.com/acme/customers-api/constructs/resourceapi"
	"github.com/acme/customers-api/constructs/restapi"
	"github.com/acme/customers-api/constructs/table"
	"github.com/acme/customers-api/constructs/userpool"
	"github.com/acme/customers-api/examples/orders/schemas"
)

// StackProps configures the orders stack.
type StackProps struct {
	awscdk.StackProps
	// Stage names the environment, e.g. "dev".
	Stage       string
	AlarmEmails []string
}

// Stack holds the orders API. For brevity the user pool and the table live
// here too; a real service keeps them in a stateful stack of their own and
// passes them in (resourceapi.Props.UserPool and Table).
type Stack struct {
	awscdk.Stack
	Users  *userpool.UserPool
	Orders *resourceapi.ResourceAPI
}

// Props returns the orders API's resourceapi props for a user pool; tests
// change them to check the construct's validation.
func Props(stage string, users *userpool.UserPool, alarmEmails []string) resourceapi.Props {
	return resourceapi.Props{
		Name:        "orders-" + stage,
		Description: "Orders API (" + stage + ")",
		// Everything stateful is retained unless Disposable: only a
		// throwaway stage may delete its table and logs with the stack.
		Disposable: stage != "prod",
		UserPool:   users.Pool,
		NewTable:   &table.Props{PartitionKey: "pk", SortKey: "sk", TTLAttribute: "expiresAt", LogicalID: "OrdersTable"},
		Operations: []resourceapi.Operation{
			{Name: "create", Method: "POST", Path: "/orders", Entry: "functions/create-order", Write: true, Idempotent: true,
				Scopes: []string{users.Scope("write")}, BodyModel: "OrderCreate", BodySchema: schemas.Read(schemas.Create),
				Access: resourceapi.TableAccess{Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
					LeadingKeys: []string{"ORDER#*", "IDEMPOTENCY#*"}}},
			{Name: "get", Method: "GET", Path: "/orders/{id}", Entry: "functions/get-order",
				Scopes: []string{users.Scope("read")}, PathSchema: schemas.Read(schemas.Path),
				Access: resourceapi.TableAccess{Actions: []string{"dynamodb:GetItem"}, LeadingKeys: []string{"ORDER#*"}}},
		},
		Functions: gofunction.Settings{MemoryMB: 256, Timeout: 10 * time.Second, LogRetentionDays: 30},
		API: restapi.Settings{
			Throttle:   restapi.Throttle{RateLimit: 100, BurstLimit: 200},
			UsagePlans: []restapi.UsagePlan{{Name: "standard", Throttle: restapi.Throttle{RateLimit: 50, BurstLimit: 100}, QuotaPerDay: 100_000, APIKeys: []string{"shop"}}},
		},
		WriteThrottle: &restapi.Throttle{RateLimit: 20, BurstLimit: 40},
		Alarms:        monitoring.Settings{Emails: alarmEmails},
	}
}

// NewStack creates the orders stack.
func NewStack(scope constructs.Construct, id string, p StackProps) *Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), &p.StackProps)
	users := userpool.New(stack, "Users", userpool.Props{
		ResourceServer: "orders", Scopes: []string{"read", "write"}, DomainPrefix: "orders-" + p.Stage,
		CallbackURLs: []string{"https://shop.example.com/callback"},
	})
	orders := resourceapi.New(stack, "Orders", Props(p.Stage, users, p.AlarmEmails))
	return &Stack{Stack: stack, Users: users, Orders: orders}
}
