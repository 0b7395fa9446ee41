// Command preflight checks an environment's account for what a first
// `cdk deploy` needs but no stack of this project creates, and says in one
// line each what is missing and how to fix it:
//
//   - the CDK bootstrap stack (CDKToolkit) in the account and region;
//   - API Gateway's account-wide CloudWatch Logs role, where the
//     environment does not create it (APIGatewayCloudWatchRole: false);
//   - the SES identity of Auth.EmailFrom, verified in the region.
//
// It runs with the environment's AWS credentials: `make preflight ENV=prod`
// (and first in `make deploy`).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ses"

	envconfig "github.com/acme/customers-api/internal/config"
)

func main() {
	name := flag.String("env", "", "the environment to check: dev, staging or prod")
	flag.Parse()
	env, err := envconfig.Lookup(*name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "preflight:", err)
		os.Exit(2)
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(env.Region))
	if err != nil {
		fmt.Fprintln(os.Stderr, "preflight:", err)
		os.Exit(2)
	}
	problems := check(context.Background(), cfg, env)
	for _, p := range problems {
		fmt.Fprintf(os.Stderr, "preflight: %s (account %s, %s): %s\n", env.Name, env.Account, env.Region, p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Printf("preflight: %s (account %s, %s) is ready to deploy\n", env.Name, env.Account, env.Region)
}

// check returns what the account lacks for env, one fix per line.
func check(ctx context.Context, cfg aws.Config, env envconfig.Environment) []string {
	var problems []string
	_, err := cloudformation.NewFromConfig(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("CDKToolkit")})
	if err != nil {
		problems = append(problems, fmt.Sprintf("not bootstrapped for the CDK: run `npx cdk bootstrap aws://%s/%s` once (%v)", env.Account, env.Region, short(err)))
	}
	if !env.APIGatewayCloudWatchRole {
		acct, err := apigateway.NewFromConfig(cfg).GetAccount(ctx, &apigateway.GetAccountInput{})
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("cannot read API Gateway's account settings: %v", short(err)))
		case aws.ToString(acct.CloudwatchRoleArn) == "":
			problems = append(problems, "API Gateway has no CloudWatch Logs role, and this environment does not create one: "+
				"set APIGatewayCloudWatchRole: true in internal/config for one deploy (the role is retained), or set the account's role yourself")
		}
	}
	if from := env.Auth.EmailFrom; from != "" && env.Auth.ExistingUserPoolID == "" {
		out, err := ses.NewFromConfig(cfg).GetIdentityVerificationAttributes(ctx, &ses.GetIdentityVerificationAttributesInput{Identities: []string{from}})
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("cannot read SES identities: %v", short(err)))
		case out.VerificationAttributes[from].VerificationStatus != "Success":
			problems = append(problems, fmt.Sprintf("SES has not verified %s (Auth.EmailFrom) in %s: verify it before Cognito can send from it", from, env.Region))
		}
	}
	return problems
}

// short is an AWS error without the SDK's operation prefix noise.
func short(err error) string {
	var unwrapped interface{ ErrorMessage() string }
	if errors.As(err, &unwrapped) {
		return unwrapped.ErrorMessage()
	}
	return err.Error()
}
