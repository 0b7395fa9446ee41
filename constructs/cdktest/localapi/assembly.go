package localapi

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Resource is one resource of a synthesized template.
type Resource struct {
	Stack, ID, Type string
	Properties      map[string]any
	Metadata        map[string]any
}

func (r Resource) key() string { return r.Stack + "/" + r.ID }

type template struct {
	Parameters map[string]struct{ Type, Default string }
	Resources  map[string]struct {
		Type       string
		Properties map[string]any
		Metadata   map[string]any
	}
	Outputs map[string]struct {
		Value  any
		Export *struct{ Name any }
	}
}

// Assembly is the resources of every template in a cloud assembly
// directory (cdk.out), with the physical values the local environment gave
// them. Values resolve lazily, so that a property using an intrinsic
// function this package does not model fails only when it is needed.
type Assembly struct {
	Region, Account string
	resources       map[string]Resource // by Stack/ID
	params          map[string]string   // Stack/Name -> SSM parameter name
	exports         map[string]struct {
		stack string
		value any
	}
	// physical holds what Ref ("Stack/ID") and Fn::GetAtt
	// ("Stack/ID.Attr") of a provisioned resource give.
	physical map[string]string
	// targets are the SQS queues that rules deliver to, once provisioned.
	targets []Target
}

// LoadAssembly reads every *.template.json in dir whose stack name starts
// with prefix ("" for every stack).
func LoadAssembly(dir, prefix string) (*Assembly, error) {
	files, err := filepath.Glob(filepath.Join(dir, prefix+"*.template.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("localapi: no %s*.template.json in %s: synthesize first", prefix, dir)
	}
	a := &Assembly{Region: "eu-west-1", Account: "123456789012", resources: map[string]Resource{},
		params: map[string]string{}, physical: map[string]string{},
		exports: map[string]struct {
			stack string
			value any
		}{}}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var t template
		if err := json.Unmarshal(b, &t); err != nil {
			return nil, fmt.Errorf("localapi: %s: %w", f, err)
		}
		stack := strings.TrimSuffix(filepath.Base(f), ".template.json")
		for id, r := range t.Resources {
			a.resources[stack+"/"+id] = Resource{Stack: stack, ID: id, Type: r.Type, Properties: r.Properties, Metadata: r.Metadata}
		}
		for name, p := range t.Parameters {
			if strings.HasPrefix(p.Type, "AWS::SSM::Parameter::Value") {
				a.params[stack+"/"+name] = p.Default
			}
		}
		for _, o := range t.Outputs {
			if o.Export == nil {
				continue
			}
			name, err := a.String(stack, o.Export.Name)
			if err != nil {
				return nil, err
			}
			a.exports[name] = struct {
				stack string
				value any
			}{stack, o.Value}
		}
	}
	return a, nil
}

// Resources returns every resource of a type, in a stable order.
func (a *Assembly) Resources(typ string) []Resource {
	var out []Resource
	for _, r := range a.resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// Lookup returns the resource a Ref or Fn::GetAtt in stack names.
func (a *Assembly) Lookup(stack string, v any) (Resource, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return Resource{}, false
	}
	var id string
	if ref, ok := m["Ref"].(string); ok {
		id = ref
	} else if parts, ok := m["Fn::GetAtt"].([]any); ok && len(parts) == 2 {
		id, _ = parts[0].(string)
	}
	r, ok := a.resources[stack+"/"+id]
	return r, ok
}

// setPhysical records what Ref (attr "") or Fn::GetAtt of r gives.
func (a *Assembly) setPhysical(r Resource, attr, value string) {
	k := r.key()
	if attr != "" {
		k += "." + attr
	}
	a.physical[k] = value
}

// String resolves a template value in stack to a string.
func (a *Assembly) String(stack string, v any) (string, error) {
	out, err := a.Value(stack, v)
	if err != nil {
		return "", err
	}
	switch out := out.(type) {
	case string:
		return out, nil
	case float64:
		return fmt.Sprint(out), nil
	case bool:
		return fmt.Sprint(out), nil
	}
	return "", fmt.Errorf("localapi: %s: %v is not a string", stack, v)
}

// Value resolves the intrinsic functions in a template value: Ref,
// Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split and Fn::ImportValue, with the
// pseudo parameters and SSM parameters that another stack's
// AWS::SSM::Parameter defines. Anything else is an error.
func (a *Assembly) Value(stack string, v any) (any, error) {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			r, err := a.Value(stack, item)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		if len(v) == 1 {
			for fn, arg := range v {
				if strings.HasPrefix(fn, "Fn::") || fn == "Ref" {
					return a.intrinsic(stack, fn, arg)
				}
			}
		}
		out := make(map[string]any, len(v))
		for k, item := range v {
			r, err := a.Value(stack, item)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	}
	return v, nil
}

func (a *Assembly) intrinsic(stack, fn string, arg any) (any, error) {
	var parts []any // the arguments of the functions that take two
	switch fn {
	case "Fn::GetAtt", "Fn::Join", "Fn::Split", "Fn::Select":
		if parts, _ = arg.([]any); len(parts) != 2 {
			return nil, fmt.Errorf("localapi: malformed %s %v", fn, arg)
		}
	}
	switch fn {
	case "Ref":
		name, _ := arg.(string)
		return a.ref(stack, name)
	case "Fn::GetAtt":
		id, _ := parts[0].(string)
		attr, _ := parts[1].(string)
		if v, ok := a.physical[stack+"/"+id+"."+attr]; ok {
			return v, nil
		}
		return nil, fmt.Errorf("localapi: %s: Fn::GetAtt %s.%s of a resource the local environment did not create", stack, id, attr)
	case "Fn::Join":
		sep, _ := parts[0].(string)
		items, err := a.Value(stack, parts[1])
		if err != nil {
			return nil, err
		}
		list, _ := items.([]any)
		out := make([]string, len(list))
		for i, item := range list {
			if out[i], err = a.String(stack, item); err != nil {
				return nil, err
			}
		}
		return strings.Join(out, sep), nil
	case "Fn::Split":
		sep, _ := parts[0].(string)
		s, err := a.String(stack, parts[1])
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(s, sep) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::Select":
		i, _ := parts[0].(float64)
		list, err := a.Value(stack, parts[1])
		if err != nil {
			return nil, err
		}
		items, _ := list.([]any)
		if int(i) < 0 || int(i) >= len(items) {
			return nil, fmt.Errorf("localapi: Fn::Select %v out of range", arg)
		}
		return items[int(i)], nil
	case "Fn::ImportValue":
		name, err := a.String(stack, arg)
		if err != nil {
			return nil, err
		}
		e, ok := a.exports[name]
		if !ok {
			return nil, fmt.Errorf("localapi: Fn::ImportValue %q, which no template exports", name)
		}
		return a.Value(e.stack, e.value)
	}
	return nil, fmt.Errorf("localapi: %s: %s is not modelled", stack, fn)
}

func (a *Assembly) ref(stack, name string) (any, error) {
	switch name {
	case "AWS::Region":
		return a.Region, nil
	case "AWS::AccountId":
		return a.Account, nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return stack, nil
	}
	if v, ok := a.physical[stack+"/"+name]; ok {
		return v, nil
	}
	if p, ok := a.params[stack+"/"+name]; ok {
		for _, r := range a.Resources("AWS::SSM::Parameter") {
			if n, err := a.String(r.Stack, r.Properties["Name"]); err == nil && n == p {
				return a.Value(r.Stack, r.Properties["Value"])
			}
		}
		return nil, fmt.Errorf("localapi: %s: SSM parameter %s is defined by no template", stack, p)
	}
	return nil, fmt.Errorf("localapi: %s: Ref %s to a resource the local environment did not create", stack, name)
}
