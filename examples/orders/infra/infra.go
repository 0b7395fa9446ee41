// Package infra is the example consumer's CDK code: the orders API built
// with the public resourceapi construct, its own schemas and handlers.
package infra

import (
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/constructs/monitoring"
	"github.com/acme/customers-api/constructs/resourceapi"
	"github.com/acme/customers-api/constructs/restapi"
	"github.com/acme/customers-api/constructs/table"
	"github.com/acme/customers-api/constructs/userpool"
	"github.com/acme/customers-api/examples/orders/orders"
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
	// Shipping stands for the role of another service, in the same
	// account, that reads orders over IAM (SigV4): it may call
	// GET /internal/orders/{id} and nothing else.
	Shipping awsiam.Role
}

// DevPartners are the partners' tokens of the dev stage, by partner id;
// "globex" is suspended. Only their SHA-256 digests reach the template. A
// real stage configures the digests of tokens handed out of band.
var DevPartners = map[string]string{"acme": "dev-partner-token-acme", "globex": "dev-partner-token-globex"}

// partnerTokens is the PartnerTokensEnv value for tokens by partner.
func partnerTokens(tokens map[string]string) string {
	var entries []string
	for id, token := range tokens {
		entries = append(entries, id+"="+orders.TokenDigest(token))
	}
	sort.Strings(entries)
	return strings.Join(entries, ",")
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
			// Partners read orders with a partner token, checked by a Lambda
			// authorizer; other services of the account read them over IAM.
			{Name: "partner-get", Method: "GET", Path: "/partner/orders/{id}", Entry: "functions/get-order", Authorizer: "partners",
				PathSchema: schemas.Read(schemas.Path),
				Access:     resourceapi.TableAccess{Actions: []string{"dynamodb:GetItem"}, LeadingKeys: []string{"ORDER#*"}}},
			{Name: "service-get", Method: "GET", Path: "/internal/orders/{id}", Entry: "functions/get-order", IAM: true,
				PathSchema: schemas.Read(schemas.Path),
				Access:     resourceapi.TableAccess{Actions: []string{"dynamodb:GetItem"}, LeadingKeys: []string{"ORDER#*"}}},
		},
		Authorizers: []resourceapi.Authorizer{{
			Name: "partners", Entry: "functions/authorize-partner",
			Environment: map[string]string{orders.PartnerTokensEnv: partnerTokens(DevPartners), orders.SuspendedPartnersEnv: "globex"},
			AuthorizerSettings: restapi.AuthorizerSettings{
				Type: restapi.TokenAuthorizer, IdentitySources: []string{"method.request.header.Authorization"}, ResultsTTL: 5 * time.Minute,
			},
		}},
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
	api := resourceapi.New(stack, "Orders", Props(p.Stage, users, p.AlarmEmails))
	shipping := awsiam.NewRole(stack, jsii.String("ShippingService"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewAccountPrincipal(stack.Account()),
		Description: jsii.String("Stands for the shipping service's role: reads orders over IAM"),
	})
	api.GrantInvoke(shipping, "service-get")
	return &Stack{Stack: stack, Users: users, Orders: api, Shipping: shipping}
}
