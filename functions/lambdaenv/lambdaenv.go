// Package lambdaenv is the start-up every Go Lambda in this module shares:
// a JSON logger at the level Lambda asks for (AWS_LAMBDA_LOG_LEVEL), the
// required environment variables, and the AWS configuration, loaded once
// per container, with every AWS SDK call traced by X-Ray (see tracing). A start-up failure
// is one log line and exit status 1.
package lambdaenv

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/acme/customers-api/functions/tracing"
)

// Start returns the logger, the values of the required environment
// variables and the AWS configuration, or exits.
func Start(required ...string) (*slog.Logger, map[string]string, aws.Config) {
	var level slog.Level
	if level.UnmarshalText([]byte(os.Getenv("AWS_LAMBDA_LOG_LEVEL"))) != nil {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
	env := make(map[string]string, len(required))
	for _, name := range required {
		if env[name] = os.Getenv(name); env[name] == "" {
			logger.Error("start-up failed: environment variable not set", "name", name)
			os.Exit(1)
		}
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("start-up failed: AWS configuration", "error", err.Error())
		os.Exit(1)
	}
	tracing.Instrument(&cfg)
	return logger, env, cfg
}
