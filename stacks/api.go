package stacks

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/eventfanout"
	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/constructs/monitoring"
	"github.com/acme/customers-api/constructs/resourceapi"
	"github.com/acme/customers-api/constructs/restapi"
	"github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/internal/customers/contract"
	td "github.com/acme/customers-api/internal/customers/tabledesign"
)

// ApiStackProps configures the stateless stack. It finds the table and the
// user pool of its environment by name and SSM parameter (see
// references.go), or imports Env.Auth.ExistingUserPoolID.
type ApiStackProps struct {
	awscdk.StackProps
	Env config.Environment
}

// ApiStack holds everything stateless: the customers resource API (REST API,
// functions, event fan-out, alarms and dashboard).
type ApiStack struct {
	awscdk.Stack
	Customers *resourceapi.ResourceAPI
}

// NewApiStack builds the customers API through the public resourceapi
// construct, as any other team would.
func NewApiStack(scope constructs.Construct, id string, props ApiStackProps) *ApiStack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	env := props.Env
	var pool awscognito.IUserPool
	if id := env.Auth.ExistingUserPoolID; id != "" {
		pool = awscognito.UserPool_FromUserPoolId(stack, jsii.String("Users"), jsii.String(id))
	} else {
		pool = awscognito.UserPool_FromUserPoolArn(stack, jsii.String("Users"), resolve(stack, env, userPoolARNParameter))
	}
	table := awsdynamodb.Table_FromTableAttributes(stack, jsii.String("Table"), &awsdynamodb.TableAttributes{
		TableName: jsii.String(TableName(env)), TableStreamArn: resolve(stack, env, streamARNParameter),
	})
	var ops []resourceapi.Operation
	for _, op := range contract.Operations {
		ops = append(ops, resourceapi.Operation{
			Name: string(op.Name), Method: op.Method, Path: op.Path, Entry: op.Entry, Scopes: []string{op.Scope},
			BodyModel: op.BodyModel, BodySchema: contract.Schema(op.BodySchema),
			QuerySchema: contract.Schema(op.QuerySchema), PathSchema: contract.Schema(op.PathSchema),
			Access: resourceapi.TableAccess{Actions: op.Table.Actions, LeadingKeys: td.LeadingKeys(op.Table.KeyPrefixes...),
				IndexActions: op.Table.IndexActions, Indexes: op.Table.Indexes},
			Write: op.Write,
		})
	}
	a := env.Alarms
	customers := resourceapi.New(stack, "Customers", resourceapi.Props{
		Name:        "customers-" + env.Name,
		Description: "Customers API (" + env.Name + ")",
		Operations:  ops,
		Table:       table,
		UserPool:    pool,
		// The environment's Retain decides; resourceapi retains everything
		// unless Disposable.
		Disposable: !env.Retain,
		Functions: gofunction.Settings{
			MemoryMB: env.Lambda.MemoryMB, Timeout: time.Duration(env.Lambda.TimeoutSeconds) * time.Second,
			LogRetentionDays: env.LogRetentionDays, Retain: env.Retain, ProvisionedConcurrency: env.Lambda.ProvisionedConcurrency,
		},
		Rollout: resourceapi.Rollout{Strategy: env.Lambda.Rollout, SmokeCheckEntry: "functions/smoke-check"},
		API: restapi.Settings{
			Throttle:       throttle(env.Throttling),
			CORSOrigins:    env.CORSOrigins,
			CloudWatchRole: env.APIGatewayCloudWatchRole,
			WAF:            env.WAF,
			WAFRateLimit:   env.WAFRateLimit,
			UsagePlans:     usagePlans(env.UsagePlans),
			CustomDomain:   customDomain(env.CustomDomain),
			TraceSampling:  traceSampling(env.TraceSampling),
		},
		WriteThrottle: writeThrottle(env.WriteThrottling),
		Events: &eventfanout.Settings{
			ItemType: td.TypeCustomer, PublisherEntry: "functions/publish-customer-events", ForwarderEntry: "functions/forward-events",
			EventSource: contract.EventSource,
			// The bus and its archive live in the Data stack (see DataStack).
			Bus:                awsevents.EventBus_FromEventBusName(stack, jsii.String("Bus"), jsii.String(BusName(env))),
			NotificationEmails: env.Events.NotificationEmails, NotificationTypes: env.Events.NotificationTypes,
			// The seed's consumers: analytics gets every event, CRM new
			// customers and status changes.
			Rules: []eventfanout.Rule{
				{Name: "analytics"},
				{Name: "crm", DetailTypes: []string{contract.EventCreated, contract.EventStatusChanged}},
			},
		},
		Alarms: monitoring.Settings{Emails: env.AlarmEmails, MetricsNamespace: contract.MetricsNamespace, Thresholds: monitoring.Thresholds{
			API5xxPercent: a.API5xxPercent, API4xxPercent: a.API4xxPercent,
			APILatencyP99:            time.Duration(a.APILatencyP99Ms) * time.Millisecond,
			MinRequestsPer5Min:       a.MinRequestsPer5Min,
			DurationPercentOfTimeout: a.DurationPercentOfTimeout,
			ConcurrencyLimit:         a.ConcurrencyLimit, ConcurrencyPercent: a.ConcurrencyPercent,
			IteratorAge:       time.Duration(a.IteratorAgeSeconds) * time.Second,
			QueueAge:          time.Duration(a.QueueAgeSeconds) * time.Second,
			WAFBlockedPer5Min: a.WAFBlockedPer5Min,
		}},
	})
	// What the recovery runbook (README: Recovering events after a
	// publisher outage) passes to tools/recover.
	ev := customers.Events
	for _, o := range []struct{ id, value, what string }{
		{"EventTopicArn", *ev.Topic.TopicArn(), "tools/recover -topic"},
		{"PublisherDLQUrl", *ev.PublisherDLQ.QueueUrl(), "tools/recover redrive -queue"},
		{"EventRecoveryRoleArn", *ev.RecoveryRole.RoleArn(), "tools/recover -role: the role the recovery runs with"},
	} {
		awscdk.NewCfnOutput(stack, jsii.String(o.id), &awscdk.CfnOutputProps{Value: jsii.String(o.value), Description: jsii.String(o.what)})
	}
	return &ApiStack{Stack: stack, Customers: customers}
}

func throttle(t config.Throttling) restapi.Throttle {
	return restapi.Throttle{RateLimit: t.RateLimit, BurstLimit: t.BurstLimit}
}

func writeThrottle(t *config.Throttling) *restapi.Throttle {
	if t == nil {
		return nil
	}
	w := throttle(*t)
	return &w
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

func traceSampling(s *config.TraceSampling) *restapi.TraceSampling {
	if s == nil {
		return nil
	}
	return &restapi.TraceSampling{ReservoirPerSecond: s.ReservoirPerSecond, Rate: s.Rate}
}
