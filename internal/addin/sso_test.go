package addin

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/misend/misend/internal/api"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/auth/oidctest"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/policy"
)

const appID = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"

// mint gets a token from the test provider the way a client does (code
// flow with PKCE); its audience is the provider's client, the add-in.
func mint(t *testing.T, p *oidctest.Provider) string {
	t.Helper()
	verifier := "a-verifier-long-enough-for-pkce-0123456789abcdef"
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"client_id": {p.ClientID}, "response_type": {"code"}, "redirect_uri": {"https://addin.test/cb"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}, "state": {"s"}}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(p.URL + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	resp, err = http.PostForm(p.URL+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {"https://addin.test/cb"}, "code_verifier": {verifier}, "client_id": {p.ClientID}, "client_secret": {p.ClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		IDToken string `json:"id_token"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	if out.IDToken == "" {
		t.Fatal("no token from the test provider")
	}
	return out.IDToken
}

// people is a directory of two: aoki, an operator, and sato.
type people struct{}

func (people) Principal(addr string, extra []auth.Role) (auth.Principal, error) {
	switch addr {
	case "aoki@corp.example":
		return auth.Principal{Address: addr, Roles: []auth.Role{auth.RoleOperator, auth.RoleSender, auth.RoleApprover}, ApprovesOrganization: true}, nil
	case "sato@corp.example":
		return auth.Principal{Address: addr, Roles: []auth.Role{auth.RoleSender}}, nil
	}
	return auth.Principal{}, auth.ErrUnknownPerson
}

// apiTokens knows one misend API token, sato's.
type apiTokens struct{}

func (apiTokens) AuthenticateToken(ctx context.Context, secret string) (auth.Principal, error) {
	if secret == "msd_sato" {
		return auth.Principal{Address: "sato@corp.example", Roles: []auth.Role{auth.RoleSender}}, nil
	}
	return auth.Principal{}, auth.ErrBadToken
}

func newTokens(t *testing.T, p *oidctest.Provider) Tokens {
	sso, err := NewSSO(SSOConfig{Issuer: p.Issuer(), AppID: appID})
	if err != nil {
		t.Fatal(err)
	}
	return Tokens{API: apiTokens{}, SSO: sso, People: people{}}
}

func TestSSOTokens(t *testing.T) {
	p := oidctest.Start(appID, "secret")
	defer p.Close()
	tk := newTokens(t, p)
	ctx := context.Background()

	p.Claims = map[string]any{"preferred_username": "Aoki@corp.example"}
	pr, err := tk.AuthenticateToken(ctx, mint(t, p))
	if err != nil {
		t.Fatal(err)
	}
	if pr.Address != "aoki@corp.example" || len(pr.Roles) != 1 || pr.Roles[0] != auth.RoleSender || pr.ApprovesOrganization {
		t.Fatalf("an SSO principal acts only as a sender: %+v", pr)
	}
	if pr, err := tk.AuthenticateToken(ctx, "msd_sato"); err != nil || pr.Address != "sato@corp.example" {
		t.Fatalf("API token fallback: %+v %v", pr, err)
	}

	for name, knob := range map[string]func(){
		"wrong audience": func() { p.WrongAudience = true },
		"wrong key":      func() { p.WrongKey = true },
		"wrong issuer":   func() { p.WrongIssuer = true },
		"expired":        func() { p.ExpiresIn = -1 },
		"unknown person": func() { p.Claims = map[string]any{"preferred_username": "nobody@corp.example"} },
		"no address":     func() { p.Claims = map[string]any{"name": "Aoki"} },
	} {
		p.WrongAudience, p.WrongKey, p.WrongIssuer, p.ExpiresIn = false, false, false, 0
		p.Claims = map[string]any{"preferred_username": "aoki@corp.example"}
		knob()
		if _, err := tk.AuthenticateToken(ctx, mint(t, p)); !errors.Is(err, auth.ErrBadToken) {
			t.Errorf("%s: %v, want a bad token", name, err)
		}
	}
	if _, err := tk.AuthenticateToken(ctx, "a.b.c"); !errors.Is(err, auth.ErrBadToken) {
		t.Errorf("garbage: %v", err)
	}
}

func TestSSOProviderDown(t *testing.T) {
	p := oidctest.Start(appID, "secret")
	tk := newTokens(t, p)
	tok := mint(t, p)
	p.Close()
	_, err := tk.AuthenticateToken(context.Background(), tok)
	if err == nil || errors.Is(err, auth.ErrBadToken) {
		t.Fatalf("provider down must not read as a bad token (the API answers 503, not 401): %v", err)
	}
}

// passAll decides every draft passes.
type passAll struct{}

func (passAll) Decide(ctx context.Context, env decide.Envelope, raw []byte) decide.Result {
	return decide.Result{Sender: env.From, Decision: policy.Decision{Verdict: policy.Pass, Decided: policy.Pass, Rule: "test"}}
}

// TestSSOCheckOnlyOwnDrafts: through the API, a person signed in with
// Office SSO checks drafts from their own address and no one else's, even
// an operator who may do so with an API token.
func TestSSOCheckOnlyOwnDrafts(t *testing.T) {
	p := oidctest.Start(appID, "secret")
	defer p.Close()
	p.Claims = map[string]any{"preferred_username": "aoki@corp.example"}
	srv := httptest.NewServer(api.New(api.Options{Tokens: newTokens(t, p), Check: passAll{}}))
	defer srv.Close()
	tok := mint(t, p)
	post := func(token, from string) int {
		body := `{"to":["tanaka@partner-a.example"],"subject":"s","body":"b"`
		if from != "" {
			body += `,"from":"` + from + `"`
		}
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/check", strings.NewReader(body+"}"))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		token, from string
		want        int
	}{
		{tok, "", 200},
		{tok, "aoki@corp.example", 200},
		{tok, "Aoki <AOKI@corp.example>", 200},
		{tok, "sato@corp.example", 403},
		{"msd_sato", "sato@corp.example", 200},
		{"msd_sato", "aoki@corp.example", 403},
		{"msd_nobody", "", 401},
	} {
		if got := post(c.token, c.from); got != c.want {
			t.Errorf("token %.8s… from %q: %d, want %d", c.token, c.from, got, c.want)
		}
	}
}

// TestSSOFurtherAudiences: a token for one of the further audiences (the
// Application ID URI v1 tokens name) is good; one for none of them is not.
func TestSSOFurtherAudiences(t *testing.T) {
	p := oidctest.Start(appID, "secret")
	defer p.Close()
	p.Claims = map[string]any{"upn": "Sato@corp.example"}
	for _, tt := range []struct {
		audiences []string
		want      string // "" for a bad token
	}{
		{[]string{appID}, "sato@corp.example"},
		{[]string{"api://misend.corp.example/other", appID}, "sato@corp.example"},
		{[]string{"api://misend.corp.example/other"}, ""},
	} {
		sso, err := NewSSO(SSOConfig{Issuer: p.Issuer(), AppID: "other-app", Audiences: tt.audiences})
		if err != nil {
			t.Fatal(err)
		}
		got, err := sso.Verify(context.Background(), mint(t, p))
		if tt.want == "" {
			if !errors.Is(err, auth.ErrBadToken) {
				t.Errorf("%v: %q %v, want a bad token", tt.audiences, got, err)
			}
		} else if err != nil || got != tt.want {
			t.Errorf("%v: %q %v, want %q", tt.audiences, got, err, tt.want)
		}
	}
}
