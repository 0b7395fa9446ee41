// Package cdkmain is the TestMain of test packages that call CDK: it checks
// that the pinned Node.js was selected (see testenv), runs the tests and
// stops the jsii runtime.
package cdkmain

import (
	"fmt"
	"os"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/internal/testenv"
)

// Run is a test package's TestMain body.
func Run(m *testing.M) {
	if err := testenv.Setup(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}
