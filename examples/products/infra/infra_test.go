package infra_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/cdktest"
	"github.com/acme/products-api/infra"
)

var update = flag.Bool("update", false, "rewrite testdata/")

// products is the dev stack and template its synthesized template (asset
// hashes masked), built once as `cdk synth` builds them, from this
// module's cdk.json (its feature flags), without bundling.
var (
	products *infra.Stack
	template []byte
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	jsii.Close()
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "products-cdk.out")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	app, err := cdktest.NewApp("../cdk.json", dir)
	if err != nil {
		return 0, err
	}
	products = infra.NewApp(app)
	template = cdktest.Template(products.Stack)
	return m.Run(), nil
}

func TestSnapshot(t *testing.T) {
	cdktest.Golden(t, template, "testdata/Products-dev.json", *update)
}

func TestNoCdkNagFindings(t *testing.T) {
	for _, f := range cdktest.NagFindings(products.Stack) {
		t.Error(f)
	}
}
