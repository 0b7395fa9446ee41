// Package cdktest helps test CDK stacks in Go: snapshots of synthesized
// templates against golden files (with asset hashes and the asset bucket
// masked, and a line diff on failure) and the cdk-nag findings a stack
// still has.
//
//	func TestSnapshot(t *testing.T) {
//		cdktest.Golden(t, cdktest.Template(stack), "testdata/MyStack.json", *update)
//	}
package cdktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"
)

// masks replace what changes without a change to the design: asset hashes
// (they follow the handler code) and the bootstrap asset bucket.
var masks = []struct {
	pattern *regexp.Regexp
	with    string
}{
	{regexp.MustCompile(`[0-9a-f]{64}`), "ASSET-HASH"},
	{regexp.MustCompile(`cdk-[a-z0-9]+-assets-[^"]+`), "ASSET-BUCKET"},
}

// Template returns the stack's synthesized template as indented JSON with
// asset hashes and the asset bucket masked.
func Template(stack awscdk.Stack) []byte {
	return Mask(assertions.Template_FromStack(stack, nil).ToJSON())
}

// NewApp returns an app as `cdk synth` builds it from the cdk.json file at
// cdkJSON: that file's context (the feature flags) and versionReporting,
// synthesizing into outdir, with bundling skipped (an empty
// "aws:cdk:bundling-stacks", as the CLI sets it for stacks it does not
// deploy) so that a test builds no Lambda code. A template it synthesizes is
// the one `cdk synth` writes, but for asset hashes, which Template and Mask
// mask, and the CLI's asset metadata. The error is the file's read or JSON
// error.
func NewApp(cdkJSON, outdir string) (awscdk.App, error) {
	var file struct {
		VersionReporting bool           `json:"versionReporting"`
		Context          map[string]any `json:"context"`
	}
	b, err := os.ReadFile(cdkJSON)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", cdkJSON, err)
	}
	if file.Context == nil {
		file.Context = map[string]any{}
	}
	file.Context["aws:cdk:bundling-stacks"] = []string{}
	return awscdk.NewApp(&awscdk.AppProps{
		Outdir:             jsii.String(outdir),
		AnalyticsReporting: jsii.Bool(file.VersionReporting),
		Context:            &file.Context,
	}), nil
}

// Mask indents a template (any JSON value) and masks asset hashes and the
// asset bucket.
func Mask(template any) []byte {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(template)
	b := out.Bytes()
	for _, m := range masks {
		b = m.pattern.ReplaceAll(b, []byte(m.with))
	}
	return b
}

// Golden compares got with the golden file at path, or rewrites the file
// when update is true. A difference fails t with a line diff.
func Golden(t testing.TB, got []byte, path string, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the tests with -update to create it)", err)
	}
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); diff != "" {
		t.Errorf("%s differs (-golden +synthesized); if intended, run the tests with -update and read the diff:\n%s", path, diff)
	}
}

// NagFindings returns the cdk-nag AwsSolutions errors and warnings left on
// a stack (suppressed findings are not reported), as "path: message".
func NagFindings(stack awscdk.Stack) []string {
	a := assertions.Annotations_FromStack(stack)
	nag := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-"))
	var out []string
	for _, found := range []any{a.FindError(jsii.String("*"), nag), a.FindWarning(jsii.String("*"), nag)} {
		// The messages' Go type (cxapi.SynthesisMessage) is deprecated, so
		// they are read through their JSON form.
		b, _ := json.Marshal(found)
		var messages []struct {
			ID    string `json:"id"`
			Entry struct {
				Data any `json:"data"`
			} `json:"entry"`
		}
		json.Unmarshal(b, &messages)
		for _, m := range messages {
			out = append(out, fmt.Sprintf("%s: %v", m.ID, m.Entry.Data))
		}
	}
	return out
}
