package gofunction_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/internal/testenv/cdkmain"
)

const hello = "constructs/gofunction/testdata/hello"

func TestMain(m *testing.M) { cdkmain.Run(m) }

// newStack returns a stack in a fresh app; bundling is skipped unless bundle
// is true.
func newStack(t *testing.T, bundle bool) awscdk.Stack {
	t.Helper()
	props := &awscdk.AppProps{Outdir: jsii.String(t.TempDir())}
	if !bundle {
		props.Context = &map[string]any{"aws:cdk:bundling-stacks": []string{}}
	}
	return awscdk.NewStack(awscdk.NewApp(props), jsii.String("Test"), nil)
}

func TestDefaultsAreArm64Al2023WithJSONLogsTracingAndOwnLogGroup(t *testing.T) {
	stack := newStack(t, false)
	gofunction.New(stack, "Hello", gofunction.Props{Entry: hello})
	tmpl := assertions.Template_FromStack(stack, nil)

	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Runtime":       "provided.al2023",
		"Architectures": []string{"arm64"},
		"Handler":       "bootstrap",
		"MemorySize":    gofunction.DefaultMemoryMB,
		"Timeout":       int(gofunction.DefaultTimeout.Seconds()),
		"TracingConfig": map[string]any{"Mode": "Active"},
		"LoggingConfig": map[string]any{
			"LogFormat": "JSON",
			"LogGroup":  map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("HelloLogs"))},
		},
	})
	tmpl.HasResource(jsii.String("AWS::Logs::LogGroup"), map[string]any{
		"Properties":     map[string]any{"RetentionInDays": gofunction.DefaultRetentionDays},
		"DeletionPolicy": "Delete",
	})
	tmpl.ResourceCountIs(jsii.String("AWS::Logs::LogGroup"), jsii.Number(1))
}

func TestTheRoleMayOnlyWriteItsOwnLogsAndTraces(t *testing.T) {
	stack := newStack(t, false)
	gofunction.New(stack, "Hello", gofunction.Props{Entry: hello})
	tmpl := assertions.Template_FromStack(stack, nil)

	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
		"ManagedPolicyArns": assertions.Match_Absent(),
	})
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": []any{
			map[string]any{
				"Action":   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
				"Effect":   "Allow",
				"Resource": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("HelloLogs")), "Arn"}},
			},
			map[string]any{
				"Action":   []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"},
				"Effect":   "Allow",
				"Resource": "*",
			},
		}},
	})
}

func TestPropsOverrideTheDefaults(t *testing.T) {
	stack := newStack(t, false)
	gofunction.New(stack, "Hello", gofunction.Props{
		Entry: hello, Settings: gofunction.Settings{MemoryMB: 1024, Timeout: 3 * time.Second, LogRetentionDays: 365, Retain: true},
		Environment: map[string]string{"TABLE_NAME": "t"},
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"MemorySize":  1024,
		"Timeout":     3,
		"Environment": map[string]any{"Variables": map[string]any{"TABLE_NAME": "t"}},
	})
	tmpl.HasResource(jsii.String("AWS::Logs::LogGroup"), map[string]any{
		"Properties":     map[string]any{"RetentionInDays": 365},
		"DeletionPolicy": "Retain",
	})
}

func TestInvalidPropsAreAnnotationErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		props gofunction.Props
		want  string
	}{
		"missing package":   {gofunction.Props{Entry: "functions/does-not-exist"}, "gofunction: handler package .*functions/does-not-exist.*no such file"},
		"no package":        {gofunction.Props{}, "gofunction: handler package: Entry is required"},
		"bad log retention": {gofunction.Props{Entry: hello, Settings: gofunction.Settings{LogRetentionDays: 10}}, "gofunction: LogRetentionDays: 10 days is not a CloudWatch Logs retention period"},
		// Lambda quotas: 128 to 10,240 MB, a timeout of whole seconds up
		// to 900; a fractional timeout made CDK panic.
		"memory below Lambda's":  {gofunction.Props{Entry: hello, Settings: gofunction.Settings{MemoryMB: 127}}, "gofunction: MemoryMB 127 is outside Lambda's 128 to 10240 MB"},
		"memory above Lambda's":  {gofunction.Props{Entry: hello, Settings: gofunction.Settings{MemoryMB: 10241}}, "gofunction: MemoryMB 10241 is outside"},
		"fractional timeout":     {gofunction.Props{Entry: hello, Settings: gofunction.Settings{Timeout: 1500 * time.Millisecond}}, "gofunction: Timeout 1.5s must be a whole number of seconds, at most Lambda's 15m0s"},
		"timeout above Lambda's": {gofunction.Props{Entry: hello, Settings: gofunction.Settings{Timeout: 901 * time.Second}}, "gofunction: Timeout 15m1s must be a whole number"},
		"negative provisioned":   {gofunction.Props{Entry: hello, Settings: gofunction.Settings{ProvisionedConcurrency: -1}}, "gofunction: ProvisionedConcurrency -1 is negative"},
	} {
		t.Run(name, func(t *testing.T) {
			stack := newStack(t, false)
			gofunction.New(stack, "Hello", tc.props)
			errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(tc.want)))
			if len(*errs) != 1 {
				t.Errorf("want one error annotation matching %q, got %d", tc.want, len(*errs))
			}
		})
	}
}

// Lambda's limits themselves are valid settings.
func TestLambdasLimitsAreValidSettings(t *testing.T) {
	for _, s := range []gofunction.Settings{
		{MemoryMB: gofunction.MinMemoryMB, Timeout: time.Second},
		{MemoryMB: gofunction.MaxMemoryMB, Timeout: gofunction.MaxTimeout},
		{},
	} {
		if problems := s.Problems(); problems != nil {
			t.Errorf("%+v: %q", s, problems)
		}
	}
}

func TestBundlingBuildsTheBootstrapAndIdenticalSourcesHashAlike(t *testing.T) {
	t.Setenv(gofunction.CacheEnv, "off") // two real builds, not one and a copy
	hashes := make([]string, 2)
	for i := range hashes {
		stack := newStack(t, true)
		gofunction.New(stack, "Hello", gofunction.Props{Entry: hello})
		asm := awscdk.Stage_Of(stack).Synth(nil)
		fns := assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::Lambda::Function"), nil)
		for _, fn := range *fns {
			key := (*fn)["Properties"].(map[string]any)["Code"].(map[string]any)["S3Key"].(string)
			hashes[i] = strings.TrimSuffix(key, ".zip")
		}
		if _, err := os.Stat(filepath.Join(*asm.Directory(), "asset."+hashes[i], "bootstrap")); err != nil {
			t.Fatalf("staged asset has no bootstrap: %v", err)
		}
	}
	if hashes[0] != hashes[1] {
		t.Errorf("asset hashes differ for identical sources: %s vs %s", hashes[0], hashes[1])
	}
}

func TestAFailingBuildStopsSynthWithTheCompilerOutput(t *testing.T) {
	stack := newStack(t, true)
	defer func() {
		var be *gofunction.BuildError
		err, _ := recover().(error)
		if !errors.As(err, &be) {
			t.Fatalf("recovered %v, want a *gofunction.BuildError", err)
		}
		if want := "undefined: undefinedFunction"; !strings.Contains(be.Output, want) {
			t.Errorf("compiler output %q does not contain %q", be.Output, want)
		}
	}()
	gofunction.New(stack, "Broken", gofunction.Props{Entry: "constructs/gofunction/testdata/broken"})
}

func TestSkippedBundlingNeverRunsTheBuild(t *testing.T) {
	stack := newStack(t, false)
	// The broken package would panic if bundling ran.
	gofunction.New(stack, "Broken", gofunction.Props{Entry: "constructs/gofunction/testdata/broken"})
	assertions.Template_FromStack(stack, nil).ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(1))
}

// writeModule writes a module whose handler, cmd/greet, imports a package
// outside its directory holding greeting.
func writeModule(t *testing.T, dir, greeting string) {
	t.Helper()
	writeFiles(t, dir, map[string]string{
		"go.mod":            "module example.com/greet\n\ngo 1.26\n",
		"cmd/greet/main.go": "package main\n\nimport \"example.com/greet/words\"\n\nfunc main() { println(words.Greeting) }\n",
		"words/words.go":    "package words\n\nconst Greeting = \"" + greeting + "\"\n",
	})
}

// writeFiles writes files, by path relative to dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func assetHash(t *testing.T, entry string, prebuild bool) (string, string) {
	t.Helper()
	stack := newStack(t, true)
	if prebuild {
		gofunction.Prebuild(stack, entry)
	}
	gofunction.New(stack, "Fn", gofunction.Props{Entry: entry})
	asm := awscdk.Stage_Of(stack).Synth(nil)
	for _, fn := range *assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::Lambda::Function"), nil) {
		key := (*fn)["Properties"].(map[string]any)["Code"].(map[string]any)["S3Key"].(string)
		return strings.TrimSuffix(key, ".zip"), *asm.Directory()
	}
	t.Fatal("no function")
	return "", ""
}

// A change in a package the handler imports, not in the handler's own
// directory, must change the asset, or cdk deploy would keep the old code.
func TestAChangeInAnImportedPackageChangesTheAsset(t *testing.T) {
	t.Setenv(gofunction.CacheEnv, t.TempDir()) // both synths through the same cache
	dir := t.TempDir()
	writeModule(t, dir, "hello")
	entry := filepath.Join(dir, "cmd", "greet")
	before, _ := assetHash(t, entry, false)
	writeModule(t, dir, "bonjour")
	after, _ := assetHash(t, entry, false)
	if before == after {
		t.Errorf("asset hash %s unchanged after the imported package changed", before)
	}
}

func TestPrebuiltBootstrapsAreTheOnesBundlingWouldBuild(t *testing.T) {
	built, _ := assetHash(t, hello, false)
	prebuilt, assembly := assetHash(t, hello, true)
	if built != prebuilt {
		t.Errorf("prebuilt asset %s differs from the one bundling builds, %s", prebuilt, built)
	}
	if _, err := os.Stat(filepath.Join(assembly, "asset."+prebuilt, "bootstrap")); err != nil {
		t.Errorf("the prebuilt bootstrap is not in the asset: %v", err)
	}
}

func TestPrebuildStartsNothingWhenBundlingIsSkipped(t *testing.T) {
	stack := newStack(t, false)
	gofunction.Prebuild(stack, hello)
	if _, err := os.Stat(filepath.Join(*awscdk.Stage_Of(stack).Outdir(), ".gofunction")); !os.IsNotExist(err) {
		t.Errorf("a build started for a stack that skips bundling: %v", err)
	}
}

// `cdk synth -o dir` gives the app a relative assembly directory; the
// prebuilt bootstrap must still land there, not under the handler's
// directory where go build runs.
func TestPrebuildWithARelativeAssemblyDirectory(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	stack := awscdk.NewStack(awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(rel)}), jsii.String("Test"), nil)
	gofunction.Prebuild(stack, hello)
	gofunction.New(stack, "Hello", gofunction.Props{Entry: hello})
	asm := awscdk.Stage_Of(stack).Synth(nil)
	if entries, _ := filepath.Glob(filepath.Join(*asm.Directory(), "asset.*", "bootstrap")); len(entries) != 1 {
		t.Errorf("assets with a bootstrap: %v", entries)
	}
}

// An empty entry (resourceapi passes Rollout.SmokeCheckEntry, which may be
// unset) names no handler: it must not build the module root's main
// package, which here is the CDK app itself (ResolveEntry refuses it).
func TestPrebuildIgnoresAnEmptyEntry(t *testing.T) {
	stack := newStack(t, true)
	gofunction.Prebuild(stack, "")
	if _, err := os.Stat(filepath.Join(*awscdk.Stage_Of(stack).Outdir(), ".gofunction")); !os.IsNotExist(err) {
		t.Errorf("a build started for an empty entry: %v", err)
	}
}

// Prebuild names every handler's bootstrap with one `go list`; each
// function must still get its own program, built or from the cache.
func TestPrebuildGivesEachHandlerItsOwnBootstrap(t *testing.T) {
	t.Setenv(gofunction.CacheEnv, t.TempDir())
	dir := t.TempDir()
	words := map[string]string{"Alpha": "alpha-word", "Beta": "beta-word"}
	for name, word := range words {
		main := "package main\n\nfunc main() { println(\"" + word + "\") }\n"
		writeFiles(t, dir, map[string]string{"go.mod": "module example.com/two\n\ngo 1.26\n", "cmd/" + name + "/main.go": main})
	}
	for range 2 { // built, then from the cache
		stack := newStack(t, true)
		gofunction.Prebuild(stack, filepath.Join(dir, "cmd", "Alpha"), filepath.Join(dir, "cmd", "Beta"))
		for name := range words {
			gofunction.New(stack, name, gofunction.Props{Entry: filepath.Join(dir, "cmd", name)})
		}
		asm := awscdk.Stage_Of(stack).Synth(nil)
		for name, word := range words {
			fn := stack.Node().FindChild(jsii.String(name)).Node().FindChild(jsii.String("Function")).Node().DefaultChild().(awslambda.CfnFunction)
			key := stack.Resolve(fn.Code()).(map[string]any)["s3Key"].(string)
			bin, err := os.ReadFile(filepath.Join(*asm.Directory(), "asset."+strings.TrimSuffix(key, ".zip"), "bootstrap"))
			if err != nil || !strings.Contains(string(bin), word) {
				t.Errorf("%s's bootstrap does not hold %q (%v)", name, word, err)
			}
		}
	}
}
