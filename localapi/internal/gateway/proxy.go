package gateway

import (
	"github.com/acme/customers-api/localapi/internal/template"

	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// validate applies the method's request validator: required parameters
// present and not blank, then the body against the model for the request's
// content type (application/json when the header is absent; $default for
// any type; no model, no body validation). It returns the gateway response
// type, message and validation error that refuse the request, or "".
func validate(m *method, r *http.Request, body []byte) (typ, message, detail string) {
	if m.validateParams {
		var missing []string
		for p, required := range m.params {
			if !required {
				continue
			}
			location, name, _ := strings.Cut(p, ".")
			var value string
			switch location {
			case "querystring":
				value = r.URL.Query().Get(name)
			case "header":
				value = r.Header.Get(name)
			case "path":
				continue // a matched route has every path parameter
			}
			if strings.TrimSpace(value) == "" {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			msg := "Missing required request parameters: [" + strings.Join(missing, ", ") + "]"
			return badRequestParams, msg, msg
		}
	}
	if !m.validateBody || len(m.models) == 0 {
		return "", "", ""
	}
	contentType := strings.ToLower(r.Header.Get("Content-Type"))
	if contentType == "" {
		contentType = "application/json"
	}
	schema := m.models[contentType]
	if schema == nil {
		schema = m.models["$default"]
	}
	if schema == nil {
		return "", "", ""
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return badRequestBody, "", "[Invalid JSON: " + err.Error() + "]"
	}
	if err := schema.Validate(doc); err != nil {
		return badRequestBody, "", "[" + strings.ReplaceAll(err.Error(), "\n", " ") + "]"
	}
	return "", "", ""
}

// proxy invokes the method's function with a REST API (v1) Lambda proxy
// event and maps its response back. A function error or malformed response
// is a 502, a timeout (the integration's, 29 s by default) a 504.
func (g *Gateway) proxy(w http.ResponseWriter, r *http.Request, rc *requestContext, m *method, params map[string]string, body []byte) {
	event := g.event(r, rc, m, params, body)
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(m.timeoutMillis)*time.Millisecond)
	defer cancel()
	start := time.Now()
	payload, err := g.invoke(ctx, m.function, event)
	rc.integrationLatency = time.Since(start)
	if errors.Is(err, context.DeadlineExceeded) {
		g.fail(w, rc, integrationTimeout, "")
		return
	}
	var resp events.APIGatewayProxyResponse
	if err == nil {
		err = json.Unmarshal(payload, &resp)
	}
	if err != nil || resp.StatusCode < 100 || resp.StatusCode > 599 {
		fmt.Fprintf(g.opts.Logs, "local: %s: function %s failed or answered a malformed proxy response: %v %s\n", rc.requestID, m.function, err, payload)
		g.fail(w, rc, integrationFailure, "Internal server error")
		return
	}
	h := w.Header()
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	h.Set("x-amzn-RequestId", rc.requestID)
	w.WriteHeader(resp.StatusCode)
	if resp.IsBase64Encoded {
		decoded, _ := base64.StdEncoding.DecodeString(resp.Body)
		w.Write(decoded)
		return
	}
	w.Write([]byte(resp.Body))
}

func (g *Gateway) event(r *http.Request, rc *requestContext, m *method, params map[string]string, body []byte) events.APIGatewayProxyRequest {
	e := events.APIGatewayProxyRequest{
		Resource: rc.resourcePath, Path: r.URL.Path, HTTPMethod: r.Method, Body: string(body),
		Headers: map[string]string{}, MultiValueHeaders: map[string][]string{},
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID: g.assembly.Account, ResourceID: "res" + template.ShortHash(rc.resourcePath)[:6], OperationName: m.operation,
			Stage: g.stage, DomainName: r.Host, DomainPrefix: strings.Split(r.Host, ".")[0], RequestID: rc.requestID,
			ExtendedRequestID: rc.requestID, Protocol: r.Proto, ResourcePath: rc.resourcePath, Path: "/" + g.stage + r.URL.Path,
			HTTPMethod: r.Method, APIID: g.apiID, RequestTime: rc.variable("requestTime"), RequestTimeEpoch: rc.start.UnixMilli(),
			Identity: events.APIGatewayRequestIdentity{SourceIP: rc.sourceIP, UserAgent: rc.userAgent, APIKey: rc.apiKey, APIKeyID: rc.apiKeyID},
		},
	}
	for k, vs := range r.Header {
		e.MultiValueHeaders[k] = vs
		e.Headers[k] = vs[len(vs)-1]
	}
	if q := r.URL.Query(); len(q) > 0 {
		e.QueryStringParameters, e.MultiValueQueryStringParameters = map[string]string{}, map[string][]string{}
		for k, vs := range q {
			e.MultiValueQueryStringParameters[k] = vs
			e.QueryStringParameters[k] = vs[len(vs)-1]
		}
	}
	if len(params) > 0 {
		e.PathParameters = params
	}
	if rc.claims != nil {
		e.RequestContext.Authorizer = map[string]any{"claims": rc.claims}
	}
	rc.callerIdentity(&e)
	return e
}
