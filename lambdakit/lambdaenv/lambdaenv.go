// Package lambdaenv is the start-up every Go Lambda in this module shares:
// a JSON logger at the level Lambda asks for (AWS_LAMBDA_LOG_LEVEL), the
// required environment variables, and the AWS configuration, loaded once
// per container, with every AWS SDK call traced by X-Ray (see tracing). A start-up failure
// is one log line and exit status 1.
//
// The AWS configuration is read from the environment Lambda sets (region and
// the execution role's credentials) rather than by config.LoadDefaultConfig,
// whose shared-file, SSO, STS and IMDS providers a function never uses but
// every bootstrap would carry (about 1 MB, with encoding/xml).
package lambdaenv

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/acme/customers-api/lambdakit/tracing"
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
	cfg, err := Config()
	if err != nil {
		logger.Error("start-up failed: AWS configuration", "error", err.Error())
		os.Exit(1)
	}
	tracing.Instrument(&cfg)
	return logger, env, cfg
}

// Config is the AWS configuration of a Lambda function, from the variables
// Lambda sets: AWS_REGION, and AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN of the execution role. AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_DYNAMODB) point the
// clients elsewhere, as with the SDK's own loader (local runs, tests).
func Config() (aws.Config, error) {
	cfg := aws.Config{
		Region:        os.Getenv("AWS_REGION"),
		ConfigSources: []any{envEndpoints{}},
	}
	if cfg.Region == "" {
		return cfg, errors.New("AWS_REGION is not set")
	}
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return cfg, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	}
	cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN")))
	if endpoint := os.Getenv("AWS_ENDPOINT_URL"); endpoint != "" {
		cfg.BaseEndpoint = &endpoint
	}
	return cfg, nil
}

// envEndpoints gives each service client its AWS_ENDPOINT_URL_<SERVICE>,
// the service id upper-cased with spaces as underscores.
type envEndpoints struct{}

func (envEndpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	v := os.Getenv("AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(sdkID, " ", "_")))
	return v, v != "", nil
}
