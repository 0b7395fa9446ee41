// Command customers-api is the CDK app: it synthesizes the customers API for
// the environment named by `-c env=NAME`, or for every environment.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/stacks"
)

func main() {
	err := run()
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() (err error) {
	// A handler that does not compile panics out of CDK's bundling callback;
	// report it as the error it is, without a Go stack trace.
	defer func() {
		if r := recover(); r != nil {
			var build *gofunction.BuildError
			if e, ok := r.(error); ok && errors.As(e, &build) {
				err = build
				return
			}
			panic(r)
		}
	}()
	app := awscdk.NewApp(nil)
	name, _ := app.Node().TryGetContext(jsii.String("env")).(string)
	envs, err := config.Select(name)
	if err != nil {
		return err
	}
	if _, err := stacks.NewApp(app, envs); err != nil {
		return err
	}
	app.Synth(nil)
	return nil
}
