package resourceapi

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"

	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/constructs/internal/cdkx"
	"github.com/acme/customers-api/constructs/restapi"
)

// Authorizer is a Lambda authorizer whose function is a Go main package,
// built as the operations' handlers are (constructs/gofunction), with a
// role that allows nothing but its own logs and traces. Operations name it
// in Operation.Authorizer.
type Authorizer struct {
	// Name is alphanumeric and unique, e.g. "partners"; it names the
	// function and the authorizer.
	Name string
	// Entry is the authorizer's Go main package (see
	// gofunction.Props.Entry); it answers events.APIGatewayCustomAuthorizer*
	// events with a policy on the method ARN.
	Entry string
	// Environment is the function's environment.
	Environment map[string]string
	restapi.AuthorizerSettings
}

// authorizers builds each authorizer's function, invoked through its live
// alias, and returns them as restapi's Lambda authorizers.
func (r *ResourceAPI) authorizers(p Props) []restapi.LambdaAuthorizer {
	var out []restapi.LambdaAuthorizer
	for _, a := range p.Authorizers {
		fn := gofunction.New(r.Construct, "Authorizer-"+a.Name, gofunction.Props{
			Entry: a.Entry, Description: fmt.Sprintf("%s: Lambda authorizer %s", p.Name, a.Name),
			Settings: p.Functions, Environment: a.Environment,
		})
		r.Authorizers[a.Name] = fn
		out = append(out, restapi.LambdaAuthorizer{Name: a.Name, Handler: fn.Alias, AuthorizerSettings: a.AuthorizerSettings})
	}
	return out
}

// GrantInvoke allows grantee (the role of a service that calls the API)
// execute-api:Invoke on exactly the IAM-authorized operation of this name
// and on nothing else (see restapi.RestAPI.GrantInvoke). An unknown or
// not IAM-authorized operation is an error annotation.
func (r *ResourceAPI) GrantInvoke(grantee awsiam.IGrantable, operation string) {
	op, ok := r.operations[operation]
	if !ok || r.API == nil || r.API.Stage == nil {
		cdkx.Error(r.Construct, "resourceapi: GrantInvoke: no operation %q", operation)
		return
	}
	r.API.GrantInvoke(grantee, op.Method+" "+op.Path)
}

// authorizerEntries are the Go packages of the authorizers.
func authorizerEntries(p Props) []string {
	var out []string
	for _, a := range p.Authorizers {
		out = append(out, a.Entry)
	}
	return out
}

// validateAuthorizers reports authorizers without an Entry, and a Name
// twice (each names its function, built before restapi sees them);
// restapi checks the rest.
func validateAuthorizers(p Props) []string {
	var problems []string
	names := map[string]bool{}
	for i, a := range p.Authorizers {
		if a.Entry == "" {
			problems = append(problems, fmt.Sprintf("Authorizers[%d] %s: Entry (the authorizer's Go package) is required", i, a.Name))
		}
		if names[a.Name] {
			problems = append(problems, fmt.Sprintf("Authorizers[%d]: Name %q is not unique", i, a.Name))
		}
		names[a.Name] = true
	}
	return problems
}

// authorizerAlarmName names an authorizer's function in the monitoring and
// the rollout, e.g. "authorizer-partners".
func authorizerAlarmName(name string) string { return "authorizer-" + name }
