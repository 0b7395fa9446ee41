package lambdaenv

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

func TestConfigComesFromTheLambdaEnvironment(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "session")
	var hits []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits = append(hits, r.Header.Get("X-Amz-Target")+r.URL.Query().Get("Action")+" "+strings.Split(r.Header.Get("Authorization"), "/")[0])
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", srv.URL)
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // every other service
	cfg, err := Config()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dynamodb.NewFromConfig(cfg).ListTables(context.Background(), &dynamodb.ListTablesInput{}); err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0] != "DynamoDB_20120810.ListTables AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE" {
		t.Errorf("the service endpoint variable and the role's credentials were not used: %v", hits)
	}
	// SNS has no variable of its own: it goes to AWS_ENDPOINT_URL.
	if _, err := sns.NewFromConfig(cfg, func(o *sns.Options) { o.RetryMaxAttempts = 1 }).ListTopics(context.Background(), &sns.ListTopicsInput{}); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("SNS did not use AWS_ENDPOINT_URL: %v", err)
	}
}

func TestConfigRefusesAnEnvironmentWithoutRegionOrCredentials(t *testing.T) {
	for name, env := range map[string][2]string{"no region": {"", "AKIDEXAMPLE"}, "no credentials": {"eu-west-1", ""}} {
		t.Setenv("AWS_REGION", env[0])
		t.Setenv("AWS_ACCESS_KEY_ID", env[1])
		t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
		if _, err := Config(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
