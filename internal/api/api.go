// Package api serves misend's HTTP API under /api/v1/ for mail client
// add-ins, scripts and dashboards: checking a draft before Send (the same
// decision path as the gateway, answered in the `misend check --json`
// schema), listing and acting on held mail, reading decisions and reports,
// and recording feedback. Its OpenAPI 3 description is served at
// /api/v1/openapi.json and kept in this package.
//
// Every call but the description needs a bearer token (internal/auth keeps
// them hashed) and is authorised on the server by role and department:
// senders act on their own mail, approvers on their departments' held
// mail, operators, auditors and admins read across the organisation.
// Errors are JSON with a stable code.
//
// It deliberately renders no pages (internal/web does), keeps no state of
// its own and decides nothing about mail: internal/check, internal/held,
// internal/decisions, internal/reports and internal/feedback do.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/clientip"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/feedback"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/reports"
	"github.com/misend/misend/internal/stamp"
)

// Prefix is where the API lives; mount the handler there.
const Prefix = "/api/v1/"

// DefaultMaxBody caps a request body: a draft with a long body fits, a
// message-sized upload does not (drafts carry attachment names, not files).
const DefaultMaxBody = 1 << 20

// Authenticator turns a bearer token into a principal; *auth.Service
// implements it.
type Authenticator interface {
	AuthenticateToken(ctx context.Context, secret string) (auth.Principal, error)
}

// DecisionLog records and lists decisions; *decisions.Log implements it.
type DecisionLog interface {
	Append(ctx context.Context, r decisions.Record) error
	Recent(ctx context.Context, since time.Time, n int) ([]decisions.Record, error)
}

// FeedbackLog records answers and streams them for reports;
// *feedback.Log implements it.
type FeedbackLog interface {
	Record(ctx context.Context, e feedback.Event) error
	Each(ctx context.Context, since time.Time, fn func(feedback.Event) error) error
}

// AuditLog records people's actions; *audit.Log implements it.
type AuditLog interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Options wire the API to the rest of misend. Tokens and Check are
// required; a nil Held, Decisions, Reports or Feedback makes the routes
// that need it answer 503 unavailable.
type Options struct {
	Tokens Authenticator
	// Check is misend's one decision path, the one the gateway and the
	// milter decide through (decide.Path).
	Check     decide.Decider
	Held      held.Holds
	Decisions DecisionLog
	// Reports reads decisions for reports (reports.DecisionsTable).
	Reports  reports.Decisions
	Feedback FeedbackLog
	// Audit is the audit log. Actions on held mail and body reads are
	// audited by Held itself, before they take effect.
	Audit AuditLog
	// ChecksPerMinute limits drafts checked per API token; 0 means
	// DefaultChecksPerMinute.
	ChecksPerMinute int
	// MaxBody caps request bodies; 0 means DefaultMaxBody.
	MaxBody int64
	// Location is where report days begin when a request names no tz;
	// nil means UTC.
	Location *time.Location
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client in the audit log and throttles; none: the connection's
	// address is the client's.
	TrustedProxies clientip.Proxies
	// People resolves an address or alias to its person, so a sender may
	// check drafts from their own aliases; nil: only the address they
	// signed in with is theirs. *auth.Service implements it.
	People People
	// Stamps signs the confirmation stamps of POST /api/v1/confirmations;
	// nil: that route answers 503.
	Stamps *stamp.Keys
	// StampTTL is how long a stamp holds; 0 means stamp.DefaultTTL.
	StampTTL time.Duration
	// Origins are the browser origins (scheme://host[:port]) allowed to
	// call the API across origins: the add-ins' own and those of Office
	// hosts that call from another. None: same-origin calls only.
	Origins []string
	Now     func() time.Time
	Log     *slog.Logger
}

// People resolves addresses to people; *auth.Service implements it.
type People interface {
	// PersonOf returns the main address of the person whose address or
	// alias addr is; addr itself when nobody has it.
	PersonOf(addr string) string
}

// API is the handler.
type API struct {
	o   Options
	mux *http.ServeMux
	// checks limits /check per token (ratelimit.go).
	checks *tokenBuckets
	// origins may call across origins; methods are each route's (cors.go).
	origins []string
	methods map[string][]string
}

// route is one method on one path. roles, when set, are the roles allowed
// to call it at all; finer checks (whose mail, which department) happen in
// the handler.
type route struct {
	method  string
	path    string
	roles   []auth.Role
	public  bool
	handler func(a *API, w http.ResponseWriter, r *http.Request, p *auth.Principal) error
}

var overseers = []auth.Role{auth.RoleOperator, auth.RoleAuditor, auth.RoleAdmin}

// routes is every route served; the OpenAPI test holds the description to it.
var routes = []route{
	{method: "GET", path: "/api/v1/openapi.json", public: true, handler: (*API).openAPI},
	{method: "GET", path: "/api/v1/me", handler: (*API).me},
	{method: "POST", path: "/api/v1/check", roles: []auth.Role{auth.RoleSender}, handler: (*API).check},
	{method: "GET", path: "/api/v1/held", handler: (*API).heldList},
	{method: "GET", path: "/api/v1/held/{id}", handler: (*API).heldGet},
	{method: "GET", path: "/api/v1/held/{id}/body", handler: (*API).heldBody},
	{method: "POST", path: "/api/v1/held/{id}/confirm", roles: []auth.Role{auth.RoleSender}, handler: (*API).heldConfirm},
	{method: "POST", path: "/api/v1/held/{id}/drop", roles: []auth.Role{auth.RoleSender}, handler: (*API).heldDrop},
	{method: "POST", path: "/api/v1/held/{id}/cancel", roles: []auth.Role{auth.RoleSender}, handler: (*API).heldCancel},
	{method: "POST", path: "/api/v1/held/{id}/release", handler: (*API).heldRelease},
	{method: "POST", path: "/api/v1/held/{id}/reject", roles: []auth.Role{auth.RoleApprover}, handler: (*API).heldReject},
	{method: "GET", path: "/api/v1/decisions", handler: (*API).decisionList},
	{method: "GET", path: "/api/v1/reports", roles: append([]auth.Role{auth.RoleApprover}, overseers...), handler: (*API).report},
	{method: "GET", path: "/api/v1/reports.csv", roles: append([]auth.Role{auth.RoleApprover}, overseers...), handler: (*API).reportCSV},
	{method: "POST", path: "/api/v1/feedback", roles: []auth.Role{auth.RoleSender}, handler: (*API).feedback},
	{method: "POST", path: "/api/v1/confirmations", roles: []auth.Role{auth.RoleSender}, handler: (*API).confirmation},
}

// New returns the API handler. It answers only under Prefix.
func New(o Options) *API {
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	a := &API{o: o, mux: http.NewServeMux(), checks: newTokenBuckets(o.ChecksPerMinute, o.Now), methods: map[string][]string{}}
	for _, s := range o.Origins {
		// Misconfigured origins are refused where the flags are read;
		// here one that does not parse is simply not allowed.
		if origin, err := NormalizeOrigin(s); err == nil {
			a.origins = append(a.origins, origin)
		}
	}
	byPath := map[string][]route{}
	var order []string
	for _, rt := range routes {
		if byPath[rt.path] == nil {
			order = append(order, rt.path)
		}
		byPath[rt.path] = append(byPath[rt.path], rt)
	}
	for _, path := range order {
		a.mux.Handle(path, a.dispatch(byPath[path]))
		for _, rt := range byPath[path] {
			a.methods[path] = append(a.methods[path], rt.method)
		}
	}
	a.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errNotFound("no such API route"))
	})
	return a
}

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if a.cors(w, r) {
		return
	}
	a.mux.ServeHTTP(w, r)
}

// dispatch picks the route for the method, so a wrong method gets a JSON
// 405 naming the allowed ones rather than the mux's plain-text answer.
func (a *API) dispatch(rs []route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rt *route
		var allowed []string
		for i := range rs {
			allowed = append(allowed, rs[i].method)
			if rs[i].method == r.Method || r.Method == http.MethodHead && rs[i].method == http.MethodGet {
				rt = &rs[i]
			}
		}
		if rt == nil {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeError(w, &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: "use " + strings.Join(allowed, " or ")})
			return
		}
		var p *auth.Principal
		if !rt.public {
			pr, err := a.authenticate(r)
			if err != nil {
				if ae := asError(err); ae.Status == http.StatusUnauthorized {
					w.Header().Set("WWW-Authenticate", `Bearer realm="misend"`)
				}
				writeError(w, err)
				return
			}
			p = &pr
			if len(rt.roles) > 0 && !p.Any(rt.roles...) {
				writeError(w, errForbidden("your role does not allow this"))
				return
			}
		}
		r.Body = http.MaxBytesReader(w, r.Body, a.o.MaxBody)
		if err := rt.handler(a, w, r, p); err != nil {
			ae := asError(err)
			if ae.Status >= 500 {
				a.o.Log.Error("api", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			writeError(w, ae)
		}
	})
}

func (a *API) authenticate(r *http.Request) (auth.Principal, error) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if h == "" || !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return auth.Principal{}, &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: "an API token is required: Authorization: Bearer <token>"}
	}
	p, err := a.o.Tokens.AuthenticateToken(r.Context(), strings.TrimSpace(secret))
	switch {
	case errors.Is(err, auth.ErrBadToken):
		return auth.Principal{}, &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: "the API token is invalid, expired or revoked"}
	case err != nil:
		return auth.Principal{}, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "cannot check the token now", err: err}
	}
	return p, nil
}

func (a *API) me(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return writeJSON(w, http.StatusOK, p)
}
