package cfnref

import (
	"fmt"
	"strings"
)

// getter computes one return value of a resource.
type getter func(ts *Templates, r Resource) (string, error)

// resourceType is what Ref and Fn::GetAtt of one resource type return.
type resourceType struct {
	doc   string // the type's "Return values" section in the CloudFormation reference
	ref   getter
	attrs map[string]getter
}

func doc(page string) string {
	return "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/" + page + ".html#" + page + "-return-values"
}

// named is the physical name from a name property (generated when unset).
func named(prop string, max int) getter {
	return func(ts *Templates, r Resource) (string, error) { return ts.Name(r, prop, max) }
}

// required is the value of a property the type requires.
func required(prop string) getter {
	return func(ts *Templates, r Resource) (string, error) {
		v, ok := r.Properties[prop]
		if !ok {
			return "", fmt.Errorf("cfnref: %s: %s requires %s", r.Key(), r.Type, prop)
		}
		return ts.String(r.Stack, v)
	}
}

// assignedID is an identifier the service assigns: n lower-case hex
// characters, stable per resource.
func assignedID(n int) getter {
	return func(ts *Templates, r Resource) (string, error) { return hash(r.Key(), (n+1)/2)[:n], nil }
}

// sameAs returns another attribute (where the page documents Ref and an
// attribute as the same value).
func sameAs(attr string) getter {
	return func(ts *Templates, r Resource) (string, error) { return ts.GetAtt(r, attr) }
}

// arn builds an ARN from the value of another getter.
func arn(service, format string, of getter) getter {
	return func(ts *Templates, r Resource) (string, error) {
		v, err := of(ts, r)
		if err != nil {
			return "", err
		}
		return ts.Arn(service, fmt.Sprintf(format, v)), nil
	}
}

// ruleBus is the name of the bus an AWS::Events::Rule is on: its
// EventBusName (a name or an ARN), or "default" when unset.
func ruleBus(ts *Templates, r Resource) (string, error) {
	v, ok := r.Properties["EventBusName"]
	if !ok {
		return "default", nil
	}
	bus, err := ts.String(r.Stack, v)
	if err != nil {
		return "", err
	}
	if i := strings.Index(bus, ":event-bus/"); strings.HasPrefix(bus, "arn:") && i > 0 {
		bus = bus[i+len(":event-bus/"):]
	}
	return bus, nil
}

var (
	functionName = named("FunctionName", 64)
	queueName    = named("QueueName", 80)
	topicName    = named("TopicName", 256)
	tableName    = named("TableName", 255)
	alarmName    = named("AlarmName", 255)
	ruleName     = named("Name", 64)
	logGroupName = named("LogGroupName", 512)
	userPoolID   = func(ts *Templates, r Resource) (string, error) { return ts.Region + "_" + hash(r.Key(), 5)[:9], nil }
	keyID        = func(ts *Templates, r Resource) (string, error) {
		h := hash(r.Key(), 16)
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
	}
	webACLName = named("Name", 128)
	webACLID   = func(ts *Templates, r Resource) (string, error) { return keyID(ts, r) }
)

// types are the resource types of our templates and examples/orders', each
// following the "Return values" section of its CloudFormation reference
// page. Where the page's sample differs from what CloudFormation returns
// (AWS::Events::Rule), the comment says what is followed instead.
var types map[string]resourceType

// The table is filled in init: its getters resolve properties, which may
// Fn::GetAtt another resource through the table.
func init() { types = table() }

func table() map[string]resourceType {
	return map[string]resourceType{
		"AWS::ApiGateway::RestApi": {doc: doc("aws-resource-apigateway-restapi"), ref: sameAs("RestApiId"), attrs: map[string]getter{
			"RestApiId": assignedID(10),
			"RootResourceId": func(ts *Templates, r Resource) (string, error) {
				return hash(r.Key()+"/", 5)[:10], nil
			},
		}},
		"AWS::ApiGateway::Stage":            {doc: doc("aws-resource-apigateway-stage"), ref: required("StageName")},
		"AWS::ApiGateway::Resource":         {doc: doc("aws-resource-apigateway-resource"), ref: sameAs("ResourceId"), attrs: map[string]getter{"ResourceId": assignedID(6)}},
		"AWS::ApiGateway::Model":            {doc: doc("aws-resource-apigateway-model"), ref: named("Name", 128)},
		"AWS::ApiGateway::Authorizer":       {doc: doc("aws-resource-apigateway-authorizer"), ref: sameAs("AuthorizerId"), attrs: map[string]getter{"AuthorizerId": assignedID(6)}},
		"AWS::ApiGateway::RequestValidator": {doc: doc("aws-resource-apigateway-requestvalidator"), ref: sameAs("RequestValidatorId"), attrs: map[string]getter{"RequestValidatorId": assignedID(6)}},
		"AWS::ApiGateway::ApiKey":           {doc: doc("aws-resource-apigateway-apikey"), ref: sameAs("APIKeyId"), attrs: map[string]getter{"APIKeyId": assignedID(10)}},
		"AWS::ApiGateway::UsagePlan":        {doc: doc("aws-resource-apigateway-usageplan"), ref: sameAs("Id"), attrs: map[string]getter{"Id": assignedID(6)}},
		"AWS::ApiGateway::Deployment":       {doc: doc("aws-resource-apigateway-deployment"), ref: sameAs("DeploymentId"), attrs: map[string]getter{"DeploymentId": assignedID(6)}},
		"AWS::Cognito::UserPool": {doc: doc("aws-resource-cognito-userpool"), ref: userPoolID, attrs: map[string]getter{
			"Arn": arn("cognito-idp", "userpool/%s", userPoolID),
			"ProviderName": func(ts *Templates, r Resource) (string, error) {
				id, _ := userPoolID(ts, r)
				return "cognito-idp." + ts.Region + ".amazonaws.com/" + id, nil
			},
			"ProviderURL": func(ts *Templates, r Resource) (string, error) {
				id, _ := userPoolID(ts, r)
				return "https://cognito-idp." + ts.Region + ".amazonaws.com/" + id, nil
			},
		}},
		"AWS::Cognito::UserPoolClient":         {doc: doc("aws-resource-cognito-userpoolclient"), ref: assignedID(26)},
		"AWS::Cognito::UserPoolResourceServer": {doc: doc("aws-resource-cognito-userpoolresourceserver"), ref: required("Identifier")},
		"AWS::IAM::Role": {doc: doc("aws-resource-iam-role"), ref: named("RoleName", 64), attrs: map[string]getter{
			// IAM is global: its ARNs have no region.
			"Arn": func(ts *Templates, r Resource) (string, error) {
				name, err := ts.Name(r, "RoleName", 64)
				if err != nil {
					return "", err
				}
				path, _ := r.Properties["Path"].(string)
				if path == "" {
					path = "/"
				}
				return "arn:" + ts.Partition + ":iam::" + ts.Account + ":role" + path + name, nil
			},
		}},
		"AWS::Logs::LogGroup": {doc: doc("aws-resource-logs-loggroup"), ref: logGroupName, attrs: map[string]getter{
			"Arn": arn("logs", "log-group:%s:*", logGroupName),
		}},
		"AWS::CodeDeploy::Application":     {doc: doc("aws-resource-codedeploy-application"), ref: named("ApplicationName", 100)},
		"AWS::CodeDeploy::DeploymentGroup": {doc: doc("aws-resource-codedeploy-deploymentgroup"), ref: named("DeploymentGroupName", 100)},
		"AWS::KMS::Key": {doc: doc("aws-resource-kms-key"), ref: keyID, attrs: map[string]getter{
			"Arn": arn("kms", "key/%s", keyID), "KeyId": keyID,
		}},
		// Ref is "name|id|scope".
		"AWS::WAFv2::WebACL": {doc: doc("aws-resource-wafv2-webacl"), ref: func(ts *Templates, r Resource) (string, error) {
			name, err := webACLName(ts, r)
			if err != nil {
				return "", err
			}
			scope, err := required("Scope")(ts, r)
			if err != nil {
				return "", err
			}
			id, _ := webACLID(ts, r)
			return name + "|" + id + "|" + scope, nil
		}, attrs: map[string]getter{
			"Id": webACLID,
			"Arn": func(ts *Templates, r Resource) (string, error) {
				name, err := webACLName(ts, r)
				if err != nil {
					return "", err
				}
				id, _ := webACLID(ts, r)
				return ts.Arn("wafv2", "regional/webacl/"+name+"/"+id), nil
			},
		}},
		"AWS::Lambda::Function": {doc: doc("aws-resource-lambda-function"), ref: functionName, attrs: map[string]getter{
			"Arn": arn("lambda", "function:%s", functionName),
		}},
		// Ref is the alias ARN: the function's ARN and ":<alias name>".
		"AWS::Lambda::Alias": {doc: doc("aws-resource-lambda-alias"), ref: func(ts *Templates, r Resource) (string, error) {
			fn, err := required("FunctionName")(ts, r)
			if err != nil {
				return "", err
			}
			alias, err := required("Name")(ts, r)
			if err != nil {
				return "", err
			}
			if !strings.HasPrefix(fn, "arn:") {
				fn = ts.Arn("lambda", "function:"+fn)
			}
			return fn + ":" + alias, nil
		}},
		// Ref is the version's ARN. The version number is the function's
		// first: each of our functions publishes one version per deployment.
		"AWS::Lambda::Version": {doc: doc("aws-resource-lambda-version"), ref: func(ts *Templates, r Resource) (string, error) {
			fn, err := required("FunctionName")(ts, r)
			if err != nil {
				return "", err
			}
			if !strings.HasPrefix(fn, "arn:") {
				fn = ts.Arn("lambda", "function:"+fn)
			}
			return fn + ":1", nil
		}, attrs: map[string]getter{"Version": func(*Templates, Resource) (string, error) { return "1", nil }}},
		"AWS::Lambda::EventSourceMapping": {doc: doc("aws-resource-lambda-eventsourcemapping"), ref: sameAs("Id"), attrs: map[string]getter{"Id": keyID}},
		"AWS::DynamoDB::Table": {doc: doc("aws-resource-dynamodb-table"), ref: tableName, attrs: map[string]getter{
			"Arn": arn("dynamodb", "table/%s", tableName),
			// The stream label is a timestamp DynamoDB assigns; this one is fixed.
			"StreamArn": func(ts *Templates, r Resource) (string, error) {
				if r.Properties["StreamSpecification"] == nil {
					return "", fmt.Errorf("cfnref: %s: StreamArn needs the StreamSpecification property", r.Key())
				}
				return arn("dynamodb", "table/%s/stream/1970-01-01T00:00:00.000", tableName)(ts, r)
			},
		}},
		"AWS::SQS::Queue": {doc: doc("aws-resource-sqs-queue"), ref: sameAs("QueueUrl"), attrs: map[string]getter{
			"Arn":       arn("sqs", "%s", queueName),
			"QueueName": queueName,
			"QueueUrl": func(ts *Templates, r Resource) (string, error) {
				name, err := queueName(ts, r)
				return "https://sqs." + ts.Region + ".amazonaws.com/" + ts.Account + "/" + name, err
			},
		}},
		"AWS::SNS::Topic": {doc: doc("aws-resource-sns-topic"), ref: sameAs("TopicArn"), attrs: map[string]getter{
			"TopicArn": arn("sns", "%s", topicName), "TopicName": topicName,
		}},
		"AWS::Events::EventBus": {doc: doc("aws-resource-events-eventbus"), ref: required("Name"), attrs: map[string]getter{
			"Name": required("Name"), "Arn": arn("events", "event-bus/%s", required("Name")),
		}},
		// The page says Ref is the rule's id; CloudFormation returns the rule
		// name for a rule on the default bus and "<bus name>|<rule name>" for
		// a rule on a custom bus (aws-cloudformation/cloudformation-coverage-
		// roadmap#1131, which asks AWS to document it).
		"AWS::Events::Rule": {doc: doc("aws-resource-events-rule"), ref: func(ts *Templates, r Resource) (string, error) {
			bus, err := ruleBus(ts, r)
			if err != nil {
				return "", err
			}
			name, err := ruleName(ts, r)
			if bus == "default" {
				return name, err
			}
			return bus + "|" + name, err
		}, attrs: map[string]getter{
			// rule/<name> on the default bus, rule/<bus>/<name> on another
			// (EventBridge's ARN formats in the Service Authorization Reference).
			"Arn": func(ts *Templates, r Resource) (string, error) {
				bus, err := ruleBus(ts, r)
				if err != nil {
					return "", err
				}
				name, err := ruleName(ts, r)
				if bus != "default" {
					name = bus + "/" + name
				}
				return ts.Arn("events", "rule/"+name), err
			},
		}},
		"AWS::CloudWatch::Alarm": {doc: doc("aws-resource-cloudwatch-alarm"), ref: alarmName, attrs: map[string]getter{"Arn": arn("cloudwatch", "alarm:%s", alarmName)}},
		// The page's sample ARN has "alarm/"; CloudWatch's ARNs, composite or
		// not, are "alarm:<name>" (Service Authorization Reference, CloudWatch).
		"AWS::CloudWatch::CompositeAlarm": {doc: doc("aws-resource-cloudwatch-compositealarm"), ref: alarmName, attrs: map[string]getter{"Arn": arn("cloudwatch", "alarm:%s", alarmName)}},
		"AWS::SSM::Parameter": {doc: doc("aws-resource-ssm-parameter"), ref: named("Name", 2048), attrs: map[string]getter{
			"Type": required("Type"), "Value": required("Value"),
		}},
	}
}
