// Package test holds the snapshot and assertion tests of the synthesized
// templates. Every environment is built once, through stacks.NewApp (the
// function app.go calls), with Lambda bundling skipped.
package test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/cdktest"
	"github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/internal/testenv"
	"github.com/acme/customers-api/stacks"
)

var (
	// services are the stacks of every environment.
	services []*stacks.Deployment
	// assemblyDir is where the app was synthesized.
	assemblyDir string
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
	if err := testenv.Setup(); err != nil {
		return 0, err
	}
	envs, err := config.Select("")
	if err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp("", "cdk.out.test")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	app, err := newTestApp(dir)
	if err != nil {
		return 0, err
	}
	if services, err = stacks.NewApp(app, envs); err != nil {
		return 0, err
	}
	assemblyDir = *app.Synth(nil).Directory()
	return m.Run(), nil
}

// newTestApp is an app as `cdk synth` builds it (cdk.json's context and
// settings), writing to dir, with bundling skipped.
func newTestApp(dir string) (awscdk.App, error) { return cdktest.NewApp("../cdk.json", dir) }

// allStacks calls f with every stack of every environment.
func allStacks(t *testing.T, f func(t *testing.T, s *stacks.Deployment, stack awscdk.Stack)) {
	for _, s := range services {
		for _, stack := range s.Stacks() {
			t.Run(*stack.StackName(), func(t *testing.T) { f(t, s, stack) })
		}
	}
}

// templateFile is the path of a synthesized stack's template.
func templateFile(stack awscdk.Stack) string {
	return filepath.Join(assemblyDir, *stack.ArtifactId()+".template.json")
}

func template(stack awscdk.Stack) assertions.Template {
	return assertions.Template_FromStack(stack, nil)
}
