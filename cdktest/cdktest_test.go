package cdktest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/cdktest"
	"github.com/acme/customers-api/internal/testenv/cdkmain"
)

func TestMain(m *testing.M) { cdkmain.Run(m) }

func TestNagFindingsReportsWhatCdkNagFound(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("S"), nil)
	awssqs.NewQueue(stack, jsii.String("Plain"), nil) // no DLQ, no TLS enforcement
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
	app.Synth(nil)
	findings := strings.Join(cdktest.NagFindings(stack), "\n")
	for _, rule := range []string{"AwsSolutions-SQS3", "AwsSolutions-SQS4"} {
		if !strings.Contains(findings, rule) {
			t.Errorf("findings do not name %s:\n%s", rule, findings)
		}
	}
	if !strings.Contains(findings, "/S/Plain/Resource: ") {
		t.Errorf("findings do not name the resource path:\n%s", findings)
	}
}

func TestMaskHidesAssetHashesAndBuckets(t *testing.T) {
	got := string(cdktest.Mask(map[string]any{
		"S3Key": strings.Repeat("ab", 32) + ".zip", "S3Bucket": "cdk-hnb659fds-assets-111111111111-eu-west-1",
	}))
	if strings.Contains(got, "abab") || strings.Contains(got, "111111111111") || !strings.Contains(got, "ASSET-HASH.zip") {
		t.Errorf("masked: %s", got)
	}
}

func TestGoldenFailsOnADifferenceAndUpdates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.json")
	cdktest.Golden(t, []byte("one\n"), path, true)
	if b, _ := os.ReadFile(path); string(b) != "one\n" {
		t.Fatalf("update wrote %q", b)
	}
	inner := &testing.T{}
	done := make(chan bool)
	go func() { defer close(done); cdktest.Golden(inner, []byte("two\n"), path, false) }()
	<-done
	if !inner.Failed() {
		t.Error("a different template passed the golden check")
	}
}
