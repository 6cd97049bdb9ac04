// Package web is misend's browser interface: senders confirm, correct or
// cancel their held mail; approvers release or reject their departments'
// held mail; operators curate confidential-term lists through a
// propose-and-approve flow; admins and operators see the directory;
// admins edit the policy, which operators, approvers and auditors read;
// everyone sees reports as charts drawn on the server; auditors read
// the audit log. Pages are Go templates in Japanese and English with a
// little htmx (2.0.11, vendored in static/, 0BSD) embedded in the binary: no
// CDN, and every page works without JavaScript.
//
// Every route states the roles it admits in one table (routes.go); handlers
// then check what a role may do with one object (a sender only their own
// mail, an approver only their departments'). Sessions, passwords and OIDC
// are internal/auth's; every state change needs the session's CSRF token.
//
// It deliberately holds no mail and decides nothing about mail: held mail is
// reached through held.Holds, lists through internal/terms, counts through
// internal/reports.
package web

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/backoff"
	"github.com/misend/misend/internal/clientip"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/policystore"
	"github.com/misend/misend/internal/reports"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/terms"
)

// Options configure the web interface.
type Options struct {
	Auth  *auth.Service // required
	Audit *audit.Log    // required: no audit log, no pages
	Held  held.Holds    // required
	// OIDC, if set, offers sign-in with the organisation's provider.
	OIDC *auth.OIDC
	// LocalAccounts offers the password form (on unless OIDC only).
	LocalAccounts bool
	// Directory is the directory at start; the admin's CSV import replaces
	// it (and DirectoryChanged is told).
	Directory *directory.Directory
	// DB, if set, lets admins import a directory CSV from the page.
	DB *store.DB
	// DirectoryChanged is told of a directory imported from the page, so
	// the rest of misend can use it at once.
	DirectoryChanged func(*directory.Directory)
	Terms            *terms.Store // nil: no term pages
	// Policy is the policy in force when Policies is nil: shown
	// read-only, as the configuration file sets it.
	Policy *policy.Config
	// Policies, if set, keeps the policy in the database: administrators
	// edit it on the policy page and every change applies to the next
	// message.
	Policies *policystore.Store
	// ConfigAdvice is what the configuration check found missing or
	// unsafe when misend started, shown on the policy page.
	ConfigAdvice []config.Advice
	// Decisions and Feedback feed the reports page; nil: no data yet.
	Decisions reports.Decisions
	Feedback  reports.Feedback
	// SecureCookies marks cookies Secure even on plain HTTP, for a
	// TLS-terminating proxy in front; on TLS connections they always are.
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (for sign-in throttles and the audit log); none: the
	// connection's address is the client's.
	TrustedProxies clientip.Proxies
	// Location is where report days begin and times are shown; default
	// time.Local.
	Location *time.Location
	Log      *slog.Logger
	Now      func() time.Time
}

// Web serves the pages.
type Web struct {
	o     Options
	dir   atomic.Pointer[directory.Directory]
	pages map[string]*template.Template // by lang + "/" + page
	// zones holds pages for people whose own time zone is not the
	// organisation's, by zone name (pagesFor).
	zones sync.Map
	mux   *http.ServeMux
	// accounts and clients slow password guessing per address signed
	// into and per client address (internal/backoff).
	accounts, clients *backoff.Limiter
}

// New checks o and returns the handler for "/".
func New(o Options) (*Web, error) {
	if o.Auth == nil || o.Audit == nil || o.Held == nil {
		return nil, errors.New("web: auth, audit log and held mail are required")
	}
	if o.OIDC == nil {
		o.LocalAccounts = true
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Policy == nil {
		c := policy.DefaultConfig()
		if err := c.Validate(); err != nil {
			return nil, err
		}
		o.Policy = &c
	}
	w := &Web{o: o,
		// An account's owner waits at most a minute, however many wrong
		// passwords others typed for it; one client trying many accounts
		// is slowed to one attempt per ten minutes.
		accounts: &backoff.Limiter{Free: 5, Base: time.Second, Max: time.Minute, Now: o.Now},
		clients:  &backoff.Limiter{Free: 20, Base: 2 * time.Second, Max: 10 * time.Minute, Now: o.Now},
	}
	if o.Directory == nil {
		o.Directory = directory.New(nil, nil)
	}
	w.dir.Store(o.Directory)
	var err error
	if w.pages, err = parseTemplates(o.Location); err != nil {
		return nil, err
	}
	w.mux = http.NewServeMux()
	w.routes()
	return w, nil
}

// ServeHTTP serves a request: cross-origin state changes are refused
// before anything else runs.
func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	securityHeaders(rw)
	w.mux.ServeHTTP(rw, r)
}

// Directory returns the directory in use.
func (w *Web) Directory() *directory.Directory { return w.dir.Load() }

// SetDirectory replaces the directory (after an import elsewhere).
func (w *Web) SetDirectory(d *directory.Directory) {
	w.dir.Store(d)
	w.o.Auth.SetDirectory(d)
}

func (w *Web) record(ctx context.Context, r *http.Request, e audit.Entry) error {
	e.Remote = r.RemoteAddr
	if err := w.o.Audit.Record(ctx, e); err != nil {
		w.o.Log.Error("audit", "err", err)
		return err
	}
	return nil
}
