package gateway

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/acme/customers-api/localapi/internal/template"
)

// node is an AWS::ApiGateway::Resource (or the root) and its methods.
type node struct {
	part     string // "customers", "{id}", "{proxy+}"; "" for the root
	path     string // resource path, e.g. /customers/{id}
	children []*node
	methods  map[string]*method // by HTTP method or ANY
}

// method is an AWS::ApiGateway::Method.
type method struct {
	id, verb, resourcePath, operation string
	authType                          string            // NONE, COGNITO_USER_POOLS, CUSTOM, AWS_IAM
	authorizer                        *lambdaAuthorizer // of a CUSTOM method
	issuers                           []string
	scopes                            []string
	apiKeyRequired                    bool
	params                            map[string]bool // "querystring.limit" -> required
	validateParams, validateBody      bool
	models                            map[string]*jsonschema.Schema // by content type
	integration                       string                        // AWS_PROXY or MOCK
	function                          string                        // function ARN of an AWS_PROXY integration
	timeoutMillis                     int
	mock                              mockResponse
}

type mockResponse struct {
	status  int
	headers map[string]string
	// body is the integration response's application/json mapping
	// template; its $context variables are substituted.
	body string
}

// loadRoutes builds the resource tree of the REST API r.
func (g *Gateway) loadRoutes(api template.Resource) error {
	a := g.assembly
	g.root = &node{path: "/", methods: map[string]*method{}}
	nodes := map[string]*node{"root": g.root}
	// Resources: parents before children.
	pending := []template.Resource{}
	for _, r := range a.Resources("AWS::ApiGateway::Resource") {
		if owner, ok := a.Lookup(r.Stack, r.Properties["RestApiId"]); ok && owner.Key() == api.Key() {
			pending = append(pending, r)
		}
	}
	for len(pending) > 0 {
		var later []template.Resource
		for _, r := range pending {
			parent, ok := g.parent(r, nodes)
			if !ok {
				later = append(later, r)
				continue
			}
			part, _ := r.Properties["PathPart"].(string)
			n := &node{part: part, path: strings.TrimSuffix(parent.path, "/") + "/" + part, methods: map[string]*method{}}
			parent.children = append(parent.children, n)
			nodes[r.Key()] = n
		}
		if len(later) == len(pending) {
			return fmt.Errorf("localapi: resource %s has no parent in the template", later[0].Key())
		}
		pending = later
	}
	// route tries children in API Gateway's order of precedence.
	for _, n := range nodes {
		sort.SliceStable(n.children, func(a, b int) bool { return rank(n.children[a]) < rank(n.children[b]) })
	}
	for _, r := range a.Resources("AWS::ApiGateway::Method") {
		if owner, ok := a.Lookup(r.Stack, r.Properties["RestApiId"]); !ok || owner.Key() != api.Key() {
			continue
		}
		n := g.root
		if res, ok := a.Lookup(r.Stack, r.Properties["ResourceId"]); ok && res.Key() != api.Key() {
			if n, ok = nodes[res.Key()]; !ok {
				return fmt.Errorf("localapi: method %s: unknown resource", r.LogicalID)
			}
		}
		m, err := g.loadMethod(r, n.path)
		if err != nil {
			return fmt.Errorf("localapi: method %s: %w", r.LogicalID, err)
		}
		n.methods[m.verb] = m
	}
	return nil
}

func (g *Gateway) parent(r template.Resource, nodes map[string]*node) (*node, bool) {
	p := r.Properties["ParentId"]
	if m, ok := p.(map[string]any); ok {
		if att, ok := m["Fn::GetAtt"].([]any); ok && len(att) == 2 && att[1] == "RootResourceId" {
			return g.root, true
		}
	}
	res, ok := g.assembly.Lookup(r.Stack, p)
	if !ok {
		return nil, false
	}
	n, ok := nodes[res.Key()]
	return n, ok
}

func (g *Gateway) loadMethod(r template.Resource, path string) (*method, error) {
	a := g.assembly
	p := r.Properties
	m := &method{id: r.LogicalID, resourcePath: path, params: map[string]bool{}, models: map[string]*jsonschema.Schema{}, timeoutMillis: 29000}
	m.verb, _ = p["HttpMethod"].(string)
	m.operation, _ = p["OperationName"].(string)
	m.authType, _ = p["AuthorizationType"].(string)
	m.apiKeyRequired, _ = p["ApiKeyRequired"].(bool)
	if err := a.Decode(r, "AuthorizationScopes", &m.scopes); err != nil {
		return nil, err
	}
	switch m.authType {
	case "", "NONE":
		m.authType = "NONE"
	case "COGNITO_USER_POOLS":
		auth, ok := a.Lookup(r.Stack, p["AuthorizerId"])
		if !ok {
			return nil, fmt.Errorf("authorizer not in the template")
		}
		var arns []string
		if err := a.Decode(auth, "ProviderARNs", &arns); err != nil {
			return nil, err
		}
		for _, arn := range arns {
			m.issuers = append(m.issuers, g.identity.Issuer(arn[strings.LastIndex(arn, "/")+1:]))
		}
		if src, _ := auth.Properties["IdentitySource"].(string); src != "" && src != "method.request.header.Authorization" {
			return nil, fmt.Errorf("identity source %s is not modelled (only the Authorization header)", src)
		}
	case "CUSTOM":
		var err error
		if m.authorizer, err = g.loadAuthorizer(r.Stack, p["AuthorizerId"]); err != nil {
			return nil, err
		}
	case "AWS_IAM":
		if g.callers == nil {
			if err := g.loadCallers(); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("authorization type %s is not modelled", m.authType)
	}
	var params map[string]bool
	if err := a.Decode(r, "RequestParameters", &params); err != nil {
		return nil, err
	}
	for k, required := range params {
		m.params[strings.TrimPrefix(k, "method.request.")] = required
	}
	if v, ok := a.Lookup(r.Stack, p["RequestValidatorId"]); ok {
		m.validateParams, _ = v.Properties["ValidateRequestParameters"].(bool)
		m.validateBody, _ = v.Properties["ValidateRequestBody"].(bool)
	}
	models, _ := p["RequestModels"].(map[string]any)
	for contentType, ref := range models {
		model, ok := a.Lookup(r.Stack, ref)
		if !ok {
			return nil, fmt.Errorf("model for %s not in the template", contentType)
		}
		schema, err := compileModel(model)
		if err != nil {
			return nil, err
		}
		m.models[strings.ToLower(contentType)] = schema
	}
	integration, _ := p["Integration"].(map[string]any)
	m.integration, _ = integration["Type"].(string)
	if t, ok := integration["TimeoutInMillis"].(float64); ok {
		m.timeoutMillis = int(t)
	}
	switch m.integration {
	case "AWS_PROXY":
		uri, err := a.String(r.Stack, integration["Uri"])
		if err != nil {
			return nil, err
		}
		if m.function, err = lambdaFunctionOf(uri); err != nil {
			return nil, fmt.Errorf("integration: %w", err)
		}
	case "MOCK":
		responses, _ := integration["IntegrationResponses"].([]any)
		for _, ir := range responses {
			ir, _ := ir.(map[string]any)
			if _, selective := ir["SelectionPattern"]; selective {
				continue
			}
			fmt.Sscan(fmt.Sprint(ir["StatusCode"]), &m.mock.status)
			m.mock.headers = map[string]string{}
			rp, _ := ir["ResponseParameters"].(map[string]any)
			for k, v := range rp {
				name, ok := strings.CutPrefix(k, "method.response.header.")
				s, literal := v.(string)
				if ok && literal && len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
					m.mock.headers[name] = s[1 : len(s)-1]
				}
			}
			templates, _ := ir["ResponseTemplates"].(map[string]any)
			m.mock.body, _ = templates["application/json"].(string)
		}
		if m.mock.status == 0 {
			return nil, fmt.Errorf("MOCK integration without a default integration response")
		}
	default:
		return nil, fmt.Errorf("integration type %q is not modelled", m.integration)
	}
	return m, nil
}

func compileModel(model template.Resource) (*jsonschema.Schema, error) {
	schema := model.Properties["Schema"]
	if s, ok := schema.(string); ok {
		if err := json.Unmarshal([]byte(s), &schema); err != nil {
			return nil, fmt.Errorf("model %s: %w", model.LogicalID, err)
		}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	url := "local://models/" + model.LogicalID
	if err := c.AddResource(url, schema); err != nil {
		return nil, fmt.Errorf("model %s: %w", model.LogicalID, err)
	}
	return c.Compile(url)
}

// route finds the method for a path as API Gateway does: at each segment a
// literal child before a {param} child, before a {greedy+} child that
// takes the rest of the path. ok is false when no resource matches; m is
// nil when the resource has no such method.
func (g *Gateway) route(verb, path string) (n *node, m *method, params map[string]string, ok bool) {
	segments := strings.Split(strings.Trim(path, "/"), "/")
	if path == "/" || path == "" {
		segments = nil
	}
	params = map[string]string{}
	n = g.root
walk:
	for i, seg := range segments {
		for _, c := range n.children { // in precedence order (loadRoutes)
			switch {
			case !strings.HasPrefix(c.part, "{"):
				if c.part == seg {
					n = c
					continue walk
				}
			case strings.HasSuffix(c.part, "+}"):
				params[strings.Trim(c.part, "{+}")] = strings.Join(segments[i:], "/")
				n = c
				break walk
			default:
				if seg != "" {
					params[strings.Trim(c.part, "{}")] = seg
					n = c
					continue walk
				}
			}
		}
		return nil, nil, nil, false
	}
	if m = n.methods[verb]; m == nil {
		m = n.methods["ANY"]
	}
	return n, m, params, true
}

func rank(n *node) int {
	switch {
	case !strings.HasPrefix(n.part, "{"):
		return 0
	case strings.HasSuffix(n.part, "+}"):
		return 2
	}
	return 1
}

// Paths returns the resource paths that have a method for verb, sorted.
func (g *Gateway) Paths(verb string) []string {
	var out []string
	var walk func(n *node)
	walk = func(n *node) {
		if n.methods[verb] != nil {
			out = append(out, n.path)
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(g.root)
	sort.Strings(out)
	return out
}
