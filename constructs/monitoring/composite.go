package monitoring

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme/customers-api/constructs/internal/cdkx"
)

// CloudWatch's limits on a composite alarm (PutCompositeAlarm): the
// alarms its rule names and the length of the rule.
const (
	maxCompositeChildren   = 100
	maxCompositeRuleLength = 10240
)

// member is an alarm in a composite and the length of its name (255, the
// longest CloudWatch allows, when the name is not known at synth).
type member struct {
	alarm   awscloudwatch.IAlarm
	nameLen int
}

func (m *Monitoring) member(a awscloudwatch.IAlarm) member {
	if name := a.AlarmName(); name != nil && !*awscdk.Token_IsUnresolved(name) {
		return member{a, len(*name)}
	}
	if al, ok := a.(awscloudwatch.Alarm); ok {
		for short, known := range m.Alarms {
			if known == al {
				return member{a, len(m.name) + 1 + len(short)}
			}
		}
	}
	return member{a, 255}
}

// ruleLength bounds the length of AlarmRule_AnyOf(members) once deployed:
// "(" ALARM("<alarm ARN>") joined by " OR " ")", each ARN as long as the
// longest partition (aws-us-gov) and region (14 characters) make it.
func ruleLength(members []member) int {
	n := 2 + 4*(len(members)-1)
	for _, mb := range members {
		n += len(`ALARM("arn:aws-us-gov:cloudwatch:`) + 14 + len(":123456789012:alarm:") + mb.nameLen + len(`")`)
	}
	return n
}

// composite creates the paging composite of a subsystem, or an
// annotation error naming the CloudWatch limit it would exceed.
func (m *Monitoring) composite(subsystem string, alarms []awscloudwatch.IAlarm) awscloudwatch.CompositeAlarm {
	members := make([]member, len(alarms))
	rules := make([]awscloudwatch.IAlarmRule, len(alarms))
	for i, a := range alarms {
		members[i], rules[i] = m.member(a), a
	}
	name := m.name + "-" + subsystem + "-unhealthy"
	if !m.withinLimits(name, members) {
		return nil
	}
	c := awscloudwatch.NewCompositeAlarm(m.Construct, jsii.String("Unhealthy-"+subsystem), &awscloudwatch.CompositeAlarmProps{
		CompositeAlarmName: jsii.String(name),
		AlarmDescription:   jsii.String("Subsystem " + subsystem + " of " + m.name + " is unhealthy: at least one of its alarms is firing (this page's state reason names it). Check first: that alarm's description, and the alarm status panel of the " + m.name + " dashboard."),
		AlarmRule:          awscloudwatch.AlarmRule_AnyOf(rules...),
	})
	page := awscloudwatchactions.NewSnsAction(m.Topic)
	c.AddAlarmAction(page)
	c.AddOkAction(page)
	m.Subsystems[subsystem] = c
	return c
}

func (m *Monitoring) withinLimits(name string, members []member) bool {
	if len(members) > maxCompositeChildren {
		cdkx.Error(m.Construct, "monitoring: composite alarm %s would name %d alarms; CloudWatch allows at most %d alarms in a composite's rule (PutCompositeAlarm): split it into more subsystems", name, len(members), maxCompositeChildren)
		return false
	}
	if n := ruleLength(members); n > maxCompositeRuleLength {
		cdkx.Error(m.Construct, "monitoring: composite alarm %s would have an AlarmRule of up to %d characters; CloudWatch allows at most %d (PutCompositeAlarm): split it into more subsystems or shorten the alarm names", name, n, maxCompositeRuleLength)
		return false
	}
	return true
}

// Finish creates each subsystem's paging composite, the Unhealthy
// composite over them, and the alarm status panel. Call it once, after
// the last alarm (a second call is an annotation error and changes
// nothing); later, only Page with a new subsystem and Notify.
func (m *Monitoring) Finish() {
	if m.finished {
		cdkx.Error(m.Construct, "monitoring: Finish called twice; the composites exist already (add later alarms with Page to a new subsystem, or Notify)")
		return
	}
	if len(m.subsystems) == 0 {
		cdkx.Error(m.Construct, "monitoring: Finish called before any paging alarm was added")
		return
	}
	m.finished = true
	var composites []awscloudwatch.IAlarm
	var rules []awscloudwatch.IAlarmRule
	for _, sub := range m.subsystems {
		if c := m.composite(sub, m.members[sub]); c != nil {
			composites, rules = append(composites, c), append(rules, c)
		}
	}
	members := make([]member, len(composites))
	for i, c := range composites {
		members[i] = member{c, len(m.name + "-" + m.subsystems[i] + "-unhealthy")}
	}
	if len(composites) == len(m.subsystems) && m.withinLimits(m.name+"-unhealthy", members) {
		m.Unhealthy = awscloudwatch.NewCompositeAlarm(m.Construct, jsii.String("Unhealthy"), &awscloudwatch.CompositeAlarmProps{
			CompositeAlarmName: jsii.String(m.name + "-unhealthy"),
			AlarmDescription:   jsii.String("At least one subsystem of " + m.name + " is unhealthy; its own composite pages. This alarm notifies nobody. Check first: the alarm status panel of the " + m.name + " dashboard."),
			AlarmRule:          awscloudwatch.AlarmRule_AnyOf(rules...),
		})
	}
	m.Dashboard.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
		Title: jsii.String("Alarm status"), Alarms: &m.statusList, Width: jsii.Number(24), Height: jsii.Number(8),
	}))
}
