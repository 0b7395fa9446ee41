// Package initjsii starts the jsii kernel in its package initialization, as
// constructs/restapi does, and imports nothing of this repository: the test
// in ../../jsiinode_test.go runs its tests with a fake node first on PATH.
package initjsii

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Minute is built by jsii while the package initializes.
var Minute = awscdk.Duration_Seconds(jsii.Number(60))
