package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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
	cfg    OIDCConfig
	issuer *Issuer // verifies its ID tokens, for the client ID
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
	issuer, err := NewIssuer(IssuerConfig{Issuer: cfg.Issuer, Audiences: []string{cfg.ClientID}, Claims: cfg.Claims, Client: cfg.Client})
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	return &OIDC{cfg: cfg, issuer: issuer}, nil
}

func (o *OIDC) oauth(ctx context.Context) (*oauth2.Config, error) {
	p, err := o.issuer.Provider(ctx)
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	return &oauth2.Config{
		ClientID:     o.cfg.ClientID,
		ClientSecret: o.cfg.ClientSecret,
		RedirectURL:  o.cfg.RedirectURL,
		Endpoint:     p.Endpoint(),
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
	}, nil
}

// OIDCStart is what a browser must remember between the redirect to the
// provider and the callback (misend keeps it in a short-lived cookie).
type OIDCStart struct {
	State, Nonce, Verifier string
}

// Begin returns the provider URL to send the browser to and the values to
// keep for the callback.
func (o *OIDC) Begin(ctx context.Context) (string, OIDCStart, error) {
	oc, err := o.oauth(ctx)
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
	oc, err := o.oauth(ctx)
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
	idt, err := o.issuer.Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("oidc: verify ID token: %w", err)
	}
	if idt.Nonce != st.Nonce {
		return "", errors.New("oidc: nonce does not match")
	}
	// An explicit email_verified=false means the provider vouches for
	// nothing; Entra ID omits the claim for organisational accounts.
	if v, ok := idt.Claims["email_verified"].(bool); ok && !v {
		return "", errors.New("oidc: provider says the address is not verified")
	}
	return idt.Address, nil
}
