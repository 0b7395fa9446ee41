// Package userpool creates a Cognito user pool for an API: strong password
// policy, MFA, threat protection (the Plus feature plan), no self sign-up,
// a resource server with the API's scopes, a client for machines (client
// credentials, with a secret Cognito generates) and one for interactive users
// (authorization code with PKCE, no secret).
package userpool

import (
	"fmt"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme/customers-api/constructs/internal/cdkx"
	"github.com/acme/customers-api/constructs/settings"
)

// MFA modes (see settings.MFA).
const (
	MFAOff      = settings.MFAOff
	MFAOptional = settings.MFAOptional
	MFARequired = settings.MFARequired
)

// Props describes the pool.
type Props struct {
	// ResourceServer is the identifier scopes are prefixed with, e.g.
	// "customers" gives "customers/read".
	ResourceServer string
	// Scopes are the resource server's scope names, e.g. "read", "write".
	Scopes []string
	// DomainPrefix is the hosted domain of the OAuth endpoints, unique
	// within the region. Required unless WithoutDomain. Cognito refuses a
	// second domain while the pool has one, so changing it takes two
	// deploys: one WithoutDomain, then one with the new prefix.
	DomainPrefix string
	// WithoutDomain creates no hosted domain (Domain is nil); no OAuth
	// token can be issued. Default: false.
	WithoutDomain bool
	// MFA is MFAOff, MFAOptional or MFARequired (the default).
	MFA settings.MFA
	// AccessTokenValidity also bounds ID tokens (default 15 minutes).
	AccessTokenValidity time.Duration
	// RefreshTokenValidity defaults to 7 days.
	RefreshTokenValidity time.Duration
	// CallbackURLs and LogoutURLs are the interactive client's redirects.
	CallbackURLs, LogoutURLs []string
	// Retain turns on deletion protection and keeps the pool when its stack
	// is deleted.
	Retain bool
	// EmailFrom, when set, sends the pool's e-mail (invitations, codes)
	// through Amazon SES from this address, which SES must have verified in
	// the pool's region. Unset, Cognito's default sender sends at most 50
	// e-mails a day: enough for dev, not for production.
	EmailFrom string
}

// UserPool is the created pool and its parts.
type UserPool struct {
	constructs.Construct
	Pool           awscognito.UserPool
	ResourceServer awscognito.UserPoolResourceServer
	// Domain is nil with WithoutDomain.
	Domain            awscognito.UserPoolDomain
	MachineClient     awscognito.UserPoolClient
	InteractiveClient awscognito.UserPoolClient
	scopes            map[string]awscognito.ResourceServerScope
}

// New creates the pool.
func New(scope constructs.Construct, id string, props Props) *UserPool {
	c := constructs.NewConstruct(scope, jsii.String(id))
	u := &UserPool{Construct: c, scopes: map[string]awscognito.ResourceServerScope{}}
	if props.ResourceServer == "" || len(props.Scopes) == 0 {
		cdkx.Error(c, "userpool: ResourceServer and Scopes are required")
	}
	mfa := map[settings.MFA]awscognito.Mfa{MFAOff: awscognito.Mfa_OFF, MFAOptional: awscognito.Mfa_OPTIONAL, MFARequired: awscognito.Mfa_REQUIRED, "": awscognito.Mfa_REQUIRED}
	mode, ok := mfa[props.MFA]
	if !ok {
		cdkx.Error(c, "userpool: MFA %q must be OFF, OPTIONAL or REQUIRED", props.MFA)
		mode = awscognito.Mfa_REQUIRED
	}
	u.Pool = awscognito.NewUserPool(c, jsii.String("Pool"), &awscognito.UserPoolProps{
		SelfSignUpEnabled:            jsii.Bool(false),
		SignInAliases:                &awscognito.SignInAliases{Email: jsii.Bool(true)},
		SignInCaseSensitive:          jsii.Bool(false),
		AutoVerify:                   &awscognito.AutoVerifiedAttrs{Email: jsii.Bool(true)},
		AccountRecovery:              awscognito.AccountRecovery_EMAIL_ONLY,
		Mfa:                          mode,
		MfaSecondFactor:              &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		FeaturePlan:                  awscognito.FeaturePlan_PLUS,
		StandardThreatProtectionMode: awscognito.StandardThreatProtectionMode_FULL_FUNCTION,
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength: jsii.Number(14), RequireLowercase: jsii.Bool(true), RequireUppercase: jsii.Bool(true),
			RequireDigits: jsii.Bool(true), RequireSymbols: jsii.Bool(true),
			TempPasswordValidity: awscdk.Duration_Days(jsii.Number(3)),
		},
		DeletionProtection: jsii.Bool(props.Retain),
		RemovalPolicy:      cdkx.RemovalPolicy(props.Retain),
		Email:              email(props.EmailFrom),
	})
	if mode != awscognito.Mfa_REQUIRED {
		cdknag.NagSuppressions_AddResourceSuppressions(u.Pool, &[]*cdknag.NagPackSuppression{{
			Id:     jsii.String("AwsSolutions-COG2"),
			Reason: jsii.String(fmt.Sprintf("MFA is %s in this environment by configuration (Auth.MFA); prod requires it.", props.MFA)),
		}}, nil)
	}

	var rsScopes []awscognito.ResourceServerScope
	for _, name := range props.Scopes {
		s := awscognito.NewResourceServerScope(&awscognito.ResourceServerScopeProps{
			ScopeName: jsii.String(name), ScopeDescription: jsii.String(name + " access"),
		})
		u.scopes[name] = s
		rsScopes = append(rsScopes, s)
	}
	u.ResourceServer = u.Pool.AddResourceServer(jsii.String("ResourceServer"), &awscognito.UserPoolResourceServerOptions{
		Identifier: jsii.String(props.ResourceServer), Scopes: &rsScopes,
	})
	switch {
	case props.WithoutDomain:
	case props.DomainPrefix == "":
		cdkx.Error(c, "userpool: DomainPrefix is required (or WithoutDomain)")
	default:
		u.Domain = u.Pool.AddDomain(jsii.String("Domain"), &awscognito.UserPoolDomainOptions{
			CognitoDomain: &awscognito.CognitoDomainOptions{DomainPrefix: jsii.String(props.DomainPrefix)},
		})
	}

	access := duration(props.AccessTokenValidity, 15*time.Minute)
	refresh := duration(props.RefreshTokenValidity, 7*24*time.Hour)
	var oauthScopes []awscognito.OAuthScope
	for _, s := range rsScopes {
		oauthScopes = append(oauthScopes, awscognito.OAuthScope_ResourceServer(u.ResourceServer, s))
	}
	u.MachineClient = u.Pool.AddClient(jsii.String("MachineClient"), &awscognito.UserPoolClientOptions{
		GenerateSecret:             jsii.Bool(true),
		OAuth:                      &awscognito.OAuthSettings{Flows: &awscognito.OAuthFlows{ClientCredentials: jsii.Bool(true)}, Scopes: &oauthScopes},
		AccessTokenValidity:        access,
		EnableTokenRevocation:      jsii.Bool(true),
		PreventUserExistenceErrors: jsii.Bool(true),
	})
	// Left unset, Cognito allows user SRP and custom sign-in on every
	// client; a machine client signs no user in (client credentials do not
	// use these flows), so it gets only the minimum Cognito accepts.
	u.MachineClient.Node().DefaultChild().(awscognito.CfnUserPoolClient).AddPropertyOverride(
		jsii.String("ExplicitAuthFlows"), []string{"ALLOW_REFRESH_TOKEN_AUTH"})
	interactiveScopes := append([]awscognito.OAuthScope{awscognito.OAuthScope_OPENID(), awscognito.OAuthScope_EMAIL()}, oauthScopes...)
	u.InteractiveClient = u.Pool.AddClient(jsii.String("InteractiveClient"), &awscognito.UserPoolClientOptions{
		GenerateSecret: jsii.Bool(false), // a public client: PKCE protects the code exchange
		AuthFlows:      &awscognito.AuthFlow{UserSrp: jsii.Bool(true)},
		OAuth: &awscognito.OAuthSettings{
			Flows:        &awscognito.OAuthFlows{AuthorizationCodeGrant: jsii.Bool(true)},
			Scopes:       &interactiveScopes,
			CallbackUrls: jsii.Strings(props.CallbackURLs...),
			LogoutUrls:   jsii.Strings(props.LogoutURLs...),
		},
		PreventUserExistenceErrors: jsii.Bool(true),
		EnableTokenRevocation:      jsii.Bool(true),
		AccessTokenValidity:        access,
		IdTokenValidity:            access,
		RefreshTokenValidity:       refresh,
	})
	return u
}

// Scope returns the full name of one of the resource server's scopes, e.g.
// "customers/read".
func (u *UserPool) Scope(name string) string {
	s, ok := u.scopes[name]
	if !ok {
		cdkx.Error(u.Construct, "userpool: no scope %q", name)
		return name
	}
	return *awscognito.OAuthScope_ResourceServer(u.ResourceServer, s).ScopeName()
}

func duration(d, def time.Duration) awscdk.Duration {
	return awscdk.Duration_Minutes(jsii.Number(cdkx.OrDefault(d, def).Minutes()))
}

// email is SES from the address, or Cognito's default sender for "".
func email(from string) awscognito.UserPoolEmail {
	if from == "" {
		return nil
	}
	return awscognito.UserPoolEmail_WithSES(&awscognito.UserPoolSESOptions{FromEmail: jsii.String(from)})
}
