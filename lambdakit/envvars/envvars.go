// Package envvars names the environment variables that the constructs set
// on a function and the handler toolkit reads, so the two sides cannot
// disagree. It has no dependencies: infrastructure code imports it without
// linking any runtime SDK.
package envvars

const (
	// TableName is the DynamoDB table of a resource API's functions.
	TableName = "TABLE_NAME"
	// AllowedOrigins is the comma-separated list of CORS origins.
	AllowedOrigins = "ALLOWED_ORIGINS"
	// TopicARN is the SNS topic the stream publisher (outbox) publishes to.
	TopicARN = "TOPIC_ARN"
	// EventBusName and EventSource are where and as what the forwarder
	// puts events on EventBridge.
	EventBusName = "EVENT_BUS_NAME"
	EventSource  = "EVENT_SOURCE"
	// SmokeTargetVersion is the ARN of the version a pre-traffic hook
	// checks; SmokeOperation names the operation it serves.
	SmokeTargetVersion = "SMOKE_TARGET_VERSION"
	SmokeOperation     = "SMOKE_OPERATION"
	// ProblemTypeBase, when set, prefixes the type of every problem the
	// handlers answer (httpx.Service.ProblemTypeBase), as the API's own
	// gateway responses do (restapi.Settings.ProblemTypeBase).
	ProblemTypeBase = "PROBLEM_TYPE_BASE"
)
