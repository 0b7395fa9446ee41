package userpool_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/userpool"
	"github.com/acme/customers-api/internal/testenv/cdkmain"
)

func TestMain(m *testing.M) { cdkmain.Run(m) }

func pool(change func(*userpool.Props)) awscdk.Stack {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	p := userpool.Props{ResourceServer: "things", Scopes: []string{"read"}, DomainPrefix: "things-dev",
		CallbackURLs: []string{"https://app.example.org/cb"}}
	change(&p)
	userpool.New(stack, "Users", p)
	return stack
}

// Changing a prefix takes two deploys because Cognito refuses a second
// domain while the pool has one: the first removes the domain.
func TestTheDomainCanBeRemovedToChangeItsPrefix(t *testing.T) {
	for name, c := range map[string]struct {
		change  func(*userpool.Props)
		domains int
		errors  int
	}{
		"with a prefix":       {func(*userpool.Props) {}, 1, 0},
		"without the domain":  {func(p *userpool.Props) { p.WithoutDomain = true }, 0, 0},
		"with neither is bad": {func(p *userpool.Props) { p.DomainPrefix = "" }, 0, 1},
	} {
		t.Run(name, func(t *testing.T) {
			stack := pool(c.change)
			if got := len(*assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::Cognito::UserPoolDomain"), nil)); got != c.domains {
				t.Errorf("%d domains, want %d", got, c.domains)
			}
			errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("DomainPrefix is required")))
			if len(*errs) != c.errors {
				t.Errorf("%d DomainPrefix errors, want %d", len(*errs), c.errors)
			}
		})
	}
}
