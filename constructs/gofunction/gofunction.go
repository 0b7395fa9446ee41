// Package gofunction builds a Go Lambda handler with the local Go toolchain
// and deploys it with safe defaults: provided.al2023 on arm64, JSON logs in a
// log group of its own with a retention, active X-Ray tracing, and a role that
// holds nothing but the right to write its own logs and traces.
//
// It replaces the aws-lambda-go-alpha GoFunction, which needs Docker or a
// package this project cannot use. Bundling runs `go build` through CDK's
// local bundling hook, so it honours CDK's bundling-stacks context: a test
// app with the context "aws:cdk:bundling-stacks" set to [] synthesizes
// without building, and `cdk synth --exclusively STACK` builds only that
// stack's functions.
package gofunction

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/constructs/internal/cdkx"
	"github.com/acme/customers-api/internal/gobuild"
)

// The build of a handler, which lives in internal/gobuild so that the
// local API and the benchmarks build handlers without linking the CDK.
const (
	// EntryMetadata is the template metadata key that holds a function's
	// handler package, relative to its Go module's root (see
	// tools/local and localapi, which build and run it).
	EntryMetadata = gobuild.EntryMetadata
	// CacheEnv names the environment variable that sets the bootstrap
	// cache's directory; "off" turns the cache off. Unset, the cache is
	// "gofunction" in the user's cache directory (~/.cache/gofunction on
	// Linux).
	CacheEnv = gobuild.CacheEnv
)

// BuildError is a failed `go build` of a handler package: its directory,
// the command as a shell would show it, and the compiler's output.
type BuildError = gobuild.BuildError

// ResolveEntry turns a handler package path into an absolute directory. A
// relative path is taken from the root of the Go module that holds the
// working directory, so `functions/get-customer` means the same thing to
// app.go at the repository root and to a test in a subdirectory.
func ResolveEntry(entry string) (string, error) { return gobuild.ResolveEntry(entry) }

// Defaults used when a Props field is zero.
const (
	DefaultMemoryMB      = 256
	DefaultTimeout       = 10 * time.Second
	DefaultRetentionDays = 30
)

// Props describes one Go Lambda function.
type Props struct {
	// Entry is the directory of the handler's main package. A relative path
	// is taken from the root of the Go module holding the working directory
	// (see ResolveEntry). Required.
	Entry string
	// Description is shown in the Lambda console.
	Description string
	Settings
	// Environment holds the function's environment variables. Never put
	// secrets here: they are visible in the template and the console.
	Environment map[string]string
}

// Settings are what functions built together share; composites take them
// once and pass them on whole.
type Settings struct {
	// MemoryMB is the function's memory in MB, from MinMemoryMB to
	// MaxMemoryMB. Default: DefaultMemoryMB.
	MemoryMB int
	// Timeout is a whole number of seconds up to MaxTimeout. Default:
	// DefaultTimeout.
	Timeout time.Duration
	// LogRetentionDays is the log group's retention; it defaults to
	// DefaultRetentionDays and must be a value CloudWatch Logs accepts.
	LogRetentionDays int
	// Retain keeps what the function owns (its log group) when the stack is
	// deleted.
	Retain bool
	// ProvisionedConcurrency keeps that many execution environments of the
	// live version initialized (no cold starts for them), billed whether
	// used or not; 0, the default, keeps none.
	ProvisionedConcurrency int
}

// Lambda's quotas on a function's memory and timeout ("Lambda quotas",
// AWS Lambda Developer Guide: memory 128 MB to 10,240 MB, timeout 900
// seconds); CloudFormation's AWS::Lambda::Function Timeout is a whole
// number of seconds.
const (
	MinMemoryMB = 128
	MaxMemoryMB = 10240
	MaxTimeout  = 900 * time.Second
)

// Problems are the settings Lambda refuses, one message per field, each
// naming it: a MemoryMB outside MinMemoryMB..MaxMemoryMB, a Timeout that
// is negative, not a whole number of seconds or above MaxTimeout, a negative
// ProvisionedConcurrency. Zero values, which take the defaults, are valid;
// nil means valid settings.
func (s Settings) Problems() []string {
	var problems []string
	if s.MemoryMB != 0 && (s.MemoryMB < MinMemoryMB || s.MemoryMB > MaxMemoryMB) {
		problems = append(problems, fmt.Sprintf("MemoryMB %d is outside Lambda's %d to %d MB", s.MemoryMB, MinMemoryMB, MaxMemoryMB))
	}
	if s.Timeout < 0 || s.Timeout%time.Second != 0 || s.Timeout > MaxTimeout {
		problems = append(problems, fmt.Sprintf("Timeout %v must be a whole number of seconds, at most Lambda's %v", s.Timeout, MaxTimeout))
	}
	if s.ProvisionedConcurrency < 0 {
		problems = append(problems, fmt.Sprintf("ProvisionedConcurrency %d is negative", s.ProvisionedConcurrency))
	}
	return problems
}

// AliasName is the alias every caller invokes.
const AliasName = "live"

// Function is a deployed Go handler and the resources it owns.
type Function struct {
	constructs.Construct
	// Function is the Lambda function.
	Function awslambda.Function
	// Role is the function's execution role; grant it what the handler needs.
	Role awsiam.Role
	// LogGroup receives the function's JSON logs.
	LogGroup awslogs.LogGroup
	// Alias ("live") points at the version that serves; invoke the function
	// through it, never unqualified.
	Alias awslambda.Alias
}

// New creates the function. An invalid Entry or Settings (see
// Settings.Problems) is reported as an error annotation on the construct
// (which fails synth), not as a panic; the function is then built with the
// default memory and timeout.
func New(scope constructs.Construct, id string, props Props) *Function {
	c := constructs.NewConstruct(scope, jsii.String(id))
	f := &Function{Construct: c}
	if problems := props.Settings.Problems(); problems != nil {
		for _, msg := range problems {
			cdkx.Error(c, "gofunction: %s", msg)
		}
		props.MemoryMB, props.Timeout, props.ProvisionedConcurrency = 0, 0, 0
	}

	retention, err := cdkx.Retention(cdkx.OrDefault(props.LogRetentionDays, DefaultRetentionDays))
	if err != nil {
		cdkx.Error(c, "gofunction: LogRetentionDays: %v", err)
		retention = awslogs.RetentionDays_ONE_MONTH
	}
	f.LogGroup = awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     retention,
		RemovalPolicy: cdkx.RemovalPolicy(props.Retain),
	})
	f.Role = awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String(fmt.Sprintf("Execution role of %s", *c.Node().Path())),
	})
	f.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: jsii.Strings(*f.LogGroup.LogGroupArn()),
	}))

	f.Function = awslambda.NewFunction(c, jsii.String("Function"), &awslambda.FunctionProps{
		Runtime:               awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:          awslambda.Architecture_ARM_64(),
		Handler:               jsii.String("bootstrap"),
		Code:                  code(c, props.Entry),
		Description:           cdkx.OptionalString(props.Description),
		MemorySize:            jsii.Number(cdkx.OrDefault(props.MemoryMB, DefaultMemoryMB)),
		Timeout:               awscdk.Duration_Millis(jsii.Number(float64(cdkx.OrDefault(props.Timeout, DefaultTimeout).Milliseconds()))),
		Environment:           cdkx.StringMap(props.Environment),
		Role:                  f.Role,
		LogGroup:              f.LogGroup,
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_INFO,
		SystemLogLevelV2:      awslambda.SystemLogLevel_WARN,
		Tracing:               awslambda.Tracing_ACTIVE,
		RecursiveLoop:         awslambda.RecursiveLoop_TERMINATE,
	})
	if entry, err := gobuild.ModuleEntry(props.Entry); err == nil {
		f.Function.Node().DefaultChild().(awscdk.CfnResource).AddMetadata(jsii.String(EntryMetadata), entry)
	}
	cdknag.NagSuppressions_AddResourceSuppressions(f.Role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions; CDK grants them on * for active tracing."),
		AppliesTo: &[]interface{}{jsii.String("Resource::*")},
	}}, jsii.Bool(true))
	// Every deploy publishes a version; callers reach it through the alias,
	// which CodeDeploy can shift between versions and roll back.
	f.Alias = awslambda.NewAlias(c, jsii.String("Live"), &awslambda.AliasProps{
		AliasName: jsii.String(AliasName), Version: f.Function.CurrentVersion(),
		ProvisionedConcurrentExecutions: cdkx.OptionalNumber(props.ProvisionedConcurrency),
	})
	return f
}

// code returns the asset built from entry, or, when entry is not a Go
// package, records an error annotation and returns a placeholder that keeps
// the construct tree intact until synth reports the error.
func code(c constructs.Construct, entry string) awslambda.Code {
	dir, err := ResolveEntry(entry)
	if err == nil {
		err = gobuild.CheckPackage(dir)
	}
	if err != nil {
		cdkx.Error(c, "gofunction: %v", err)
		return awslambda.Code_FromCfnParameters(nil)
	}
	return awslambda.Code_FromAsset(jsii.String(dir), &awss3assets.AssetOptions{
		// The hash of the bootstrap, not of the handler's directory: a
		// change to a package it imports must change the asset, or a
		// deploy would keep the old code. Builds are reproducible, so an
		// unchanged program keeps its hash.
		AssetHashType: awscdk.AssetHashType_OUTPUT,
		Bundling: &awscdk.BundlingOptions{
			// Only used if local bundling declined, which it never does.
			Image: awscdk.DockerImage_FromRegistry(jsii.String("none")),
			Local: &localBuild{dir: dir, prebuilt: buildDir(*awscdk.Stage_Of(c).Outdir(), dir)},
		},
	})
}

// localBuild is the ILocalBundling that CDK calls back (through jsii) when a
// stack's assets are bundled.
type localBuild struct {
	dir      string
	prebuilt string // where Prebuild would have built it
}

// TryBundle builds the bootstrap into outputDir, or takes it from a build
// Prebuild started. It never declines (which would make CDK try Docker): a
// failed build panics with the compiler output, and the jsii runtime turns
// that into a synth error.
func (b *localBuild) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	if err := prebuilt.Take(b.dir, b.prebuilt, *outputDir); err != nil {
		panic(err)
	}
	return jsii.Bool(true)
}

// prebuilt holds the builds Prebuild started, by output directory. They
// are written under the cloud assembly's directory (.gofunction/), and
// each asset hard-links its bootstrap, so they take no extra space.
var prebuilt = gobuild.NewBuilds(gobuild.BuildEnv)

// buildDir is where dir's prebuilt bootstrap goes under the assembly
// directory outdir.
func buildDir(outdir, dir string) string {
	sum := sha256.Sum256([]byte(dir))
	// The build runs in the handler's directory: the path must not be
	// relative (`cdk synth -o cdk.out.lint` gives a relative outdir).
	if abs, err := filepath.Abs(outdir); err == nil {
		outdir = abs
	}
	return filepath.Join(outdir, ".gofunction", hex.EncodeToString(sum[:8]))
}

// Prebuild starts building the handler packages of entries in the
// background, as many at once as there are CPUs, when scope's stack bundles
// its assets; each function's bundling then waits for its build and copies
// the bootstrap. CDK bundles one asset at a time; with Prebuild a stack's
// bootstraps link in parallel, and a package is built once per synth
// however many functions and environments use it. Entries that are not Go
// packages, or are empty, are left to New to report.
func Prebuild(scope constructs.Construct, entries ...string) {
	if required := awscdk.Stack_Of(scope).BundlingRequired(); required == nil || !*required {
		return
	}
	outdir := *awscdk.Stage_Of(scope).Outdir()
	targets := map[string]string{}
	for _, entry := range entries {
		if dir, err := ResolveEntry(entry); err == nil && gobuild.CheckPackage(dir) == nil {
			targets[dir] = buildDir(outdir, dir)
		}
	}
	prebuilt.Start(context.Background(), targets)
}
