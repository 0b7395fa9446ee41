package config

import "fmt"

// StackName is the name of one of the environment's stacks, e.g.
// "Customers-dev-Data" for part "Data".
func (e Environment) StackName(part string) string {
	return fmt.Sprintf("Customers-%s-%s", e.Name, part)
}

// The SSM parameters (under ParameterName) in which a stack publishes what
// CloudFormation generated for the Api stack to read.
const (
	StreamARNParameter   = "table/stream-arn"
	UserPoolARNParameter = "user-pool/arn"
)

// ParameterName is the full SSM name of one of the environment's values,
// e.g. "/customers/dev/user-pool/arn".
func (e Environment) ParameterName(name string) string {
	return fmt.Sprintf("/customers/%s/%s", e.Name, name)
}

// DomainPrefix is the environment's Cognito domain prefix:
// Auth.DomainPrefix when set, otherwise "customers-<Name>-<Account>", which
// is unique within a region as Cognito requires, and follows the account
// when the placeholder is replaced.
func (e Environment) DomainPrefix() string {
	if e.Auth.DomainPrefix != "" {
		return e.Auth.DomainPrefix
	}
	return fmt.Sprintf("customers-%s-%s", e.Name, e.Account)
}
