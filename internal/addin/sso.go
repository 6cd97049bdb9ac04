package addin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

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

// SSO verifies Office SSO tokens. Discovery happens on first use and is
// retried on the next token while the provider is unreachable, as web
// sign-in does.
type SSO struct {
	cfg SSOConfig

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
}

// NewSSO checks cfg; it does not contact the provider yet.
func NewSSO(cfg SSOConfig) (*SSO, error) {
	if cfg.Issuer == "" || cfg.AppID == "" {
		return nil, errors.New("add-in SSO: the OIDC issuer and the add-in's app id are required")
	}
	if len(cfg.Claims) == 0 {
		cfg.Claims = []string{"preferred_username", "upn", "email"}
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	return &SSO{cfg: cfg}, nil
}

// errUnavailable marks a failure to reach the provider, as opposed to a
// token that is not good.
var errUnavailable = errors.New("add-in SSO: identity provider unavailable")

func (s *SSO) setup(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.verifier != nil {
		return s.verifier, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, s.cfg.Client), s.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery at %s: %w", errUnavailable, s.cfg.Issuer, err)
	}
	// The audience is checked below, against every accepted one; the key
	// set fetches keys with a context that outlives this call.
	s.verifier = p.VerifierContext(oidc.ClientContext(context.Background(), s.cfg.Client),
		&oidc.Config{SkipClientIDCheck: true, SupportedSigningAlgs: []string{oidc.RS256}})
	return s.verifier, nil
}

// Verify checks a token's signature against the issuer's keys, its
// issuer, expiry and audience, and returns the address it names. A token
// that is not good is auth.ErrBadToken.
func (s *SSO) Verify(ctx context.Context, raw string) (string, error) {
	ver, err := s.setup(ctx)
	if err != nil {
		return "", err
	}
	tok, err := ver.Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("%w: %w", auth.ErrBadToken, err)
	}
	accepted := append([]string{s.cfg.AppID}, s.cfg.Audiences...)
	if !slices.ContainsFunc(tok.Audience, func(a string) bool { return slices.Contains(accepted, a) }) {
		return "", fmt.Errorf("%w: the token is for %v, not this add-in", auth.ErrBadToken, tok.Audience)
	}
	claims := map[string]any{}
	if err := tok.Claims(&claims); err != nil {
		return "", fmt.Errorf("%w: %w", auth.ErrBadToken, err)
	}
	for _, c := range s.cfg.Claims {
		if v, ok := claims[c].(string); ok && strings.Contains(v, "@") {
			return strings.ToLower(strings.TrimSpace(v)), nil
		}
	}
	return "", fmt.Errorf("%w: no address in %s", auth.ErrBadToken, strings.Join(s.cfg.Claims, ", "))
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
