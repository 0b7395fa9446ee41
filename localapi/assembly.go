package localapi

import (
	"github.com/acme/customers-api/cdktest/cfnref"
)

// Resource is one resource of a synthesized template.
type Resource = cfnref.Resource

// Assembly is the resources of every template in a cloud assembly
// directory (cdk.out). Ref and Fn::GetAtt resolve as CloudFormation
// documents them (package cfnref), with the names, URLs and ARNs the local
// environment really got where it created a resource. Values resolve
// lazily, so that a property using an intrinsic function cfnref does not
// model fails only when it is needed.
type Assembly struct {
	*cfnref.Templates
	// targets are the SQS queues that rules deliver to, once provisioned.
	targets []Target
}

// LoadAssembly reads every *.template.json in dir whose stack name starts
// with prefix ("" for every stack).
func LoadAssembly(dir, prefix string) (*Assembly, error) {
	ts, err := cfnref.Load(dir, prefix)
	if err != nil {
		return nil, err
	}
	return &Assembly{Templates: ts}, nil
}
