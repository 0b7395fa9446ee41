//go:build !nopin

package initjsii

// Linking testenv, as every test package that runs CDK does, must select the
// pinned Node.js before Minute is initialized. Built with the nopin tag, this
// import is left out and jsii starts whatever node PATH names: the control
// case of ../../jsiinode_test.go.
import _ "github.com/acme/customers-api/internal/testenv"
