package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/acme/customers-api/constructs/ssmref"
	"github.com/acme/customers-api/internal/config"
)

// The Api stack reads what it needs of the Data and Auth stacks at deploy
// time, never through CloudFormation exports: an export in use would block
// every change to the table's stream or a replacement of the pool. The
// table has a deterministic name; what is generated (the stream's ARN, the
// pool's ARN) is published in SSM parameters by its own stack and resolved
// when the Api stack deploys, with constructs/ssmref.

// TableName is the customers table's physical name.
func TableName(env config.Environment) string { return "customers-" + env.Name }

// BusName is the customers event bus's physical name: consumers in other
// stacks and accounts address it by name, so it is fixed, and the bus lives
// in the Data stack, which is never replaced.
func BusName(env config.Environment) string { return "customers-" + env.Name }

// Parameter names, under /customers/<env>/ (see config.ParameterName).
const (
	streamARNParameter   = config.StreamARNParameter
	userPoolARNParameter = config.UserPoolARNParameter
)

// ParameterName is the full SSM name of one of the environment's values.
func ParameterName(env config.Environment, name string) string { return env.ParameterName(name) }

// publish writes value to the environment's SSM parameter name (see
// constructs/ssmref).
func publish(scope constructs.Construct, id string, env config.Environment, name string, value *string) {
	ssmref.Publish(scope, id, ParameterName(env, name), value, "Read by Customers-"+env.Name+"-Api when it deploys")
}

// resolve is the value of the environment's SSM parameter name, read when
// the stack deploys (see constructs/ssmref).
func resolve(scope constructs.Construct, env config.Environment, name string) *string {
	return ssmref.Resolve(scope, ParameterName(env, name))
}
