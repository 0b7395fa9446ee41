// Command preflight checks an environment before a deploy, and says in one
// line each what is wrong and how to fix it. First, without any AWS call,
// that the environment holds no placeholder (the example accounts,
// example.com e-mail addresses and URLs); then what a first `cdk deploy`
// needs of the account but no stack of this project creates:
//
//   - the CDK bootstrap stack (CDKToolkit) in the account and region;
//   - API Gateway's account-wide CloudWatch Logs role, where the
//     environment does not create it (API.CloudWatchRole: false):
//     set, existing, trusted by apigateway.amazonaws.com and holding
//     AmazonAPIGatewayPushToCloudWatchLogs;
//   - for an environment that sends the pool's e-mail through SES
//     (Auth.EmailFrom): the identity verified, the account out of the SES
//     sandbox;
//   - Lambda's concurrent executions quota of the account, at least the
//     limit the environment's alarms assume (Alarms.Thresholds.ConcurrencyLimit);
//   - the Cognito domain prefix free, or already the environment's pool's.
//
// It runs with the environment's AWS credentials: `make preflight ENV=prod`
// (and first in `make deploy`).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	envconfig "github.com/acme/customers-api/internal/config"
)

func main() {
	name := flag.String("env", "", "the environment to check: dev, staging or prod")
	flag.Parse()
	os.Exit(run(context.Background(), *name, os.Stdout, os.Stderr, func(region string) (aws.Config, error) {
		return config.LoadDefaultConfig(context.Background(), config.WithRegion(region))
	}))
}

// run checks the environment name and returns the exit code: 0 ready, 1
// problems (printed to stderr), 2 not checked. load gives the AWS
// configuration; it is not called while the environment holds a
// placeholder.
func run(ctx context.Context, name string, stdout, stderr io.Writer, load func(region string) (aws.Config, error)) int {
	env, err := envconfig.Lookup(name)
	if err != nil {
		fmt.Fprintln(stderr, "preflight:", err)
		return 2
	}
	problems := placeholders(env)
	if len(problems) == 0 {
		cfg, err := load(env.Region)
		if err != nil {
			fmt.Fprintln(stderr, "preflight:", err)
			return 2
		}
		problems = check(ctx, newClients(cfg), env)
	}
	for _, p := range problems {
		fmt.Fprintf(stderr, "preflight: %s (account %s, %s): %s\n", env.Name, env.Account, env.Region, p)
	}
	if len(problems) > 0 {
		return 1
	}
	fmt.Fprintf(stdout, "preflight: %s (account %s, %s) is ready to deploy\n", env.Name, env.Account, env.Region)
	return 0
}
