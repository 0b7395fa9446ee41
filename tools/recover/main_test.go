package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme/customers-api/internal/testenv/moto"
)

var srv *moto.Server

func TestMain(m *testing.M) { moto.TestMain(m, &srv) }

// signed is one request as the recording proxy saw it: the service and
// the access key of its SigV4 credential scope.
type signed struct{ service, key string }

// recorder forwards to moto and records who signed each request.
func recorder(t *testing.T) (endpoint string, seen func() []signed) {
	target, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	credential := regexp.MustCompile(`Credential=([^/]+)/[^/]+/[^/]+/([^/]+)/aws4_request`)
	var mu sync.Mutex
	var log []signed
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m := credential.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
			mu.Lock()
			log = append(log, signed{service: m[2], key: m[1]})
			mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s.URL, func() []signed {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(log)
	}
}

// With -role, the tool assumes the role with the credentials it finds and
// makes every call with the role's; without it, with the ones it finds.
func TestRoleMakesEveryCallWithTheAssumedRolesCredentials(t *testing.T) {
	ctx := context.Background()
	db := dynamodb.NewFromConfig(srv.Config())
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("customers-test"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}},
	}); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"arn:aws:iam::123456789012:role/recovery", ""} {
		t.Run("role="+role, func(t *testing.T) {
			endpoint, seen := recorder(t)
			t.Setenv("AWS_ENDPOINT_URL", endpoint)
			t.Setenv("AWS_REGION", "eu-west-1")
			t.Setenv("AWS_ACCESS_KEY_ID", "operator")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "operator-secret")
			t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
			args := []string{"reconcile", "-topic", "arn:aws:sns:eu-west-1:123456789012:events", "-table", "customers-test",
				"-from", "2026-01-01T00:00:00Z", "-to", "2026-01-02T00:00:00Z"}
			if role != "" {
				args = append(args, "-role", role)
			}
			if err := run(ctx, args); err != nil {
				t.Fatal(err)
			}
			log := seen()
			var scans, assumes int
			for _, s := range log {
				switch {
				case s.service == "sts" && s.key == "operator":
					assumes++
				case s.service == "dynamodb" && (s.key == "operator") == (role == ""):
					scans++
				default:
					t.Errorf("%s call signed by %s", s.service, s.key)
				}
			}
			if wantAssumes := map[bool]int{true: 1, false: 0}[role != ""]; assumes != wantAssumes || scans == 0 {
				t.Errorf("%d AssumeRole calls (want %d) and %d scans in %v", assumes, wantAssumes, scans, log)
			}
		})
	}
}
