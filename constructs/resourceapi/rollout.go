package resourceapi

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/constructs/gofunction"
	"github.com/acme/customers-api/lambdakit/envvars"
)

// Rollout strategies: how much traffic a new version takes, and when.
const (
	// Canary sends 10% of requests to the new version for 5 minutes, then
	// all of them. The default.
	Canary = "canary"
	// Linear adds 10% of the requests every minute.
	Linear = "linear"
	// AllAtOnce shifts everything at once, still watched by the alarms.
	AllAtOnce = "all-at-once"
)

var rolloutConfigs = map[string]func() awscodedeploy.ILambdaDeploymentConfig{
	"":        awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES,
	Canary:    awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES,
	Linear:    awscodedeploy.LambdaDeploymentConfig_LINEAR_10PERCENT_EVERY_1MINUTE,
	AllAtOnce: awscodedeploy.LambdaDeploymentConfig_ALL_AT_ONCE,
}

// Rollout is how a deploy moves each function's alias to its new version.
// CodeDeploy shifts the traffic and rolls back when the deployment fails or
// an alarm of the function (errors, throttles) or the API's 5XX rate fires.
type Rollout struct {
	// Strategy is Canary (the default), Linear or AllAtOnce.
	Strategy string
	// Off moves the aliases without CodeDeploy: no shifting, no rollback.
	// Only for throwaway stacks.
	Off bool
	// SmokeCheckEntry, when set, is the Go main package of a pre-traffic
	// hook (see lambdakit/smokecheck) that CodeDeploy runs against each API
	// function's new version before any traffic shifts; it gets the
	// version's ARN (envvars.SmokeTargetVersion) and the operation's name
	// (envvars.SmokeOperation). A failed check rolls the deployment back.
	SmokeCheckEntry string
}

// DeploymentGroups are the CodeDeploy deployment groups by function name
// ("publisher" and "forwarder" for the event functions).
type DeploymentGroups map[string]awscodedeploy.LambdaDeploymentGroup

// smokeChecks builds a pre-traffic hook per API operation, allowed to
// invoke only the version it checks.
func (r *ResourceAPI) smokeChecks(p Props) {
	if p.Rollout.Off || p.Rollout.SmokeCheckEntry == "" {
		return
	}
	r.SmokeChecks = map[string]*gofunction.Function{}
	for _, op := range p.Operations {
		target := r.Functions[op.Name].Function.CurrentVersion()
		hook := gofunction.New(r.Construct, "Smoke-"+op.Name, gofunction.Props{
			Entry: p.Rollout.SmokeCheckEntry, Description: fmt.Sprintf("%s: smoke check of %s %s before traffic shifts", p.Name, op.Method, op.Path),
			Settings:    gofunction.Settings{LogRetentionDays: p.Functions.LogRetentionDays, Retain: p.Functions.Retain},
			Environment: map[string]string{envvars.SmokeTargetVersion: *target.FunctionArn(), envvars.SmokeOperation: op.Name},
		})
		target.GrantInvoke(hook.Role)
		r.SmokeChecks[op.Name] = hook
	}
}

// rollout gives every function a deployment group that shifts its alias to
// each new version and rolls back on its own alarms and the API's 5XX rate.
func (r *ResourceAPI) rollout(p Props) {
	if p.Rollout.Off {
		return
	}
	functions := map[string]*gofunction.Function{}
	for name, fn := range r.Functions {
		functions[name] = fn
	}
	if r.Events != nil {
		functions["publisher"], functions["forwarder"] = r.Events.Publisher, r.Events.Forwarder
	}
	for name, fn := range r.Authorizers {
		functions[authorizerAlarmName(name)] = fn
	}
	r.Deployments = DeploymentGroups{}
	for name, fn := range functions {
		alarms := []interfacesawscloudwatch.IAlarmRef{r.Monitoring.Alarms[name+"Errors"], r.Monitoring.Alarms[name+"Throttles"]}
		if _, api := r.Functions[name]; api || strings.HasPrefix(name, "authorizer-") {
			alarms = append(alarms, r.Monitoring.Alarms["Api5xxRate"])
		}
		var hook awslambda.IFunction
		if h, ok := r.SmokeChecks[name]; ok {
			hook = h.Alias
		}
		g := awscodedeploy.NewLambdaDeploymentGroup(r.Construct, jsii.String("Deploy-"+name), &awscodedeploy.LambdaDeploymentGroupProps{
			Alias: fn.Alias, DeploymentConfig: rolloutConfigs[p.Rollout.Strategy](), Alarms: &alarms, PreHook: hook,
			AutoRollback: &awscodedeploy.AutoRollbackConfig{FailedDeployment: jsii.Bool(true), StoppedDeployment: jsii.Bool(true), DeploymentInAlarm: jsii.Bool(true)},
		})
		cdknag.NagSuppressions_AddResourceSuppressions(g, &[]*cdknag.NagPackSuppression{{
			Id:        jsii.String("AwsSolutions-IAM4"),
			Reason:    jsii.String("CodeDeploy's service role for Lambda uses the AWS managed policy AWSCodeDeployRoleForLambdaLimited, as AWS documents it."),
			AppliesTo: &[]any{jsii.String("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited")},
		}}, jsii.Bool(true))
		// The alias names its deployment group and hook only inside its
		// UpdatePolicy, and CloudFormation orders resources by Ref and
		// Fn::GetAtt in properties and by DependsOn ("DependsOn attribute",
		// CloudFormation User Guide): without these, a deploy may update the
		// alias before the group or the hook that checks the new version.
		fn.Alias.Node().AddDependency(g)
		if hook != nil {
			fn.Alias.Node().AddDependency(hook)
		}
		r.Deployments[name] = g
	}
}
