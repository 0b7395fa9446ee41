// Package cfnref resolves the intrinsic functions of synthesized
// CloudFormation templates the way CloudFormation does, for the test tools
// that read templates (alarmsim, localapi).
//
// Ref and Fn::GetAtt give, per resource type, what CloudFormation's
// reference documents as the type's return values; the table in types.go
// names the page for each type. A type or an attribute that is not in the
// table is an error, never a guess. Values are physical: a resource
// without a name property gets a generated name (Name), and an identifier
// that the service assigns (a REST API id, a user pool id, a key id) is a
// stable value of the documented form, unless an emulator recorded the
// value it really assigned (Assign).
//
//	ts, err := cfnref.Load("cdk.out", "Customers-dev")
//	url, err := ts.Ref(queue)                 // https://sqs.eu-west-1.amazonaws.com/123456789012/<name>
//	name, err := ts.String(stack, property)  // any template value, resolved
//
// Modelled: Ref (resources, the pseudo parameters AWS::Region,
// AWS::AccountId, AWS::Partition, AWS::URLSuffix, AWS::StackName, and
// template parameters of type AWS::SSM::Parameter::Value<String> whose
// parameter another template's AWS::SSM::Parameter defines),
// Fn::GetAtt, Fn::Join, Fn::Split, Fn::Select and Fn::ImportValue.
// Anything else is an error.
package cfnref

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Resource is one resource of a template.
type Resource struct {
	Stack, LogicalID, Type string
	Properties, Metadata   map[string]any
}

// Key is "Stack/LogicalID", unique across the templates.
func (r Resource) Key() string { return r.Stack + "/" + r.LogicalID }

type template struct {
	Parameters map[string]struct{ Type, Default string }
	Resources  map[string]struct {
		Type                 string
		Properties, Metadata map[string]any
	}
	Outputs map[string]struct {
		Value  any
		Export *struct{ Name any }
	}
}

type export struct {
	stack string
	value any
}

// Templates are the templates of a cloud assembly, deployed (in the model)
// to one account and region.
type Templates struct {
	// Region, Account and Partition are the pseudo parameters; Load sets
	// eu-west-1, 123456789012 and aws.
	Region, Account, Partition string
	resources                  map[string]Resource // by Key
	params                     map[string]string   // Stack/Name -> SSM parameter name
	exports                    map[string]export
	assigned                   map[string]string // Key or Key.Attr -> value
}

// Load reads every *.template.json in dir whose stack name (the file name)
// starts with prefix ("" for every stack).
func Load(dir, prefix string) (*Templates, error) {
	raw, err := ReadDir(dir, prefix)
	if err != nil {
		return nil, err
	}
	return Parse(raw)
}

// ReadDir returns the *.template.json files in dir whose stack name (the
// file name without .template.json) starts with prefix, by stack name. It
// is an error when there is none.
func ReadDir(dir, prefix string) (map[string][]byte, error) {
	files, err := filepath.Glob(filepath.Join(dir, prefix+"*.template.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("cfnref: no %s*.template.json in %s: synthesize first", prefix, dir)
	}
	raw := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		raw[strings.TrimSuffix(filepath.Base(f), ".template.json")] = b
	}
	return raw, nil
}

// Parse reads templates given as stack name -> template JSON.
func Parse(raw map[string][]byte) (*Templates, error) {
	ts := &Templates{Region: "eu-west-1", Account: "123456789012", Partition: "aws",
		resources: map[string]Resource{}, params: map[string]string{}, exports: map[string]export{}, assigned: map[string]string{}}
	stacks := make([]string, 0, len(raw))
	for stack := range raw {
		stacks = append(stacks, stack)
	}
	sort.Strings(stacks)
	parsed := map[string]template{}
	for _, stack := range stacks {
		var t template
		if err := json.Unmarshal(raw[stack], &t); err != nil {
			return nil, fmt.Errorf("cfnref: template %s: %w", stack, err)
		}
		parsed[stack] = t
		for id, r := range t.Resources {
			ts.resources[stack+"/"+id] = Resource{Stack: stack, LogicalID: id, Type: r.Type, Properties: r.Properties, Metadata: r.Metadata}
		}
		for name, p := range t.Parameters {
			if strings.HasPrefix(p.Type, "AWS::SSM::Parameter::Value") {
				ts.params[stack+"/"+name] = p.Default
			}
		}
	}
	for _, stack := range stacks {
		for name, o := range parsed[stack].Outputs {
			if o.Export == nil {
				continue
			}
			exportName, err := ts.String(stack, o.Export.Name)
			if err != nil {
				return nil, fmt.Errorf("cfnref: %s output %s: %w", stack, name, err)
			}
			ts.exports[exportName] = export{stack, o.Value}
		}
	}
	return ts, nil
}

// Resources returns every resource of a type, in a stable order.
func (ts *Templates) Resources(typ string) []Resource {
	var out []Resource
	for _, r := range ts.resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// Resource returns the resource with this Key ("Stack/LogicalID").
func (ts *Templates) Resource(key string) (Resource, bool) {
	r, ok := ts.resources[key]
	return r, ok
}

// Lookup returns the resource that a Ref or Fn::GetAtt in stack names.
func (ts *Templates) Lookup(stack string, v any) (Resource, bool) {
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
	r, ok := ts.resources[stack+"/"+id]
	return r, ok
}

// Assign records the value a service (an emulator) really gave r's Ref
// (attr "") or attribute, which then replaces the documented form: a
// queue URL names the emulator's endpoint. The type and attribute must be
// in the table.
func (ts *Templates) Assign(r Resource, attr, value string) error {
	t, ok := types[r.Type]
	if !ok {
		return fmt.Errorf("cfnref: %s: type %s is not modelled", r.Key(), r.Type)
	}
	k := r.Key()
	if attr != "" {
		if _, ok := t.attrs[attr]; !ok {
			return fmt.Errorf("cfnref: %s: %s has no attribute %s (%s)", r.Key(), r.Type, attr, t.doc)
		}
		k += "." + attr
	}
	ts.assigned[k] = value
	return nil
}

// Ref is what Ref of r returns.
func (ts *Templates) Ref(r Resource) (string, error) {
	if v, ok := ts.assigned[r.Key()]; ok {
		return v, nil
	}
	t, ok := types[r.Type]
	if !ok || t.ref == nil {
		return "", fmt.Errorf("cfnref: Ref %s: type %s is not modelled", r.Key(), r.Type)
	}
	return t.ref(ts, r)
}

// GetAtt is what Fn::GetAtt of r's attribute returns.
func (ts *Templates) GetAtt(r Resource, attr string) (string, error) {
	t, ok := types[r.Type]
	if !ok {
		return "", fmt.Errorf("cfnref: Fn::GetAtt %s.%s: type %s is not modelled", r.Key(), attr, r.Type)
	}
	get, ok := t.attrs[attr]
	if !ok {
		return "", fmt.Errorf("cfnref: Fn::GetAtt %s.%s: %s has no attribute %s in the table (%s)", r.Key(), attr, r.Type, attr, t.doc)
	}
	if v, ok := ts.assigned[r.Key()+"."+attr]; ok {
		return v, nil
	}
	return get(ts, r)
}

// Doc is the CloudFormation reference page the table follows for typ, or
// "" when typ is not modelled.
func Doc(typ string) string { return types[typ].doc }

// String resolves a template value in stack to a string.
func (ts *Templates) String(stack string, v any) (string, error) {
	out, err := ts.Value(stack, v)
	if err != nil {
		return "", err
	}
	switch out := out.(type) {
	case string:
		return out, nil
	case float64, bool:
		return fmt.Sprint(out), nil
	}
	return "", fmt.Errorf("cfnref: %s: %v is not a string", stack, v)
}

// Value resolves the intrinsic functions in a template value (see the
// package doc for those modelled).
func (ts *Templates) Value(stack string, v any) (any, error) {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			r, err := ts.Value(stack, item)
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
					return ts.intrinsic(stack, fn, arg)
				}
			}
		}
		out := make(map[string]any, len(v))
		for k, item := range v {
			r, err := ts.Value(stack, item)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	}
	return v, nil
}

func (ts *Templates) intrinsic(stack, fn string, arg any) (any, error) {
	var parts []any // the arguments of the functions that take two
	switch fn {
	case "Fn::GetAtt", "Fn::Join", "Fn::Split", "Fn::Select":
		if parts, _ = arg.([]any); len(parts) != 2 {
			return nil, fmt.Errorf("cfnref: malformed %s %v", fn, arg)
		}
	}
	switch fn {
	case "Ref":
		name, _ := arg.(string)
		return ts.ref(stack, name)
	case "Fn::GetAtt":
		id, _ := parts[0].(string)
		attr, _ := parts[1].(string)
		r, ok := ts.resources[stack+"/"+id]
		if !ok {
			return nil, fmt.Errorf("cfnref: %s: Fn::GetAtt of unknown resource %q", stack, id)
		}
		return ts.GetAtt(r, attr)
	case "Fn::Join":
		sep, _ := parts[0].(string)
		items, err := ts.Value(stack, parts[1])
		if err != nil {
			return nil, err
		}
		list, _ := items.([]any)
		out := make([]string, len(list))
		for i, item := range list {
			if out[i], err = ts.String(stack, item); err != nil {
				return nil, err
			}
		}
		return strings.Join(out, sep), nil
	case "Fn::Split":
		sep, _ := parts[0].(string)
		s, err := ts.String(stack, parts[1])
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
		list, err := ts.Value(stack, parts[1])
		if err != nil {
			return nil, err
		}
		items, _ := list.([]any)
		if int(i) < 0 || int(i) >= len(items) {
			return nil, fmt.Errorf("cfnref: Fn::Select %v out of range", arg)
		}
		return items[int(i)], nil
	case "Fn::ImportValue":
		name, err := ts.String(stack, arg)
		if err != nil {
			return nil, err
		}
		e, ok := ts.exports[name]
		if !ok {
			return nil, fmt.Errorf("cfnref: Fn::ImportValue %q, which no template exports", name)
		}
		return ts.Value(e.stack, e.value)
	}
	return nil, fmt.Errorf("cfnref: %s: %s is not modelled", stack, fn)
}

// ref resolves Ref of a pseudo parameter, a template parameter or a
// resource.
func (ts *Templates) ref(stack, name string) (any, error) {
	switch name {
	case "AWS::Region":
		return ts.Region, nil
	case "AWS::AccountId":
		return ts.Account, nil
	case "AWS::Partition":
		return ts.Partition, nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return stack, nil
	}
	if r, ok := ts.resources[stack+"/"+name]; ok {
		return ts.Ref(r)
	}
	if p, ok := ts.params[stack+"/"+name]; ok {
		for _, r := range ts.Resources("AWS::SSM::Parameter") {
			if n, err := ts.String(r.Stack, r.Properties["Name"]); err == nil && n == p {
				return ts.Value(r.Stack, r.Properties["Value"])
			}
		}
		return nil, fmt.Errorf("cfnref: %s: SSM parameter %s is defined by no template", stack, p)
	}
	return nil, fmt.Errorf("cfnref: %s: Ref %s names no resource, pseudo parameter or parameter", stack, name)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// Name is r's physical name: its name property (prop) resolved, or the
// name CloudFormation generates when it has none: the stack and logical
// id, cut to max characters with a hash keeping it unique (CloudFormation
// adds a random suffix; "Name type" in the CloudFormation user guide).
func (ts *Templates) Name(r Resource, prop string, max int) (string, error) {
	if v, ok := r.Properties[prop]; ok {
		return ts.String(r.Stack, v)
	}
	name := unsafeName.ReplaceAllString(r.Stack+"-"+r.LogicalID, "")
	if len(name) <= max {
		return name, nil
	}
	return name[:max-9] + "-" + hash(name, 4), nil
}

// hash is n bytes of the SHA-256 of s, in hex: a stable stand-in for an
// identifier the service assigns.
func hash(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:n])
}

// Arn is an ARN in the templates' partition, region and account.
func (ts *Templates) Arn(service, resource string) string {
	return "arn:" + ts.Partition + ":" + service + ":" + ts.Region + ":" + ts.Account + ":" + resource
}
