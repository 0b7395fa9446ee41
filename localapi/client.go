package localapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Response is a gateway response with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the JSON body into v.
func (r Response) Decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("%d %s: %w", r.Status, r.Body, err)
	}
	return nil
}

// String is the status and body, for test failures.
func (r Response) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

// Call sends a request to the gateway: path is the resource path with its
// query, header a list of name, value pairs.
func (e *Env) Call(method, path, body string, header ...string) (Response, error) {
	req, err := http.NewRequest(method, e.URL+path, strings.NewReader(body))
	if err != nil {
		return Response{}, err
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, err
}
