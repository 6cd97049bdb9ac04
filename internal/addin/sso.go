package addin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/misend/misend/internal/auth"
)

// SSOConfig configures Office single sign-on for the add-ins: the token
// Office.auth.getAccessToken returns is an Entra ID access token whose
// audience is the add-in's application.
type SSOConfig struct {
	// Issuer is the OIDC issuer whose keys sign the tokens (Entra ID v2
	// tokens: https://login.microsoftonline.com/TENANT/v2.0), the one web
	// sign-in uses.
	Issuer string
	// AppID is the add-in's Entra ID application (client) ID; tokens must
	// be for it.
	AppID string
	// Audiences are further audiences accepted, such as the Application
	// ID URI api://misend.corp.example/APPID that v1 tokens name.
	Audiences []string
	// Claims holding the person's address, tried in order; default
	// preferred_username, upn, email.
	Claims []string
	// Client fetches discovery and keys; nil: a 10 s timeout client.
	Client *http.Client
}

// SSO verifies Office SSO tokens, as auth.Issuer verifies web sign-in's
// ID tokens: discovery happens on first use and is retried on the next
// token while the provider is unreachable.
type SSO struct {
	issuer *auth.Issuer
}

// NewSSO checks cfg; it does not contact the provider yet.
func NewSSO(cfg SSOConfig) (*SSO, error) {
	if cfg.Issuer == "" || cfg.AppID == "" {
		return nil, errors.New("add-in SSO: the OIDC issuer and the add-in's app id are required")
	}
	if len(cfg.Claims) == 0 {
		cfg.Claims = []string{"preferred_username", "upn", "email"}
	}
	issuer, err := auth.NewIssuer(auth.IssuerConfig{Issuer: cfg.Issuer, Audiences: append([]string{cfg.AppID}, cfg.Audiences...),
		Claims: cfg.Claims, Algs: []string{oidc.RS256}, Client: cfg.Client})
	if err != nil {
		return nil, fmt.Errorf("add-in SSO: %w", err)
	}
	return &SSO{issuer: issuer}, nil
}

// Verify checks a token's signature against the issuer's keys, its
// issuer, expiry and audience (the add-in's app), and returns the address
// it names. A token that is not good is auth.ErrBadToken; a provider that
// cannot be reached, auth.ErrIssuerUnavailable.
func (s *SSO) Verify(ctx context.Context, raw string) (string, error) {
	tok, err := s.issuer.Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("add-in SSO: %w", err)
	}
	return tok.Address, nil
}

// Authenticator turns a misend API token into a principal
// (*auth.Service).
type Authenticator interface {
	AuthenticateToken(ctx context.Context, secret string) (auth.Principal, error)
}

// People builds the principal of a person of the directory
// (*auth.Service).
type People interface {
	Principal(addr string, extra []auth.Role) (auth.Principal, error)
}

// Tokens authenticates the API's bearer tokens: misend API tokens as
// before, and Office SSO tokens when SSO is set. A person signed in
// through SSO acts only as a sender, whatever their roles: the add-in
// checks their own drafts and nothing else, so the API's rule that a
// sender checks only drafts from their own address holds for every
// add-in request.
type Tokens struct {
	API    Authenticator
	SSO    *SSO
	People People
}

// AuthenticateToken implements the API's Authenticator.
func (t Tokens) AuthenticateToken(ctx context.Context, secret string) (auth.Principal, error) {
	if t.SSO == nil || strings.HasPrefix(secret, "msd_") || strings.Count(secret, ".") != 2 || len(secret) > 16<<10 {
		return t.API.AuthenticateToken(ctx, secret)
	}
	addr, err := t.SSO.Verify(ctx, secret)
	if err != nil {
		return auth.Principal{}, err
	}
	p, err := t.People.Principal(addr, nil)
	if err != nil {
		return auth.Principal{}, fmt.Errorf("%w: %w", auth.ErrBadToken, err)
	}
	return auth.Principal{Address: p.Address, Name: p.Name, Department: p.Department, Lang: p.Lang, Roles: []auth.Role{auth.RoleSender}}, nil
}
