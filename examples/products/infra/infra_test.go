package infra_test

import (
	"flag"
	"os"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/acme/products-api/infra"

	"github.com/acme/customers-api/cdktest"
)

var update = flag.Bool("update", false, "rewrite testdata/")

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// newStack builds the app as `cdk synth` does, from this module's cdk.json
// (its feature flags), without bundling.
func newStack(t *testing.T) *infra.Stack {
	t.Helper()
	app, err := cdktest.NewApp("../cdk.json", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return infra.NewApp(app)
}

func TestSnapshot(t *testing.T) {
	cdktest.Golden(t, cdktest.Template(newStack(t).Stack), "testdata/Products-dev.json", *update)
}

func TestNoCdkNagFindings(t *testing.T) {
	for _, f := range cdktest.NagFindings(newStack(t).Stack) {
		t.Error(f)
	}
}
