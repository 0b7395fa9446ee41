package smoke_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/internal/customers/handlers"
	"github.com/acme/customers-api/internal/customers/smoke"
	"github.com/acme/customers-api/internal/customers/store/storetest"
	"github.com/acme/customers-api/internal/testenv/moto"
	"github.com/acme/customers-api/lambdakit/httpx"
	"github.com/acme/customers-api/lambdakit/smokecheck"
)

var srv *moto.Server

func TestMain(m *testing.M) { moto.TestMain(m, &srv) }

// version is a Lambda version as the hook invokes it: the payload goes to a
// real handler in process (Lambda itself needs Docker here).
type version func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

func (v version) Invoke(ctx context.Context, in *awslambda.InvokeInput, _ ...func(*awslambda.Options)) (*awslambda.InvokeOutput, error) {
	var req events.APIGatewayProxyRequest
	if err := json.Unmarshal(in.Payload, &req); err != nil {
		return nil, err
	}
	resp, err := v(ctx, req)
	if err != nil {
		return &awslambda.InvokeOutput{FunctionError: aws.String("Unhandled"), Payload: []byte(`{"errorMessage":"` + err.Error() + `"}`)}, nil
	}
	out, _ := json.Marshal(resp)
	return &awslambda.InvokeOutput{Payload: out}, nil
}

// reports records what CodeDeploy was told.
type reports []cdtypes.LifecycleEventStatus

func (r *reports) PutLifecycleEventHookExecutionStatus(_ context.Context, in *codedeploy.PutLifecycleEventHookExecutionStatusInput, _ ...func(*codedeploy.Options)) (*codedeploy.PutLifecycleEventHookExecutionStatusOutput, error) {
	*r = append(*r, in.Status)
	return &codedeploy.PutLifecycleEventHookExecutionStatusOutput{}, nil
}

func check(t *testing.T, target version, c smokecheck.Check) cdtypes.LifecycleEventStatus {
	t.Helper()
	var r reports
	hook := &smokecheck.Hook{Lambda: target, CodeDeploy: &r, Target: "fn:42", Check: c, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	if err := hook.Handle(context.Background(), smokecheck.Event{DeploymentID: "d-1", LifecycleEventHookExecutionID: "h-1"}); err != nil {
		t.Fatal(err)
	}
	if len(r) != 1 {
		t.Fatalf("%d reports to CodeDeploy, want 1", len(r))
	}
	return r[0]
}

// Every operation has a check that a healthy version passes and changes
// nothing; a version that fails, or answers otherwise, fails it.
func TestEveryOperationsSmokeCheckPassesAHealthyVersionAndFailsABrokenOne(t *testing.T) {
	db, table := storetest.NewTable(t, srv)
	h := handlers.New(handlers.Deps{DB: db, Table: table, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	for _, op := range contract.Operations {
		c, ok := smoke.Checks[op.Name]
		if !ok {
			t.Errorf("operation %s has no smoke check", op.Name)
			continue
		}
		serve, ok := h.For(op.Name)
		if !ok {
			t.Fatalf("operation %s has no handler", op.Name)
		}
		if got := check(t, version(serve), c); got != cdtypes.LifecycleEventStatusSucceeded {
			t.Errorf("%s: the healthy version was reported %s", op.Name, got)
		}
		broken := func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
			return events.APIGatewayProxyResponse{StatusCode: 500, Headers: map[string]string{"Content-Type": httpx.ContentTypeProblem}}, nil
		}
		crashing := func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
			return events.APIGatewayProxyResponse{}, errors.New("panic: nil map")
		}
		for name, v := range map[string]version{"answering 500": broken, "crashing": crashing} {
			if got := check(t, v, c); got != cdtypes.LifecycleEventStatusFailed {
				t.Errorf("%s: a version %s was reported %s", op.Name, name, got)
			}
		}
	}
	resp, _ := h.List()(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/customers", RequestContext: events.APIGatewayProxyRequestContext{RequestID: "r"}})
	if resp.Body != `{"items":[]}` {
		t.Errorf("the smoke checks left data behind: %s", resp.Body)
	}
}
