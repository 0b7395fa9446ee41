package stacks

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/config"
	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/constructs/restapi"
	"github.com/acme/customers-api/functions/customers/contract"
	td "github.com/acme/customers-api/functions/tabledesign"
)

// ApiStackProps configures the stateless stack.
type ApiStackProps struct {
	awscdk.StackProps
	Env   config.Environment
	Table awsdynamodb.ITable
	// UserPool authenticates callers; nil imports Env.Auth.ExistingUserPoolID.
	UserPool awscognito.IUserPool
}

// ApiStack holds the REST API and the handler functions.
type ApiStack struct {
	awscdk.Stack
	API *restapi.RestAPI
	// Functions by operation name ("list", "get", ...).
	Functions map[string]*gofunction.Function
}

// tableAccess is what one operation may do to the customers table.
type tableAccess struct {
	// Actions on the table itself, limited to items whose partition key
	// starts with one of LeadingKeys.
	Actions     []string
	LeadingKeys []string
	// IndexActions on the list indexes.
	IndexActions []string
}

// handler is where an operation's code lives and what it may do to the
// table: exactly what it calls (see functions/customers/store and
// functions/idempotency).
type handler struct {
	entry  string
	access tableAccess
}

var handlers = map[string]handler{
	"list": {"functions/list-customers", tableAccess{Actions: []string{"dynamodb:GetItem"},
		LeadingKeys: []string{"CUSTOMER#*", "EMAIL#*"}, IndexActions: []string{"dynamodb:Query"}}},
	"get": {"functions/get-customer", tableAccess{Actions: []string{"dynamodb:GetItem"},
		LeadingKeys: []string{"CUSTOMER#*"}}},
	"create": {"functions/create-customer", tableAccess{Actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
		LeadingKeys: []string{"CUSTOMER#*", "EMAIL#*", "IDEMPOTENCY#*"}}},
	"update": {"functions/update-customer", tableAccess{Actions: []string{"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"},
		LeadingKeys: []string{"CUSTOMER#*", "EMAIL#*"}}},
	"delete": {"functions/delete-customer", tableAccess{Actions: []string{"dynamodb:GetItem", "dynamodb:DeleteItem"},
		LeadingKeys: []string{"CUSTOMER#*", "EMAIL#*"}}},
}

// NewApiStack creates one function per operation and the REST API.
func NewApiStack(scope constructs.Construct, id string, props ApiStackProps) *ApiStack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	env := props.Env
	s := &ApiStack{Stack: stack, Functions: map[string]*gofunction.Function{}}
	pool := props.UserPool
	if pool == nil {
		pool = awscognito.UserPool_FromUserPoolId(stack, jsii.String("Users"), jsii.String(env.Auth.ExistingUserPoolID))
	}
	var ops []restapi.Operation
	for _, op := range contract.Operations {
		h := handlers[op.Name]
		fn := gofunction.New(stack, "Fn-"+op.Name, gofunction.Props{
			Entry:            h.entry,
			Description:      fmt.Sprintf("Customers API (%s): %s %s", env.Name, op.Method, op.Path),
			MemoryMB:         env.Lambda.MemoryMB,
			Timeout:          time.Duration(env.Lambda.TimeoutSeconds) * time.Second,
			LogRetentionDays: env.LogRetentionDays,
			RetainLogs:       env.DeletionProtection,
			Environment: map[string]string{
				"TABLE_NAME":      *props.Table.TableName(),
				"ALLOWED_ORIGINS": strings.Join(env.CORSOrigins, ","),
			},
		})
		grant(fn, props.Table, h.access)
		s.Functions[op.Name] = fn
		ops = append(ops, restapi.Operation{
			Method: op.Method, Path: op.Path, Handler: fn.Function, Scopes: []string{op.Scope},
			BodyModel: op.BodyModel, BodySchema: contract.Schema(op.BodySchema),
			QuerySchema: contract.Schema(op.QuerySchema), PathSchema: contract.Schema(op.PathSchema),
			Throttle: writeThrottle(env, op.Write),
		})
	}
	s.API = restapi.New(stack, "Customers", restapi.Props{
		Name:             "customers-" + env.Name,
		Description:      "Customers API (" + env.Name + ")",
		Throttle:         throttle(env.Throttling),
		Operations:       ops,
		UserPool:         pool,
		LogRetentionDays: env.LogRetentionDays,
		RetainLogs:       env.DeletionProtection,
		CORSOrigins:      env.CORSOrigins,
		CloudWatchRole:   env.APIGatewayCloudWatchRole,
		WAF:              env.WAF,
		WAFRateLimit:     env.WAFRateLimit,
		UsagePlans:       usagePlans(env.UsagePlans),
		CustomDomain:     customDomain(env.CustomDomain),
	})
	return s
}

// grant gives fn exactly the table access of its operation.
func grant(fn *gofunction.Function, table awsdynamodb.ITable, a tableAccess) {
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(a.Actions...),
		Resources: jsii.Strings(*table.TableArn()),
		Conditions: &map[string]any{
			"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": a.LeadingKeys},
		},
	}))
	if len(a.IndexActions) > 0 {
		fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings(a.IndexActions...),
			Resources: jsii.Strings(
				*table.TableArn()+"/index/"+td.ListIndex,
				*table.TableArn()+"/index/"+td.StatusIndex,
			),
		}))
	}
}

func throttle(t config.Throttling) restapi.Throttle {
	return restapi.Throttle{RateLimit: t.RateLimit, BurstLimit: t.BurstLimit}
}

func writeThrottle(env config.Environment, write bool) *restapi.Throttle {
	if !write || env.WriteThrottling == nil {
		return nil
	}
	t := throttle(*env.WriteThrottling)
	return &t
}

func usagePlans(plans []config.UsagePlan) []restapi.UsagePlan {
	out := make([]restapi.UsagePlan, len(plans))
	for i, p := range plans {
		out[i] = restapi.UsagePlan{Name: p.Name, Throttle: throttle(p.Throttling), QuotaPerDay: p.QuotaPerDay, APIKeys: p.APIKeys}
	}
	return out
}

func customDomain(d *config.CustomDomain) *restapi.CustomDomain {
	if d == nil {
		return nil
	}
	return &restapi.CustomDomain{Name: d.Name, CertificateARN: d.CertificateARN}
}
