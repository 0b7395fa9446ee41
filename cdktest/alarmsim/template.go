package alarmsim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/acme/customers-api/cdktest/cfnref"
)

// Resource is a resource of one of the templates.
type Resource = cfnref.Resource

// LoadDir reads every *.template.json of a cloud assembly directory such as
// cdk.out; each stack is named by its file name. A directory without
// templates is an error.
func LoadDir(dir string) (*Simulator, error) {
	raw, err := cfnref.ReadDir(dir, "")
	if err != nil {
		return nil, err
	}
	return New(raw)
}

// publisher is how a service names one kind of resource in one metric
// dimension: the resource type and the identifier it publishes under.
type publisher struct {
	typ string
	id  func(ts *cfnref.Templates, r Resource) (string, error)
}

func ref(ts *cfnref.Templates, r Resource) (string, error) { return ts.Ref(r) }

func attr(name string) func(*cfnref.Templates, Resource) (string, error) {
	return func(ts *cfnref.Templates, r Resource) (string, error) { return ts.GetAtt(r, name) }
}

func prop(name string) func(*cfnref.Templates, Resource) (string, error) {
	return func(ts *cfnref.Templates, r Resource) (string, error) { return ts.String(r.Stack, r.Properties[name]) }
}

// publishers are, per namespace and dimension that names a resource, the
// identifier the service publishes its metrics under. A dimension value
// that is no such identifier is a metric that never has data.
var publishers = map[string]map[string][]publisher{
	// https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
	// ("Using dimensions"): FunctionName is the function's name; Resource
	// is the function's name, or name:alias or name:version.
	"AWS/Lambda": {
		"FunctionName": {{"AWS::Lambda::Function", ref}},
		"Resource": {{"AWS::Lambda::Function", ref}, {"AWS::Lambda::Alias", func(ts *cfnref.Templates, r Resource) (string, error) {
			arn, err := ts.Ref(r) // arn:aws:lambda:<region>:<account>:function:<name>:<alias>
			parts := strings.Split(arn, ":")
			if err != nil || len(parts) != 8 {
				return "", fmt.Errorf("alias %s: ARN %q: %v", r.Key(), arn, err)
			}
			return parts[6] + ":" + parts[7], nil
		}}},
	},
	// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html:
	// ApiName is the REST API's name, Stage its stage's name.
	"AWS/ApiGateway": {
		"ApiName": {{"AWS::ApiGateway::RestApi", prop("Name")}},
		"Stage":   {{"AWS::ApiGateway::Stage", ref}},
	},
	// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
	"AWS/DynamoDB": {"TableName": {{"AWS::DynamoDB::Table", ref}}},
	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
	"AWS/SQS": {"QueueName": {{"AWS::SQS::Queue", attr("QueueName")}}},
	// https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html
	"AWS/SNS": {"TopicName": {{"AWS::SNS::Topic", attr("TopicName")}}},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html:
	// RuleName is the rule's name (never Ref's "<bus>|<rule>"); a rule on
	// a custom bus publishes with both EventBusName and RuleName.
	"AWS/Events": {
		"RuleName": {{"AWS::Events::Rule", func(ts *cfnref.Templates, r Resource) (string, error) {
			ref, err := ts.Ref(r)
			if _, name, custom := strings.Cut(ref, "|"); custom {
				return name, err
			}
			return ref, err
		}}},
		"EventBusName": {{"AWS::Events::EventBus", ref}},
	},
	// https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html:
	// WebACL is the web ACL's VisibilityConfig.MetricName.
	"AWS/WAFV2": {"WebACL": {{"AWS::WAFv2::WebACL", func(ts *cfnref.Templates, r Resource) (string, error) {
		vc, _ := r.Properties["VisibilityConfig"].(map[string]any)
		return ts.String(r.Stack, vc["MetricName"])
	}}}},
}

// Dimension returns the resource a metric's dimension names: the resource
// of the dimension's type whose published identifier (the name its
// service publishes metrics under, as documented per namespace) is the
// dimension's value. A value that is no such identifier names nothing,
// and so does a dimension that names no resource (Region, Operation).
func (s *Simulator) Dimension(m Metric, dimension string) (Resource, bool) {
	r, ok := s.byID[m.Namespace+"/"+dimension][m.Dimensions[dimension]]
	return r, ok
}

// indexPublished fills byID: namespace/dimension -> identifier -> resource
// (the first by key where identifiers repeat).
func (s *Simulator) indexPublished() error {
	s.byID = map[string]map[string]Resource{}
	for ns, dims := range publishers {
		for dim, pubs := range dims {
			ids := map[string]Resource{}
			for _, p := range pubs {
				for _, r := range s.t.Resources(p.typ) {
					id, err := p.id(s.t, r)
					if err != nil {
						return fmt.Errorf("%s %s of %s: %w", ns, dim, r.Key(), err)
					}
					if _, seen := ids[id]; !seen {
						ids[id] = r
					}
				}
			}
			s.byID[ns+"/"+dim] = ids
		}
	}
	return nil
}

// dimensionRules check the dimensions that name no resource, or a part of
// one: what their services publish.
var dimensionRules = map[string]func(s *Simulator, m Metric, value string) error{
	// The index must be one of the table's global secondary indexes
	// (DynamoDB metrics and dimensions).
	"AWS/DynamoDB/GlobalSecondaryIndexName": func(s *Simulator, m Metric, value string) error {
		table, ok := s.Dimension(m, "TableName")
		if !ok {
			return fmt.Errorf("no table for index %q", value)
		}
		gsis, _ := table.Properties["GlobalSecondaryIndexes"].([]any)
		for _, g := range gsis {
			if name, _ := g.(map[string]any)["IndexName"].(string); name == value {
				return nil
			}
		}
		return fmt.Errorf("table %s has no global secondary index %q", table.Key(), value)
	},
	// The operations DynamoDB publishes SystemErrors for.
	"AWS/DynamoDB/Operation": func(_ *Simulator, _ Metric, value string) error {
		if slices.Contains([]string{"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
			"TransactGetItems", "TransactWriteItems", "GetRecords"}, value) {
			return nil
		}
		return fmt.Errorf("DynamoDB publishes no operation %q", value)
	},
	// WAF publishes per rule by its metric name, and "ALL" for the web
	// ACL; Region is the web ACL's region (WAF metrics).
	"AWS/WAFV2/Rule": func(s *Simulator, m Metric, value string) error {
		if value == "ALL" {
			return nil
		}
		return fmt.Errorf("rule %q: only ALL is modelled", value)
	},
	"AWS/WAFV2/Region": func(s *Simulator, _ Metric, value string) error {
		if value != s.t.Region {
			return fmt.Errorf("region %q is not the templates' %s", value, s.t.Region)
		}
		return nil
	},
}

// dimensionSets are, per namespace, the combinations of dimensions its
// service publishes metrics under, as its documentation lists them (the
// same pages as publishers). A metric with another combination is never
// published, so an alarm on it never leaves its missing-data state.
var dimensionSets = map[string][][]string{
	// FunctionName; FunctionName with Resource (an alias or version); with
	// ExecutedVersion.
	"AWS/Lambda": {{"FunctionName"}, {"FunctionName", "Resource"}, {"ExecutedVersion", "FunctionName"}},
	// ApiName; ApiName and Stage; ApiName, Method, Resource and Stage.
	"AWS/ApiGateway": {{"ApiName"}, {"ApiName", "Stage"}, {"ApiName", "Method", "Resource", "Stage"}},
	// TableName; with Operation; with GlobalSecondaryIndexName.
	"AWS/DynamoDB": {{"TableName"}, {"Operation", "TableName"}, {"GlobalSecondaryIndexName", "TableName"}},
	"AWS/SQS":      {{"QueueName"}},
	"AWS/SNS":      {{"TopicName"}},
	// RuleName for a rule on the default bus; EventBusName and RuleName for
	// a rule on a custom bus (checked in CheckDimensions).
	"AWS/Events": {{"RuleName"}, {"EventBusName", "RuleName"}},
	// A web ACL's metrics, per rule or "ALL", in its region.
	"AWS/WAFV2": {{"Region", "Rule", "WebACL"}},
}

// CheckDimensions returns an error naming each dimension of m whose value
// is not an identifier its service publishes metrics under, or that the
// simulator does not know for m's namespace; and an error when m's
// dimensions together are not a combination its service publishes
// (dimensionSets), or name a rule on a custom bus without that bus.
func (s *Simulator) CheckDimensions(m Metric) error {
	var errs []string
	names := sortedKeys(m.Dimensions)
	if !slices.ContainsFunc(dimensionSets[m.Namespace], func(set []string) bool { return slices.Equal(set, names) }) {
		errs = append(errs, fmt.Sprintf("%s publishes no metric with exactly the dimensions %v", m.Namespace, names))
	}
	if rule, ok := s.Dimension(m, "RuleName"); ok && m.Namespace == "AWS/Events" {
		ref, err := s.t.Ref(rule)
		if bus, _, custom := strings.Cut(ref, "|"); err == nil && custom && m.Dimensions["EventBusName"] != bus {
			errs = append(errs, fmt.Sprintf("RuleName: the rule is on bus %q, whose rules publish with EventBusName=%q", bus, bus))
		}
	}
	for _, dim := range names {
		value := m.Dimensions[dim]
		if rule, ok := dimensionRules[m.Namespace+"/"+dim]; ok {
			if err := rule(s, m, value); err != nil {
				errs = append(errs, dim+": "+err.Error())
			}
			continue
		}
		if _, known := publishers[m.Namespace][dim]; !known {
			errs = append(errs, fmt.Sprintf("%s: dimension of %s is not modelled", dim, m.Namespace))
			continue
		}
		if _, ok := s.Dimension(m, dim); !ok {
			errs = append(errs, fmt.Sprintf("%s=%q: no resource of the templates publishes under it", dim, value))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s: %s", m, strings.Join(errs, "; "))
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Resources returns every resource of the given CloudFormation type, in a
// stable order.
func (s *Simulator) Resources(typ string) []Resource { return s.t.Resources(typ) }

// Templates are the templates the simulator read, with their references
// resolved as CloudFormation does.
func (s *Simulator) Templates() *cfnref.Templates { return s.t }
