// Command echo is the handler the lambda package's tests run under the
// emulator: it answers with the event and $GREETING, fails on "fail" and
// outlives any deadline on "hang".
package main

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Say string `json:"say"`
}

func handle(ctx context.Context, e event) (map[string]string, error) {
	switch e.Say {
	case "fail":
		return nil, errors.New("told to fail")
	case "hang":
		time.Sleep(time.Minute)
	}
	return map[string]string{"said": e.Say, "greeting": os.Getenv("GREETING"), "name": os.Getenv("AWS_LAMBDA_FUNCTION_NAME")}, nil
}

func main() { lambda.Start(handle) }
