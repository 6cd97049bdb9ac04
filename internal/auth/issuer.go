package auth

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
)

// IssuerConfig says which tokens of an OpenID Connect issuer are good.
type IssuerConfig struct {
	// Issuer is the issuer whose keys sign the tokens (Entra ID:
	// https://login.microsoftonline.com/TENANT/v2.0).
	Issuer string
	// Audiences are those the token may be for: one of them at least.
	Audiences []string
	// Claims hold the person's mail address, tried in order.
	Claims []string
	// Algs are the signing algorithms accepted; nil: those the issuer's
	// discovery names, else RS256.
	Algs []string
	// Client makes the calls to the issuer; nil uses a client with a 10 s
	// timeout.
	Client *http.Client
}

// ErrIssuerUnavailable marks a failure to reach the issuer, as opposed to
// a token that is not good (ErrBadToken): one is answered "try later",
// the other "sign in again".
var ErrIssuerUnavailable = errors.New("identity provider unavailable")

// Issuer verifies tokens an OpenID Connect issuer signed: the ID tokens
// of web sign-in (OIDC) and the Office SSO access tokens of the add-ins.
// Discovery happens on first use and is retried on the next token while
// the issuer was unreachable, so misend starts even while it is down.
type Issuer struct {
	cfg IssuerConfig

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// NewIssuer checks cfg; it does not contact the issuer yet.
func NewIssuer(cfg IssuerConfig) (*Issuer, error) {
	if cfg.Issuer == "" || len(cfg.Audiences) == 0 || slices.Contains(cfg.Audiences, "") {
		return nil, errors.New("issuer: an issuer and an audience are required")
	}
	if len(cfg.Claims) == 0 {
		return nil, errors.New("issuer: name the claims that hold the address")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Issuer{cfg: cfg}, nil
}

// Provider returns the issuer's discovery, fetching it on first use.
func (t *Issuer) Provider(ctx context.Context) (*oidc.Provider, error) {
	_, p, err := t.setup(ctx)
	return p, err
}

func (t *Issuer) setup(ctx context.Context) (*oidc.IDTokenVerifier, *oidc.Provider, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.verifier != nil {
		return t.verifier, t.provider, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, t.cfg.Client), t.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: discovery at %s: %w", ErrIssuerUnavailable, t.cfg.Issuer, err)
	}
	// The audience is checked in Verify, against every accepted one; the
	// key set fetches keys with a context that outlives this call.
	t.provider = p
	t.verifier = p.VerifierContext(oidc.ClientContext(context.Background(), t.cfg.Client),
		&oidc.Config{SkipClientIDCheck: true, SupportedSigningAlgs: t.cfg.Algs})
	return t.verifier, t.provider, nil
}

// IDToken is a token that verified.
type IDToken struct {
	Address string // from the first of the claims that holds one, lower-cased
	Nonce   string
	Claims  map[string]any
}

// Verify checks a token's signature against the issuer's keys, its
// issuer, expiry and audience, and reads the address it names. A token
// that is not good is ErrBadToken; an issuer that cannot be reached,
// ErrIssuerUnavailable.
func (t *Issuer) Verify(ctx context.Context, raw string) (IDToken, error) {
	ver, _, err := t.setup(ctx)
	if err != nil {
		return IDToken{}, err
	}
	tok, err := ver.Verify(ctx, raw)
	if err != nil {
		return IDToken{}, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	if !slices.ContainsFunc(tok.Audience, func(a string) bool { return slices.Contains(t.cfg.Audiences, a) }) {
		return IDToken{}, fmt.Errorf("%w: the token's audience %v is not %s", ErrBadToken, tok.Audience, strings.Join(t.cfg.Audiences, " or "))
	}
	out := IDToken{Nonce: tok.Nonce, Claims: map[string]any{}}
	if err := tok.Claims(&out.Claims); err != nil {
		return IDToken{}, fmt.Errorf("%w: claims: %w", ErrBadToken, err)
	}
	for _, c := range t.cfg.Claims {
		if v, ok := out.Claims[c].(string); ok && strings.Contains(v, "@") {
			out.Address = strings.ToLower(strings.TrimSpace(v))
			return out, nil
		}
	}
	return IDToken{}, fmt.Errorf("%w: no address in %s", ErrBadToken, strings.Join(t.cfg.Claims, ", "))
}
