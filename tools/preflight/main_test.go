package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ses"

	envconfig "github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/internal/testenv/moto"
)

var srv *moto.Server

func TestMain(m *testing.M) { moto.TestMain(m, &srv) }

// A fresh account lacks all three prerequisites of prod, each named with
// its fix; once they exist, preflight passes.
func TestPreflightNamesWhatTheAccountLacksUntilItHasIt(t *testing.T) {
	ctx, cfg := context.Background(), srv.Config()
	prod, err := envconfig.Lookup("prod")
	if err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(check(ctx, cfg, prod), "\n")
	for _, want := range []string{"cdk bootstrap aws://333333333333/eu-west-1", "API Gateway has no CloudWatch Logs role", "SES has not verified no-reply@example.com"} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems do not say %q:\n%s", want, problems)
		}
	}

	if _, err := cloudformation.NewFromConfig(cfg).CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("CDKToolkit"),
		TemplateBody: aws.String(`{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := apigateway.NewFromConfig(cfg).UpdateAccount(ctx, &apigateway.UpdateAccountInput{PatchOperations: []apigwtypes.PatchOperation{{
		Op: apigwtypes.OpReplace, Path: aws.String("/cloudwatchRoleArn"), Value: aws.String("arn:aws:iam::333333333333:role/apigw-logs")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ses.NewFromConfig(cfg).VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("no-reply@example.com")}); err != nil {
		t.Fatal(err)
	}
	if problems := check(ctx, cfg, prod); len(problems) != 0 {
		t.Errorf("a ready account still has problems: %v", problems)
	}
	dev, _ := envconfig.Lookup("dev") // creates its own role, has no SES sender
	if problems := check(ctx, cfg, dev); len(problems) != 0 {
		t.Errorf("dev: %v", problems)
	}
}
