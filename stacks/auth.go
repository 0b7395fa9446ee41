package stacks

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/userpool"
	"github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/internal/customers/contract"
)

// AuthStackProps configures the identity stack.
type AuthStackProps struct {
	awscdk.StackProps
	Env config.Environment
}

// AuthStack holds the Cognito user pool, a stateful resource kept apart from
// the API. It is not created when the environment imports a central pool.
type AuthStack struct {
	awscdk.Stack
	UserPool *userpool.UserPool
}

// NewAuthStack creates the user pool with the customers resource server.
func NewAuthStack(scope constructs.Construct, id string, props AuthStackProps) *AuthStack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	a := props.Env.Auth
	pool := userpool.New(stack, "Users", userpool.Props{
		ResourceServer:       contract.ResourceServer,
		Scopes:               []string{"read", "write"},
		DomainPrefix:         props.Env.DomainPrefix(),
		WithoutDomain:        a.WithoutDomain,
		MFA:                  a.MFA,
		AccessTokenValidity:  time.Duration(a.AccessTokenMinutes) * time.Minute,
		RefreshTokenValidity: time.Duration(a.RefreshTokenDays) * 24 * time.Hour,
		CallbackURLs:         a.CallbackURLs,
		LogoutURLs:           a.LogoutURLs,
		EmailFrom:            a.EmailFrom,
		Retain:               props.Env.Retain,
	})
	publish(stack, "UserPoolArnParameter", props.Env, userPoolARNParameter, pool.Pool.UserPoolArn())
	return &AuthStack{Stack: stack, UserPool: pool}
}
