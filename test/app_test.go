package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/internal/config"
	"github.com/acme/customers-api/stacks"
)

func TestAnInvalidEnvironmentStopsSynthNamingTheEnvironmentAndField(t *testing.T) {
	staging, err := config.Lookup("staging")
	if err != nil {
		t.Fatal(err)
	}
	staging.LogRetentionDays = -1
	app, err := newTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, err = stacks.NewApp(app, []config.Environment{staging})
	if want := `environment "staging": LogRetentionDays: -1`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("NewApp error = %v, want one containing %q", err, want)
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("NewApp added %d constructs despite the invalid configuration", n)
	}
}

func TestAnImportedUserPoolReplacesTheAuthStack(t *testing.T) {
	dev, err := config.Lookup("dev")
	if err != nil {
		t.Fatal(err)
	}
	dev.Auth = config.Auth{ExistingUserPoolID: "eu-west-1_Central123"}
	app, err := newTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svcs, err := stacks.NewApp(app, []config.Environment{dev})
	if err != nil {
		t.Fatal(err)
	}
	if svcs[0].Auth != nil || len(svcs[0].Stacks()) != 2 {
		t.Fatalf("an Auth stack was created for an imported pool")
	}
	authorizers := *template(svcs[0].Api.Stack).FindResources(jsii.String("AWS::ApiGateway::Authorizer"), nil)
	for _, a := range authorizers {
		if got := fmt.Sprint(props(a)["ProviderARNs"]); !strings.Contains(got, "userpool/eu-west-1_Central123") {
			t.Errorf("authorizer providers %s, want the imported pool", got)
		}
	}
	if len(authorizers) != 1 {
		t.Errorf("%d authorizers, want 1", len(authorizers))
	}
}

func TestACustomDomainUsesTLS12AndAnExistingWebACLCanBeAttached(t *testing.T) {
	staging, err := config.Lookup("staging")
	if err != nil {
		t.Fatal(err)
	}
	staging.CustomDomain = &config.CustomDomain{Name: "api.staging.example.com",
		CertificateARN: "arn:aws:acm:eu-west-1:222222222222:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"}
	app, err := newTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svcs, err := stacks.NewApp(app, []config.Environment{staging})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := template(svcs[0].Api.Stack)
	tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::DomainName"), map[string]any{
		"DomainName": "api.staging.example.com", "SecurityPolicy": "TLS_1_2",
		"EndpointConfiguration": map[string]any{"Types": []string{"REGIONAL"}},
	})
	tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::BasePathMapping"), jsii.Number(1))
}
