// Package smokecheck is a CodeDeploy pre-traffic hook for a Lambda behind
// API Gateway: before any traffic shifts to a new version, it invokes that
// version with one API Gateway proxy request and tells CodeDeploy whether
// the answer had the expected status and content type. A failed check stops
// the deployment, which rolls back.
package smokecheck

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/acme/customers-api/lambdakit/envvars"
	"github.com/acme/customers-api/lambdakit/lambdaenv"
)

// LambdaAPI and CodeDeployAPI are the parts of the clients the hook uses.
type (
	LambdaAPI interface {
		Invoke(context.Context, *awslambda.InvokeInput, ...func(*awslambda.Options)) (*awslambda.InvokeOutput, error)
	}
	CodeDeployAPI interface {
		PutLifecycleEventHookExecutionStatus(context.Context, *codedeploy.PutLifecycleEventHookExecutionStatusInput, ...func(*codedeploy.Options)) (*codedeploy.PutLifecycleEventHookExecutionStatusOutput, error)
	}
)

// Check is the request to send and the answer to expect.
type Check struct {
	Request     events.APIGatewayProxyRequest
	Status      int
	ContentType string
}

// Event is what CodeDeploy sends a lifecycle hook.
type Event struct {
	DeploymentID                  string `json:"DeploymentId"`
	LifecycleEventHookExecutionID string `json:"LifecycleEventHookExecutionId"`
}

// Hook runs a Check against Target and reports it.
type Hook struct {
	Lambda     LambdaAPI
	CodeDeploy CodeDeployAPI
	Target     string
	Check      Check
	Logger     *slog.Logger
}

// Handle runs the check and reports Succeeded or Failed to CodeDeploy; the
// error is only for a report that could not be made.
func (h *Hook) Handle(ctx context.Context, ev Event) error {
	status := cdtypes.LifecycleEventStatusSucceeded
	if problem := h.run(ctx); problem != "" {
		status = cdtypes.LifecycleEventStatusFailed
		h.Logger.Error("smoke check failed; the deployment rolls back", "target", h.Target, "deploymentId", ev.DeploymentID, "problem", problem)
	} else {
		h.Logger.Info("smoke check passed", "target", h.Target, "deploymentId", ev.DeploymentID)
	}
	_, err := h.CodeDeploy.PutLifecycleEventHookExecutionStatus(ctx, &codedeploy.PutLifecycleEventHookExecutionStatusInput{
		DeploymentId: &ev.DeploymentID, LifecycleEventHookExecutionId: &ev.LifecycleEventHookExecutionID, Status: status,
	})
	if err != nil {
		return fmt.Errorf("report %s to CodeDeploy: %w", status, err)
	}
	return nil
}

// run returns what is wrong with the target's answer, or "".
func (h *Hook) run(ctx context.Context) string {
	payload, _ := json.Marshal(h.Check.Request)
	out, err := h.Lambda.Invoke(ctx, &awslambda.InvokeInput{FunctionName: &h.Target, Payload: payload})
	switch {
	case err != nil:
		return "invoke: " + err.Error()
	case out.FunctionError != nil:
		return "the function failed: " + aws.ToString(out.FunctionError) + ": " + string(out.Payload)
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out.Payload, &resp); err != nil {
		return "the answer is not an API Gateway proxy response: " + string(out.Payload)
	}
	mediaType, _, _ := mime.ParseMediaType(resp.Headers["Content-Type"])
	if resp.StatusCode != h.Check.Status || h.Check.ContentType != "" && mediaType != h.Check.ContentType {
		return fmt.Sprintf("answered %d %s, want %d %s: %s", resp.StatusCode, mediaType, h.Check.Status, h.Check.ContentType, resp.Body)
	}
	return ""
}

// Main is the body of a hook's main: clients built once per container, the
// target version from the environment (envvars.SmokeTargetVersion), the
// check chosen by the caller (for example by envvars.SmokeOperation).
func Main(check Check) {
	logger, env, cfg := lambdaenv.Start(envvars.SmokeTargetVersion)
	h := &Hook{Lambda: awslambda.NewFromConfig(cfg), CodeDeploy: codedeploy.NewFromConfig(cfg), Target: env[envvars.SmokeTargetVersion], Check: check, Logger: logger}
	lambda.Start(h.Handle)
}
