// Command app is the example consumer's CDK app: `cdk synth` in
// examples/orders synthesizes the Orders-dev stack.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/examples/orders/infra"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	infra.NewStack(app, "Orders-dev", infra.StackProps{
		StackProps: awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}},
		Stage:      "dev",
	})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
	app.Synth(nil)
}
