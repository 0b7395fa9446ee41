package alarmsim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Resource is a resource of one of the templates.
type Resource struct {
	Stack, LogicalID, Type string
	Properties             map[string]any
}

// Token is how a reference to r appears in resolved values: "${Stack/ID}"
// for Ref, "${Stack/ID.Attr}" for Fn::GetAtt.
func (r Resource) Token() string { return "${" + r.Stack + "/" + r.LogicalID + "}" }

type template struct {
	Resources map[string]struct {
		Type       string
		Properties map[string]any
	}
	Outputs map[string]struct {
		Value  any
		Export *struct{ Name any }
	}
}

// templates holds every stack's resources and exports.
type templates struct {
	resources map[string]Resource // by token
	exports   map[string]any      // export name -> resolved value
	// byName are the resources metric dimensions name by physical name:
	// dimension -> name -> resource (the first by token where names repeat).
	byName map[string]map[string]Resource
}

// LoadDir reads every *.template.json of a cloud assembly directory such as
// cdk.out; each stack is named by its file name.
func LoadDir(dir string) (*Simulator, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
	if err != nil {
		return nil, err
	}
	raw := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		raw[strings.TrimSuffix(filepath.Base(f), ".template.json")] = b
	}
	return New(raw)
}

func parseTemplates(raw map[string][]byte) (*templates, error) {
	ts := &templates{resources: map[string]Resource{}, exports: map[string]any{}}
	parsed := map[string]template{}
	stacks := make([]string, 0, len(raw))
	for stack := range raw {
		stacks = append(stacks, stack)
	}
	sort.Strings(stacks)
	for _, stack := range stacks {
		var t template
		if err := json.Unmarshal(raw[stack], &t); err != nil {
			return nil, fmt.Errorf("alarmsim: template %s: %w", stack, err)
		}
		parsed[stack] = t
		for id, r := range t.Resources {
			res := Resource{Stack: stack, LogicalID: id, Type: r.Type, Properties: r.Properties}
			ts.resources[res.Token()] = res
		}
	}
	// Exports resolve within their own stack; imports may then follow them.
	for _, stack := range stacks {
		for name, o := range parsed[stack].Outputs {
			if o.Export == nil {
				continue
			}
			exportName, err := ts.resolve(stack, o.Export.Name)
			if err != nil {
				return nil, fmt.Errorf("alarmsim: %s output %s: %w", stack, name, err)
			}
			v, err := ts.resolve(stack, o.Value)
			if err != nil {
				return nil, fmt.Errorf("alarmsim: %s output %s: %w", stack, name, err)
			}
			ts.exports[exportName] = v
		}
	}
	ts.indexNames()
	return ts, nil
}

// indexNames fills byName once, so that a simulation's many dimension
// look-ups need not resolve every resource's name again.
func (ts *templates) indexNames() {
	tokens := make([]string, 0, len(ts.resources))
	for token := range ts.resources {
		tokens = append(tokens, token)
	}
	sort.Strings(tokens)
	ts.byName = map[string]map[string]Resource{}
	for dimension, n := range named {
		ts.byName[dimension] = map[string]Resource{}
		for _, token := range tokens {
			r := ts.resources[token]
			if r.Type != n.typ {
				continue
			}
			if name, err := ts.resolve(r.Stack, r.Properties[n.prop]); err == nil && name != "" {
				if _, seen := ts.byName[dimension][name]; !seen {
					ts.byName[dimension][name] = r
				}
			}
		}
	}
}

// resolve turns a template value into a string: literals stay, Ref and
// Fn::GetAtt become tokens, Fn::ImportValue follows the export and
// Fn::Join joins. Anything else is an error.
func (ts *templates) resolve(stack string, v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case float64:
		return fmt.Sprint(v), nil
	case map[string]any:
		if len(v) != 1 {
			break
		}
		for fn, arg := range v {
			switch fn {
			case "Ref":
				id, _ := arg.(string)
				if strings.HasPrefix(id, "AWS::") {
					return "${" + id + "}", nil
				}
				if _, ok := ts.resources["${"+stack+"/"+id+"}"]; !ok {
					return "", fmt.Errorf("a Ref to unknown resource %q", id)
				}
				return "${" + stack + "/" + id + "}", nil
			case "Fn::GetAtt":
				parts, _ := arg.([]any)
				if len(parts) != 2 {
					return "", fmt.Errorf("malformed Fn::GetAtt %v", arg)
				}
				id, _ := parts[0].(string)
				attr, _ := parts[1].(string)
				if _, ok := ts.resources["${"+stack+"/"+id+"}"]; !ok {
					return "", fmt.Errorf("Fn::GetAtt of unknown resource %q", id)
				}
				return "${" + stack + "/" + id + "." + attr + "}", nil
			case "Fn::ImportValue":
				name, err := ts.resolve(stack, arg)
				if err != nil {
					return "", err
				}
				if _, ok := ts.exports[name]; !ok {
					return "", fmt.Errorf("Fn::ImportValue of %q, which no template exports", name)
				}
				return ts.exports[name].(string), nil
			case "Fn::Join":
				parts, _ := arg.([]any)
				if len(parts) != 2 {
					return "", fmt.Errorf("malformed Fn::Join %v", arg)
				}
				sep, _ := parts[0].(string)
				items, _ := parts[1].([]any)
				out := make([]string, len(items))
				for i, item := range items {
					s, err := ts.resolve(stack, item)
					if err != nil {
						return "", err
					}
					out[i] = s
				}
				return strings.Join(out, sep), nil
			}
		}
	}
	return "", fmt.Errorf("unsupported template value %v", v)
}

// named are, per metric dimension that names a resource, its type and the
// property that gives it that name.
var named = map[string]struct{ typ, prop string }{
	"TableName":    {"AWS::DynamoDB::Table", "TableName"},
	"FunctionName": {"AWS::Lambda::Function", "FunctionName"},
	"QueueName":    {"AWS::SQS::Queue", "QueueName"},
	"TopicName":    {"AWS::SNS::Topic", "TopicName"},
	"EventBusName": {"AWS::Events::EventBus", "Name"},
	"RuleName":     {"AWS::Events::Rule", "Name"},
	"ApiName":      {"AWS::ApiGateway::RestApi", "Name"},
	"Stage":        {"AWS::ApiGateway::Stage", "StageName"},
}

// Resource returns the resource a token names (as found in a metric
// dimension), with any ".Attr" suffix ignored.
func (s *Simulator) Resource(token string) (Resource, bool) {
	if i := strings.LastIndex(token, "."); i > 0 && strings.HasSuffix(token, "}") {
		if r, ok := s.t.resources[token[:i]+"}"]; ok {
			return r, true
		}
	}
	r, ok := s.t.resources[token]
	return r, ok
}

// Dimension returns the resource a metric's dimension names: by token, or
// by the physical name a template gives a resource of the dimension's type
// (a table named "orders-prod" in another stack, for a TableName of
// "orders-prod").
func (s *Simulator) Dimension(m Metric, dimension string) (Resource, bool) {
	value := m.Dimensions[dimension]
	if r, ok := s.Resource(value); ok {
		return r, true
	}
	r, ok := s.t.byName[dimension][value]
	return r, ok && value != ""
}

// Resources returns every resource of the given CloudFormation type, in a
// stable order.
func (s *Simulator) Resources(typ string) []Resource {
	var out []Resource
	for _, r := range s.t.resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Token() < out[j].Token() })
	return out
}
