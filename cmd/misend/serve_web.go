package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/misend/misend/internal/addin"
	"github.com/misend/misend/internal/api"
	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/clientip"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/feedback"
	"github.com/misend/misend/internal/keyfile"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/policystore"
	"github.com/misend/misend/internal/reports"
	"github.com/misend/misend/internal/server"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/terms"
	"github.com/misend/misend/internal/web"
)

// webFlags are misend serve's flags for the web UI and its sign-in;
// serveCmd embeds them.
type webFlags struct {
	OIDCIssuer      string     `help:"OpenID Connect issuer for web sign-in (Entra ID: https://login.microsoftonline.com/TENANT/v2.0)." name:"oidc-issuer"`
	OIDCClientID    string     `help:"OIDC client (application) ID." name:"oidc-client-id"`
	OIDCSecretFile  string     `help:"File holding the OIDC client secret (mode 600)." name:"oidc-client-secret-file"`
	OIDCRedirectURL string     `help:"OIDC redirect URL (default PUBLIC-URL/auth/oidc/callback)." name:"oidc-redirect-url"`
	NoLocalAccounts bool       `help:"With OIDC, refuse password sign-in (misend user accounts)." name:"no-local-accounts"`
	SecureCookies   bool       `help:"Mark web cookies Secure on plain HTTP, behind a TLS-terminating proxy (automatic for an https public URL)." name:"secure-cookies"`
	WebTimeZone     string     `help:"Time zone where report days begin (default: the system's)." name:"web-time-zone"`
	TrustedProxies  []string   `help:"Reverse proxy (address or CIDR) whose X-Forwarded-For names the client, for sign-in throttles and the audit log (repeatable; default: none)." name:"trusted-proxy"`
	Addin           addinFlags `embed:"" prefix:"addin-"`

	// advice is what the configuration check found, for the policy page.
	advice []config.Advice
	// policies keeps the policy administrators edit on the policy page;
	// nil: the page shows the configuration file's, read-only.
	policies *policystore.Store
}

// merge lays the web flags over the file's [web] table: a flag given wins.
func (f *webFlags) merge(w config.Web) {
	or := func(flag *string, file string) {
		if *flag == "" {
			*flag = file
		}
	}
	or(&f.OIDCIssuer, w.OIDCIssuer)
	or(&f.OIDCClientID, w.OIDCClientID)
	or(&f.OIDCSecretFile, w.OIDCClientSecretFile)
	or(&f.OIDCRedirectURL, w.OIDCRedirectURL)
	or(&f.WebTimeZone, w.TimeZone)
	if len(f.TrustedProxies) == 0 {
		f.TrustedProxies = w.TrustedProxies
	}
	f.NoLocalAccounts = f.NoLocalAccounts || w.NoLocalAccounts
	f.SecureCookies = f.SecureCookies || w.SecureCookies
}

// webOptions sets o.Web, o.AuditBody, o.AuditAction, o.People,
// o.TrustedProxies and, unless already set,
// o.HeldChanged: the web UI at / and the HTTP API at /api/v1/ on the HTTP
// listener, over the same held mail, audit log and feedback. dir is the
// directory loaded at start; a directory imported on the web page is put in
// force for the decision path (loaded, when not nil) at once. publicURL is
// where people reach misend.
func (f *webFlags) webOptions(ctx context.Context, o *server.Options, db *store.DB, loaded *check.Loaded, pcfg *policy.Config,
	dlog *decisions.Log, dir *directory.Directory, publicURL string, log *slog.Logger) error {
	var path decide.Decider // nil without a loaded path: checking answers unavailable
	var learner0 *model.Model
	var dirChanged func(*directory.Directory)
	if loaded != nil {
		path, learner0 = loaded.Path, loaded.Model
		dirChanged = func(d *directory.Directory) {
			if err := loaded.SetDirectory(context.Background(), d); err != nil {
				log.Error("new directory", "err", err)
			}
		}
	}
	authSvc, err := auth.Open(ctx, db, dir)
	if err != nil {
		return err
	}
	alog, err := audit.Open(ctx, db)
	if err != nil {
		return err
	}
	ts, err := terms.Open(ctx, db)
	if err != nil {
		return err
	}
	var learner feedback.Learner
	if learner0 != nil {
		learner = learner0
	}
	fb, err := feedback.Open(ctx, db, learner)
	if err != nil {
		return err
	}
	var oidc *auth.OIDC
	if f.OIDCIssuer != "" {
		cfg := auth.OIDCConfig{Issuer: f.OIDCIssuer, ClientID: f.OIDCClientID, RedirectURL: f.OIDCRedirectURL}
		if cfg.RedirectURL == "" && publicURL != "" {
			cfg.RedirectURL = strings.TrimSuffix(publicURL, "/") + "/auth/oidc/callback"
		}
		if f.OIDCSecretFile != "" {
			b, err := keyfile.Read(f.OIDCSecretFile)
			if err != nil {
				return fmt.Errorf("oidc client secret: %w", err)
			}
			cfg.ClientSecret = strings.TrimSpace(string(b))
		}
		if oidc, err = auth.NewOIDC(cfg); err != nil {
			return err
		}
	}
	loc := time.Local
	if f.WebTimeZone != "" {
		if loc, err = time.LoadLocation(f.WebTimeZone); err != nil {
			return fmt.Errorf("--web-time-zone: %w", err)
		}
	}
	proxies, err := clientip.Parse(f.TrustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxy: %w", err)
	}
	o.TrustedProxies = proxies
	o.AuditBody = alog.BodyReads()
	o.AuditAction = alog.HeldActions()
	o.People = authSvc
	if o.HeldChanged == nil {
		o.HeldChanged = fb.HeldChanged
	}
	addins, err := f.Addin.handler(publicURL)
	if err != nil {
		return err
	}
	thunderbird, err := f.Addin.thunderbird(publicURL)
	if err != nil {
		return err
	}
	tokens, err := f.Addin.tokens(authSvc, f.OIDCIssuer, publicURL)
	if err != nil {
		return err
	}
	// Confirmation stamps: the API signs them for add-ins, the decision
	// path the gateway and the milter share verifies them.
	keys, err := f.Addin.stampKeys(o.SpoolDir)
	if err != nil {
		return err
	}
	if loaded != nil {
		loaded.Path.Stamps = keys
	}
	origins, err := f.Addin.origins(publicURL)
	if err != nil {
		return err
	}
	decided := reports.DecisionsTable{DB: db}
	secure := f.SecureCookies || strings.HasPrefix(publicURL, "https://")
	o.Web = func(s *server.Server) http.Handler {
		w, err := web.New(web.Options{Auth: authSvc, Audit: alog, Held: s.Held, OIDC: oidc, LocalAccounts: oidc == nil || !f.NoLocalAccounts,
			Directory: dir, DirectoryChanged: dirChanged, DB: db, Terms: ts, Policy: pcfg, Policies: f.policies,
			Decisions: flushed{dlog, decided}, Feedback: fb, SecureCookies: secure, TrustedProxies: proxies, Location: loc, Log: log,
			ConfigAdvice: f.advice})
		if err != nil {
			log.Error("web UI not started", "err", err)
			return nil
		}
		a := api.New(api.Options{Tokens: tokens, Check: path, Held: s.Held, Decisions: dlog, Reports: flushed{dlog, decided},
			Feedback: fb, Audit: alog, TrustedProxies: proxies, Location: loc, Log: log,
			People: authSvc, Stamps: keys, Origins: origins})
		mux := http.NewServeMux()
		mux.Handle(api.Prefix, a)
		mux.Handle(addin.OutlookPrefix, addins)
		mux.Handle(addin.ThunderbirdPrefix, thunderbird)
		mux.Handle(addin.WellKnownPath, addins.WellKnown())
		mux.Handle("/", w)
		return mux
	}
	return nil
}

// flushed reads decisions after writing out those still queued, so a
// report includes the mail of the last moments.
type flushed struct {
	log   *decisions.Log
	table reports.DecisionsTable
}

func (f flushed) EachDecision(ctx context.Context, since, until time.Time, fn func(reports.Decision) error) error {
	if f.log != nil {
		f.log.Flush()
	}
	return f.table.EachDecision(ctx, since, until, fn)
}
