package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCConfig configures sign-in with an OpenID Connect provider (Entra ID:
// issuer https://login.microsoftonline.com/TENANT/v2.0).
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is misend's callback, e.g. https://misend.corp.example/auth/oidc/callback.
	RedirectURL string
	// Claims holding the person's mail address, tried in order. Default:
	// email, preferred_username, upn (Entra ID puts the UPN, usually the
	// address, in preferred_username).
	Claims []string
	// Client makes the calls to the provider; nil uses a client with a 10 s
	// timeout.
	Client *http.Client
}

// OIDC signs people in with an OpenID Connect provider (authorisation code
// flow with PKCE and a nonce). Discovery happens on first use and is
// retried on the next sign-in when the provider was unreachable, so misend
// starts even while the provider is down.
type OIDC struct {
	cfg OIDCConfig

	mu       sync.Mutex
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// NewOIDC checks cfg; it does not contact the provider yet.
func NewOIDC(cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("oidc: issuer, client id and redirect URL are required")
	}
	if len(cfg.Claims) == 0 {
		cfg.Claims = []string{"email", "preferred_username", "upn"}
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	return &OIDC{cfg: cfg}, nil
}

func (o *OIDC) setup(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.oauth != nil {
		return o.oauth, o.verifier, nil
	}
	ctx = oidc.ClientContext(ctx, o.cfg.Client)
	p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("oidc discovery at %s: %w", o.cfg.Issuer, err)
	}
	o.oauth = &oauth2.Config{
		ClientID:     o.cfg.ClientID,
		ClientSecret: o.cfg.ClientSecret,
		RedirectURL:  o.cfg.RedirectURL,
		Endpoint:     p.Endpoint(),
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
	}
	// The key set fetches keys with a context that outlives this call.
	o.verifier = p.VerifierContext(oidc.ClientContext(context.Background(), o.cfg.Client), &oidc.Config{ClientID: o.cfg.ClientID})
	return o.oauth, o.verifier, nil
}

// OIDCStart is what a browser must remember between the redirect to the
// provider and the callback (misend keeps it in a short-lived cookie).
type OIDCStart struct {
	State, Nonce, Verifier string
}

// Begin returns the provider URL to send the browser to and the values to
// keep for the callback.
func (o *OIDC) Begin(ctx context.Context) (string, OIDCStart, error) {
	oc, _, err := o.setup(ctx)
	if err != nil {
		return "", OIDCStart{}, err
	}
	st := OIDCStart{State: randomToken(24), Nonce: randomToken(24), Verifier: oauth2.GenerateVerifier()}
	u := oc.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))
	return u, st, nil
}

// Finish completes sign-in: it checks state, exchanges the code (with the
// PKCE verifier), verifies the ID token's signature, issuer, audience,
// expiry and nonce, and returns the mail address it names.
func (o *OIDC) Finish(ctx context.Context, st OIDCStart, state, code string) (string, error) {
	if st.State == "" || state != st.State {
		return "", errors.New("oidc: state does not match this browser's sign-in")
	}
	if code == "" {
		return "", errors.New("oidc: no authorisation code")
	}
	oc, ver, err := o.setup(ctx)
	if err != nil {
		return "", err
	}
	tok, err := oc.Exchange(oidc.ClientContext(ctx, o.cfg.Client), code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return "", fmt.Errorf("oidc: code exchange: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return "", errors.New("oidc: token response without id_token")
	}
	idt, err := ver.Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("verify ID token: %w", err)
	}
	if idt.Nonce != st.Nonce {
		return "", errors.New("oidc: nonce does not match")
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return "", fmt.Errorf("oidc: claims: %w", err)
	}
	// An explicit email_verified=false means the provider vouches for
	// nothing; Entra ID omits the claim for organisational accounts.
	if v, ok := claims["email_verified"].(bool); ok && !v {
		return "", errors.New("oidc: provider says the address is not verified")
	}
	for _, c := range o.cfg.Claims {
		if s, ok := claims[c].(string); ok && strings.Contains(s, "@") {
			return strings.ToLower(strings.TrimSpace(s)), nil
		}
	}
	return "", fmt.Errorf("oidc: the ID token carries no address in %s", strings.Join(o.cfg.Claims, ", "))
}
