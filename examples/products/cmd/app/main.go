// Command app is the products API's CDK app (cdk.json's "app"): it
// synthesizes the Products-dev stack, checked by cdk-nag.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/products-api/infra"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	infra.NewApp(app)
	app.Synth(nil)
}
