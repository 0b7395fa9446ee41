// Package stacks composes the constructs into the stacks of each
// environment. Stacks only wire: every resource is made by a construct in
// constructs/.
package stacks

import (
	"errors"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/internal/config"
)

// Deployment holds the stacks of one environment.
type Deployment struct {
	Env  config.Environment
	Data *DataStack
	// Auth is nil when the environment imports an existing user pool.
	Auth *AuthStack
	Api  *ApiStack
}

// Stacks lists the deployment's stacks.
func (s *Deployment) Stacks() []awscdk.Stack {
	out := []awscdk.Stack{s.Data.Stack}
	if s.Auth != nil {
		out = append(out, s.Auth.Stack)
	}
	return append(out, s.Api.Stack)
}

// StackName is the name of an environment's stack, e.g. "Customers-dev-Data".
func StackName(env config.Environment, part string) string { return env.StackName(part) }

// NewApp adds the stacks of every given environment to app and applies the
// cdk-nag AwsSolutions checks to all of them. app.go and the tests both call
// it. An invalid configuration adds nothing and returns the validation error.
func NewApp(app awscdk.App, envs []config.Environment) ([]*Deployment, error) {
	var errs []error
	for _, env := range envs {
		errs = append(errs, env.Validate())
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	services := make([]*Deployment, 0, len(envs))
	for _, env := range envs {
		services = append(services, newDeployment(app, env))
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return services, nil
}

func newDeployment(app awscdk.App, env config.Environment) *Deployment {
	svc := &Deployment{Env: env}
	svc.Data = NewDataStack(app, StackName(env, "Data"), DataStackProps{StackProps: stackProps(env, "Data"), Env: env})
	if !importsUserPool(env) {
		svc.Auth = NewAuthStack(app, StackName(env, "Auth"), AuthStackProps{StackProps: stackProps(env, "Auth"), Env: env})
	}
	svc.Api = NewApiStack(app, StackName(env, "Api"), ApiStackProps{StackProps: stackProps(env, "Api"), Env: env})
	// Deploy order without exports: the Api stack reads the others' SSM
	// parameters, so it comes after them.
	svc.Api.AddStackDependency(svc.Data.Stack, jsii.String("reads the table's stream ARN from SSM"))
	if svc.Auth != nil {
		svc.Api.AddStackDependency(svc.Auth.Stack, jsii.String("reads the user pool's ARN from SSM"))
	}
	return svc
}
