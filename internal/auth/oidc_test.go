package auth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/auth/oidctest"
)

// signIn runs the browser's part: follow Begin's URL to the provider and
// read the code and state it redirects back with.
func signIn(t *testing.T, o *OIDC) (OIDCStart, string, string) {
	t.Helper()
	u, st, err := o.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("provider answered %s", resp.Status)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc.String(), "https://misend.corp.example/auth/oidc/callback?") {
		t.Fatalf("redirected to %s", loc)
	}
	return st, loc.Query().Get("state"), loc.Query().Get("code")
}

func TestOIDC(t *testing.T) {
	p := oidctest.Start("misend", "s3cret")
	defer p.Close()
	newOIDC := func(secret string) *OIDC {
		o, err := NewOIDC(OIDCConfig{Issuer: p.Issuer(), ClientID: "misend", ClientSecret: secret, RedirectURL: "https://misend.corp.example/auth/oidc/callback"})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	o := newOIDC("s3cret")
	ctx := context.Background()

	reset := func() {
		p.WrongKey, p.WrongAudience, p.WrongIssuer, p.WrongNonce, p.ExpiresIn = false, false, false, false, 0
		p.Claims = map[string]any{"email": "Sato@Corp.Example", "email_verified": true}
	}
	tests := []struct {
		name    string
		setup   func()
		tamper  func(st *OIDCStart, state, code *string)
		want    string
		wantErr string
	}{
		{name: "email", want: "sato@corp.example"},
		{name: "entra preferred_username", setup: func() { p.Claims = map[string]any{"preferred_username": "boss@corp.example", "name": "Boss"} }, want: "boss@corp.example"},
		{name: "no address", setup: func() { p.Claims = map[string]any{"preferred_username": "boss"} }, wantErr: "no address"},
		{name: "unverified", setup: func() { p.Claims["email_verified"] = false }, wantErr: "not verified"},
		{name: "state mismatch", tamper: func(st *OIDCStart, state, code *string) { *state = "forged" }, wantErr: "state"},
		{name: "no state kept", tamper: func(st *OIDCStart, state, code *string) { *st = OIDCStart{}; *state = "" }, wantErr: "state"},
		{name: "wrong verifier", tamper: func(st *OIDCStart, state, code *string) { st.Verifier = otherFirst(st.Verifier) }, wantErr: "code exchange"},
		{name: "forged code", tamper: func(st *OIDCStart, state, code *string) { *code = "forged" }, wantErr: "code exchange"},
		{name: "nonce kept differs", tamper: func(st *OIDCStart, state, code *string) { st.Nonce = "other" }, wantErr: "nonce"},
		{name: "provider nonce differs", setup: func() { p.WrongNonce = true }, wantErr: "nonce"},
		{name: "key not in JWKS", setup: func() { p.WrongKey = true }, wantErr: "signature"},
		{name: "other audience", setup: func() { p.WrongAudience = true }, wantErr: "audience"},
		{name: "other issuer", setup: func() { p.WrongIssuer = true }, wantErr: "different provider"},
		{name: "expired", setup: func() { p.ExpiresIn = -time.Minute }, wantErr: "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reset()
			if tt.setup != nil {
				tt.setup()
			}
			st, state, code := signIn(t, o)
			if tt.tamper != nil {
				tt.tamper(&st, &state, &code)
			}
			got, err := o.Finish(ctx, st, state, code)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %q, %v; want error with %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}

	t.Run("code used twice", func(t *testing.T) {
		reset()
		st, state, code := signIn(t, o)
		if _, err := o.Finish(ctx, st, state, code); err != nil {
			t.Fatal(err)
		}
		if _, err := o.Finish(ctx, st, state, code); err == nil {
			t.Fatal("a code was accepted twice")
		}
	})
	t.Run("wrong client secret", func(t *testing.T) {
		reset()
		bad := newOIDC("guess")
		st, state, code := signIn(t, bad)
		if _, err := bad.Finish(ctx, st, state, code); err == nil || !strings.Contains(err.Error(), "exchange") {
			t.Fatalf("wrong client secret: %v", err)
		}
	})
	t.Run("provider down, then up", func(t *testing.T) {
		o, err := NewOIDC(OIDCConfig{Issuer: "http://127.0.0.1:1", ClientID: "misend", RedirectURL: "https://x/cb"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := o.Begin(ctx); err == nil || !strings.Contains(err.Error(), "discovery") {
			t.Fatalf("unreachable provider: %v", err)
		}
	})
	if _, err := NewOIDC(OIDCConfig{Issuer: p.Issuer()}); err == nil {
		t.Error("config without client id accepted")
	}
}

// otherFirst changes the first letter of s, whatever it is: the random
// verifier starts with "x" one time in 64.
func otherFirst(s string) string {
	if s[0] == 'x' {
		return "y" + s[1:]
	}
	return "x" + s[1:]
}
