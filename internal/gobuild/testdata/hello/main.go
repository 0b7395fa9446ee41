// Command hello is the smallest real Lambda handler; the gofunction tests
// build it to check flags, reproducibility and size.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, name string) (string, error) { return "hello " + name, nil }

func main() { lambda.Start(handle) }
