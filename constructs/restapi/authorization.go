package restapi

import (
	"cmp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/acme/customers-api/constructs/internal/cdkx"
)

// everyMethodAuthorized is an aspect over the API: at synth, every method
// of the API, the ones added by hand after New included, must name an
// authorizer. AuthorizationType NONE, the default of a method CDK adds,
// lets any caller through ("AWS::ApiGateway::Method", AuthorizationType).
// Exempt: OPTIONS, the CORS preflight, which browsers send without
// credentials (Fetch Standard, CORS-preflight request), and the methods
// New itself leaves open (the 405 ANY methods: a MOCK, no backend).
type everyMethodAuthorized struct {
	// open holds the paths of the CfnMethods New leaves open.
	open map[string]bool
}

// Visit reports a method without an authorizer as an error annotation on
// it, naming its method and path.
func (a *everyMethodAuthorized) Visit(node constructs.IConstruct) {
	m, ok := node.(awsapigateway.CfnMethod)
	if !ok || a.open[*node.Node().Path()] {
		return
	}
	stack := awscdk.Stack_Of(node)
	method, _ := stack.Resolve(m.HttpMethod()).(string)
	auth, _ := stack.Resolve(m.AuthorizationType()).(string)
	if method == "OPTIONS" || (auth != "" && auth != "NONE") {
		return
	}
	path := "/"
	if parent, ok := node.Node().Scope().Node().Scope().(awsapigateway.IResource); ok {
		path = *parent.Path()
	}
	cdkx.Error(node, "restapi: method %s %s has no authorizer (AuthorizationType %s): every method needs one; add it with an Operation, or give it AuthorizationType and Authorizer", strings.ToUpper(method), path, cmp.Or(auth, "NONE"))
}

// checkAuthorization adds the aspect to the API.
func (r *RestAPI) checkAuthorization() {
	awscdk.Aspects_Of(r.Api).Add(r.authorized, nil)
}

// leaveOpen exempts method from the check: New answers it without a
// backend.
func (r *RestAPI) leaveOpen(m awsapigateway.Method) {
	r.authorized.open[*m.Node().DefaultChild().Node().Path()] = true
}
