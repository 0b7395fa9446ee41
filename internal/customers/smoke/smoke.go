// Package smoke holds the customers API's smoke checks: per operation, a
// request that changes nothing and the answer a healthy version gives.
package smoke

import (
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/acme/customers-api/internal/customers/contract"
	"github.com/acme/customers-api/lambdakit/httpx"
	"github.com/acme/customers-api/lambdakit/smokecheck"
)

// missing is a well-formed customer id that no customer has: ids are ULIDs
// made from the creation time, and this one is from 1970.
const missing = "CUST-00000000000000000000000000"

func request(method, path, id, body string, query, headers map[string]string) events.APIGatewayProxyRequest {
	r := events.APIGatewayProxyRequest{HTTPMethod: method, Path: path, Body: body, QueryStringParameters: query,
		Headers: map[string]string{"Content-Type": "application/json"}}
	for k, v := range headers {
		r.Headers[k] = v
	}
	if id != "" {
		r.PathParameters = map[string]string{"id": id}
	}
	r.RequestContext.RequestID = "smoke-check"
	r.RequestContext.Path = path
	return r
}

// Checks by operation (see contract.Operations); the pre-traffic hook of
// an operation's function picks its own by envvars.SmokeOperation.
var Checks = map[contract.OperationName]smokecheck.Check{
	contract.Get: {Request: request("GET", "/customers/"+missing, missing, "", nil, nil),
		Status: http.StatusNotFound, ContentType: httpx.ContentTypeProblem},
	contract.Update: {Request: request("PUT", "/customers/"+missing, missing, `{"name":"Smoke","email":"smoke@example.com","status":"ACTIVE"}`, nil, map[string]string{"If-Match": `"1"`}),
		Status: http.StatusNotFound, ContentType: httpx.ContentTypeProblem},
	contract.Delete: {Request: request("DELETE", "/customers/"+missing, missing, "", nil, nil),
		Status: http.StatusNotFound, ContentType: httpx.ContentTypeProblem},
	contract.List: {Request: request("GET", "/customers", "", "", map[string]string{"email": "nobody@smoke-check.invalid"}, nil),
		Status: http.StatusOK, ContentType: "application/json"},
	contract.Create: {Request: request("POST", "/customers", "", `{}`, nil, nil),
		Status: http.StatusBadRequest, ContentType: httpx.ContentTypeProblem},
}
