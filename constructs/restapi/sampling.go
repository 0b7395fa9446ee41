package restapi

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsxray"
	"github.com/aws/jsii-runtime-go"
)

// samplingRule creates the X-Ray sampling rule of the stage, matching it as
// API Gateway documents (service name "{api-name}/{stage-name}", type
// AWS::ApiGateway::Stage, any host, method and path:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-configuring-xray-sampling-rules.html),
// at priority 1000, ahead of X-Ray's default rule (1 a second, then 5%),
// which has the lowest.
func (r *RestAPI) samplingRule(name string, s TraceSampling) {
	awsxray.NewCfnSamplingRule(r.Construct, jsii.String("TraceSampling"), &awsxray.CfnSamplingRuleProps{
		SamplingRule: &awsxray.CfnSamplingRule_SamplingRuleProperty{
			RuleName:      jsii.String(name),
			Priority:      jsii.Number(1000),
			ReservoirSize: jsii.Number(s.ReservoirPerSecond),
			FixedRate:     jsii.Number(s.Rate),
			ServiceName:   jsii.String(name + "/" + r.StageName),
			ServiceType:   jsii.String("AWS::ApiGateway::Stage"),
			Host:          jsii.String("*"),
			HttpMethod:    jsii.String("*"),
			UrlPath:       jsii.String("*"),
			ResourceArn:   jsii.String("*"),
			Version:       jsii.Number(1),
		},
	})
}
