package restapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/constructs-go/constructs/v10"
)

// A stage serves a deployment, and a deployment is a snapshot: "Every time
// you update an API, you must redeploy the API to an existing stage or to a
// new stage. Updating an API includes modifying routes, methods,
// integrations, authorizers, resource policies, and anything else other than
// stage settings" (API Gateway developer guide, "Deploy REST APIs in API
// Gateway", how-to-deploy-api.html; the resources are listed in "Updates to
// REST APIs that require redeployment", updating-api.html). CloudFormation
// creates a new AWS::ApiGateway::Deployment only when its logical id
// changes, and CDK's L2 constructs (Method, Resource, Model, RequestValidator,
// GatewayResponse, the authorizers) add what they render to that id — an L1
// resource (a CfnModel, a CfnGatewayResponse, a method changed through its
// L1) does not, so its change never reaches the stage.
//
// snapshotAspect closes that gap for every kind at once: each API Gateway
// resource in the stack whose RestApiId is this API, except the kinds that
// are not part of a deployment, adds its properties (read when the template
// is rendered, so later changes count) to the deployment's logical id, and
// the deployment depends on it so that the first deployment already holds
// it. A kind not listed below is included: an unneeded new deployment is
// harmless, a missing one serves stale behaviour. Raw overrides
// (AddPropertyOverride) are not seen; this package makes none on them.

// notSnapshotted are the API Gateway kinds that take a RestApiId but are not
// part of what a deployment snapshots: the deployment itself, the stage
// (its settings apply without a redeploy, and it refers to the deployment),
// and the mapping of a custom domain to the stage.
var notSnapshotted = map[string]bool{
	"AWS::ApiGateway::Deployment":        true,
	"AWS::ApiGateway::Stage":             true,
	"AWS::ApiGateway::BasePathMapping":   true,
	"AWS::ApiGateway::BasePathMappingV2": true,
}

// Snapshotted says whether a resource of the CloudFormation type kind that
// belongs to a REST API is part of the API's deployment, so that a change
// to it must create a new one.
func Snapshotted(kind string) bool {
	return strings.HasPrefix(kind, "AWS::ApiGateway::") && !notSnapshotted[kind]
}

// redeployOnChange makes the API's deployment follow every resource it
// snapshots (see snapshotAspect).
func (r *RestAPI) redeployOnChange() {
	awscdk.Aspects_Of(r.Api.LatestDeployment()).Add(&snapshotAspect{api: r.Api}, nil)
}

type snapshotAspect struct {
	api  awsapigateway.RestApi
	done bool
}

// Visit runs once, on the deployment construct, after every construct of
// the app exists.
func (a *snapshotAspect) Visit(node constructs.IConstruct) {
	deployment := a.api.LatestDeployment()
	if a.done || deployment == nil || *node.Node().Path() != *deployment.Node().Path() {
		return
	}
	a.done = true
	stack := awscdk.Stack_Of(a.api)
	api := stack.Resolve(a.api.RestApiId())
	for _, n := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		cfn, ok := n.(awscdk.CfnResource)
		if !ok || !Snapshotted(*cfn.CfnResourceType()) {
			continue
		}
		id, ok := (*cfn.CfnProperties())["restApiId"]
		if !ok || id == nil || !reflect.DeepEqual(stack.Resolve(id), api) {
			continue
		}
		deployment.Node().AddDependency(cfn)
		deployment.AddToLogicalId(awscdk.Lazy_UncachedAny(&renderedProperties{cfn}, nil))
	}
}

// renderedProperties are a resource's type and properties as the template
// will hold them, read when the deployment's logical id is computed, as
// JSON with sorted keys (a Go map has no order; the hash must not change
// between two synths of the same app).
type renderedProperties struct{ cfn awscdk.CfnResource }

func (p *renderedProperties) Produce(awscdk.IResolveContext) any {
	b, err := json.Marshal(map[string]any{
		"type":       p.cfn.CfnResourceType(),
		"properties": awscdk.Stack_Of(p.cfn).Resolve(p.cfn.CfnProperties()),
	})
	if err != nil {
		panic(fmt.Sprintf("restapi: %s: resolved properties are not JSON: %v", *p.cfn.Node().Path(), err))
	}
	return string(b)
}

var _ awscdk.IAnyProducer = (*renderedProperties)(nil)
var _ awscdk.IAspect = (*snapshotAspect)(nil)
