package ddb_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme/customers-api/lambdakit/ddb"
)

// answering is a client whose every call gets status and DynamoDB's JSON
// error body for code, through the SDK's real retry and error parsing.
func answering(t *testing.T, status int, code string) *dynamodb.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#` + code + `","message":"m"}`))
	}))
	t.Cleanup(srv.Close)
	return ddb.New(aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")})
}

func TestServerSideFailuresAfterRetriesAreUnavailable(t *testing.T) {
	for _, c := range []struct {
		status      int
		code        string
		unavailable bool
	}{
		{500, "InternalFailure", true},
		{500, "InternalServerError", true},
		{503, "ServiceUnavailable", true},
		{400, "ThrottlingException", true},
		{400, "ProvisionedThroughputExceededException", true},
		{400, "TransactionConflictException", true},   // a write met a transaction in flight
		{400, "TransactionInProgressException", true}, // the same transaction token is still running
		{400, "ValidationException", false},
		{400, "ResourceNotFoundException", false},
	} {
		_, err := answering(t, c.status, c.code).GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("t"),
			Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "x"}}})
		var unavailable *ddb.UnavailableError
		if got := errors.As(ddb.Classify("get", err), &unavailable); got != c.unavailable {
			t.Errorf("%d %s: unavailable = %v, want %v (%v)", c.status, c.code, got, c.unavailable, err)
		}
	}
}

func TestClassifyKeepsNilAndNamesTheOperation(t *testing.T) {
	if ddb.Classify("x", nil) != nil {
		t.Error("nil became an error")
	}
	if err := ddb.Classify("get customer", errors.New("boom")); err.Error() != "get customer: boom" {
		t.Errorf("got %q", err)
	}
}
