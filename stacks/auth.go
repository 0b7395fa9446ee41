package stacks

import (
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
	p := userPoolProps(props.Env)
	p.ResourceServer, p.Scopes = contract.ResourceServer, []string{"read", "write"}
	pool := userpool.New(stack, "Users", p)
	publish(stack, "UserPoolArnParameter", props.Env, userPoolARNParameter, pool.Pool.UserPoolArn())
	return &AuthStack{Stack: stack, UserPool: pool}
}
