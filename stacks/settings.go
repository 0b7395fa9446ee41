package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/eventfanout"
	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/constructs/monitoring"
	"github.com/acme/customers-api/constructs/resourceapi"
	"github.com/acme/customers-api/constructs/table"
	"github.com/acme/customers-api/constructs/userpool"
	"github.com/acme/customers-api/internal/config"
)

// This file is the one place where an environment's configuration becomes
// construct props: each function below returns what the environment
// decides, and the stack that calls it adds what the code decides (keys,
// entries, operations, references). config speaks the constructs'
// vocabulary, so most fields pass through whole. test/settings_test.go
// changes every leaf of a configuration and checks that the change reaches
// the synthesized templates, so a field mapped nowhere fails it.

// stackProps are the props of the environment's stack part ("Data",
// "Auth", "Api").
func stackProps(env config.Environment, part string) awscdk.StackProps {
	return awscdk.StackProps{
		Env:       &awscdk.Environment{Account: jsii.String(env.Account), Region: jsii.String(env.Region)},
		StackName: jsii.String(StackName(env, part)),
		Tags: &map[string]*string{
			"service":     jsii.String("customers"),
			"environment": jsii.String(env.Name),
		},
		Description:           jsii.String(fmt.Sprintf("Customers API (%s): %s", env.Name, part)),
		TerminationProtection: jsii.Bool(env.Retain),
	}
}

// tableProps are the customers table's props that the environment decides;
// the Data stack adds the key design.
func tableProps(env config.Environment) table.Props {
	return table.Props{
		Name:                TableName(env),
		Retain:              env.Retain,
		ContributorInsights: env.ContributorInsights,
	}
}

// busProps are the event bus's props that the environment decides; the Data
// stack adds the event source.
func busProps(env config.Environment) eventfanout.BusProps {
	return eventfanout.BusProps{
		Name:                 BusName(env),
		ArchiveRetentionDays: env.Events.ArchiveRetentionDays,
		Retain:               env.Retain,
	}
}

// userPoolProps are the user pool's props that the environment decides;
// the Auth stack adds the resource server and its scopes.
func userPoolProps(env config.Environment) userpool.Props {
	a := env.Auth
	return userpool.Props{
		DomainPrefix:         env.DomainPrefix(),
		WithoutDomain:        a.WithoutDomain,
		MFA:                  a.MFA,
		AccessTokenValidity:  a.AccessTokenValidity,
		RefreshTokenValidity: a.RefreshTokenValidity,
		CallbackURLs:         a.CallbackURLs,
		LogoutURLs:           a.LogoutURLs,
		EmailFrom:            a.EmailFrom,
		Retain:               env.Retain,
	}
}

// apiProps are the resource API's props that the environment decides; the
// Api stack adds the operations, the table, the user pool and the event
// pipeline's code and consumers.
func apiProps(env config.Environment) resourceapi.Props {
	return resourceapi.Props{
		Name:        "customers-" + env.Name,
		Description: "Customers API (" + env.Name + ")",
		// The environment's Retain decides; resourceapi retains everything
		// stateful unless Disposable.
		Disposable: !env.Retain,
		Functions: gofunction.Settings{
			MemoryMB:               env.Functions.MemoryMB,
			Timeout:                env.Functions.Timeout,
			ProvisionedConcurrency: env.Functions.ProvisionedConcurrency,
			LogRetentionDays:       env.LogRetentionDays,
			Retain:                 env.Retain,
		},
		Rollout:       resourceapi.Rollout{Strategy: env.Rollout.Strategy},
		API:           env.API,
		WriteThrottle: env.WriteThrottle,
		Events: &eventfanout.Settings{
			NotificationEmails: env.Events.NotificationEmails,
			NotificationTypes:  env.Events.NotificationTypes,
		},
		Alarms: monitoring.Settings{Emails: env.Alarms.Emails, Thresholds: env.Alarms.Thresholds},
	}
}

// userPool is the pool the API authenticates with: the imported
// Auth.ExistingUserPoolID, or the Auth stack's, by the ARN it publishes.
func userPool(scope constructs.Construct, env config.Environment) awscognito.IUserPool {
	if id := env.Auth.ExistingUserPoolID; id != "" {
		return awscognito.UserPool_FromUserPoolId(scope, jsii.String("Users"), jsii.String(id))
	}
	return awscognito.UserPool_FromUserPoolArn(scope, jsii.String("Users"), resolve(scope, env, userPoolARNParameter))
}

// importsUserPool reports whether the environment uses a central pool, so
// that it has no Auth stack.
func importsUserPool(env config.Environment) bool { return env.Auth.ExistingUserPoolID != "" }
