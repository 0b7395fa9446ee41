// Package ssmref passes a value from one stack to another through an SSM
// String parameter instead of a CloudFormation export. An export that
// another stack imports cannot change or go away until that stack stops
// importing it ("Exporting stack output values", CloudFormation User
// Guide), so an exported stream ARN blocks every change to the table's
// stream, and an exported pool ARN the pool's replacement. Here the stack
// that owns the value Publishes it, and the stack that needs it Resolves
// it: CloudFormation reads the parameter each time that stack deploys (a
// template parameter of type AWS::SSM::Parameter::Value<String>, "Using
// dynamic references / SSM parameter types", CloudFormation User Guide).
//
// The price of no lock: deploy the publishing stack first, and redeploy
// the resolving stack after the value changes.
//
//	ssmref.Publish(data, "StreamArnParameter", "/orders/prod/table/stream-arn", table.TableStreamArn(), "Read by Orders-prod-Api")
//	streamARN := ssmref.Resolve(api, "/orders/prod/table/stream-arn")
package ssmref

import (
	"cmp"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/internal/cdkx"
)

// nameChars are the characters of a parameter name, and maxLevels the
// depth of its hierarchy ("Creating Parameter Store parameters in Systems
// Manager", AWS Systems Manager User Guide: a-z, A-Z, 0-9, "_", ".", "-"
// and "/"; at most 15 levels; a name that has a "/" starts with one; no
// name starts with "aws" or "ssm").
var nameChars = regexp.MustCompile(`^/[A-Za-z0-9_./-]+$`)

const (
	maxLevels     = 15
	maxNameLength = 1011
)

// validName records an error annotation on scope, and says false, when
// name is not a fully qualified parameter name ("/" then levels) that SSM
// accepts.
func validName(scope constructs.Construct, name string) bool {
	lower := strings.ToLower(strings.TrimPrefix(name, "/"))
	problem := ""
	switch {
	case !nameChars.MatchString(name):
		problem = "must start with / and hold only letters, digits, _, ., - and /"
	case strings.Count(name, "/") > maxLevels:
		problem = fmt.Sprintf("has more than %d levels", maxLevels)
	case len(name) > maxNameLength:
		problem = fmt.Sprintf("is longer than %d characters", maxNameLength)
	case strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm"):
		problem = "must not start with aws or ssm (reserved by AWS)"
	default:
		return true
	}
	cdkx.Error(scope, "ssmref: parameter name %q %s", name, problem)
	return false
}

// Publish creates, in scope, the SSM String parameter name (a fully
// qualified name such as "/orders/prod/table/stream-arn") holding value,
// usually a token that CloudFormation resolves when the stack deploys;
// description says who reads it (default: that stacks Resolve it).
// An invalid name is an error annotation on scope, and Publish creates
// nothing and returns nil.
func Publish(scope constructs.Construct, id, name string, value *string, description string) awsssm.StringParameter {
	if !validName(scope, name) {
		return nil
	}
	return awsssm.NewStringParameter(scope, jsii.String(id), &awsssm.StringParameterProps{
		ParameterName: jsii.String(name),
		StringValue:   value,
		Description:   jsii.String(cmp.Or(description, "Read by the stacks that resolve it when they deploy, instead of a CloudFormation export")),
	})
}

// Resolve is the value of the SSM String parameter name, as a token that
// CloudFormation resolves each time scope's stack deploys; the stack
// takes no dependency on the publishing stack and imports no export. An
// invalid name is an error annotation on scope, and the value is "".
func Resolve(scope constructs.Construct, name string) *string {
	if !validName(scope, name) {
		return jsii.String("")
	}
	return awsssm.StringParameter_ValueForStringParameter(scope, jsii.String(name), nil)
}
