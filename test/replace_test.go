package test

import (
	"fmt"
	"strings"
	"testing"
)

// physicalName is the property that names a resource of each type that a
// stack of this app retains, from each type's page in the CloudFormation
// Template Reference ("" when the type has none that must be unique: a
// KMS key is named by aliases, the API Gateway account setting is a
// singleton CloudFormation updates). A retained type missing here is an
// error of the test, not a pass.
var physicalName = map[string]string{
	"AWS::Logs::LogGroup":      "LogGroupName",
	"AWS::SQS::Queue":          "QueueName",
	"AWS::SNS::Topic":          "TopicName",
	"AWS::KMS::Key":            "",
	"AWS::IAM::Role":           "RoleName",
	"AWS::ApiGateway::Account": "",
	"AWS::Events::EventBus":    "Name",
	"AWS::Events::Archive":     "ArchiveName",
	"AWS::DynamoDB::Table":     "TableName",
	"AWS::Cognito::UserPool":   "", // UserPoolName need not be unique
}

// retained says whether CloudFormation keeps the resource when its stack is
// deleted: DeletionPolicy Retain, or RetainExceptOnCreate, which keeps it on
// a delete and deletes it only on the rollback of the create that made it
// ("DeletionPolicy attribute", CloudFormation User Guide).
func retained(r map[string]any) bool {
	return r["DeletionPolicy"] == "Retain" || r["DeletionPolicy"] == "RetainExceptOnCreate"
}

// creation evaluates names as one create of a stack gives them: the
// stack's id and every resource's generated id are new for each create;
// pseudo parameters and SSM parameters are the same every time.
type creation struct {
	n         int
	resources map[string]any
}

// name evaluates a name property; what it does not know is an error.
func (c creation) name(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case map[string]any:
		for fn, arg := range v {
			switch fn {
			case "Ref":
				id := arg.(string)
				switch {
				case id == "AWS::StackId":
					return fmt.Sprintf("stack-id-of-create-%d", c.n), nil
				case strings.HasPrefix(id, "AWS::"), c.resources[id] == nil: // pseudo and template parameters
					return "{" + id + "}", nil
				default:
					return fmt.Sprintf("{%s of create %d}", id, c.n), nil
				}
			case "Fn::GetAtt":
				return fmt.Sprintf("{%v of create %d}", arg, c.n), nil
			case "Fn::Join":
				args := arg.([]any)
				var parts []string
				for _, p := range args[1].([]any) {
					s, err := c.name(p)
					if err != nil {
						return "", err
					}
					parts = append(parts, s)
				}
				return strings.Join(parts, args[0].(string)), nil
			case "Fn::Select", "Fn::Split":
				// A part of a value is as fixed as the value.
				s, err := c.name(arg.([]any)[1])
				return fn + "(" + s + ")", err
			}
			return "", fmt.Errorf("no model of %s in a name", fn)
		}
	}
	return "", fmt.Errorf("no model of %v (%T) in a name", v, v)
}

// names are the physical names a create of the template needs (every
// resource) or leaves behind after a delete (retained ones), by type.
func names(t *testing.T, resources map[string]any, c creation, onlyRetained bool) map[string]string {
	out := map[string]string{}
	for id, r := range resources {
		r := r.(map[string]any)
		kind := r["Type"].(string)
		if onlyRetained && !retained(r) {
			continue
		}
		prop, known := physicalName[kind]
		if !known {
			if retained(r) {
				t.Errorf("%s: retained type %s has no known physical name property: add it from the CloudFormation reference", id, kind)
			}
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		v, ok := props[prop]
		if prop == "" || !ok {
			continue // CloudFormation generates a new name on each create
		}
		n, err := c.name(v)
		if err != nil {
			t.Errorf("%s.%s: %v", id, prop, err)
			continue
		}
		out[kind+" "+n] = id
	}
	return out
}

// The Api stack can be replaced: after its first create fails and rolls
// back, or after it is deleted, creating it again needs no name that what
// it left behind still holds.
func TestRecreatingTheApiStackCollidesWithNothingItLeftBehind(t *testing.T) {
	for _, s := range services {
		resources := (*template(s.Api.Stack).ToJSON())["Resources"].(map[string]any)
		left := names(t, resources, creation{1, resources}, true)
		needed := names(t, resources, creation{2, resources}, false)
		for name, id := range left {
			if again, ok := needed[name]; ok {
				t.Errorf("%s: %s is retained as %q, which the next create of %s needs again: it fails with \"already exists\"", s.Env.Name, id, name, again)
			}
		}
	}
}

// The rule behind it: no retained resource of a replaceable stack has a
// name that is the same on every create.
func TestNoRetainedResourceOfTheApiStackHasAFixedName(t *testing.T) {
	for _, s := range services {
		resources := (*template(s.Api.Stack).ToJSON())["Resources"].(map[string]any)
		first := names(t, resources, creation{1, resources}, true)
		second := names(t, resources, creation{2, resources}, true)
		for name, id := range first {
			if _, fixed := second[name]; fixed {
				t.Errorf("%s: %s is retained and always named %q: move it to a stateful stack or let CloudFormation name it", s.Env.Name, id, name)
			}
		}
	}
}
