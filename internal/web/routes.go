package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/misend/misend/internal/auth"
)

// req is what a handler knows about the request beyond http.Request.
type req struct {
	p    *auth.Principal // nil: anonymous
	sess auth.Session
	lang string
	// cookie is the session cookie value (for sign-out).
	cookie string
}

type handler func(w http.ResponseWriter, r *http.Request, q *req)

// anyone marks a public route; signedIn one open to every principal.
var (
	anyone   []auth.Role
	signedIn = []auth.Role{}
)

// route is one line of the authorisation table: a pattern, the roles it
// admits (nil: public; empty: any signed-in person) and its handler.
type route struct {
	pattern string
	roles   []auth.Role
	h       handler
}

func (w *Web) table() []route {
	const (
		sender   = auth.RoleSender
		approver = auth.RoleApprover
		operator = auth.RoleOperator
		auditor  = auth.RoleAuditor
		admin    = auth.RoleAdmin
	)
	return []route{
		{"GET /static/", anyone, w.static},
		{"GET /login", anyone, w.loginPage},
		{"POST /login", anyone, w.login},
		{"GET /auth/oidc", anyone, w.oidcBegin},
		{"GET /auth/oidc/callback", anyone, w.oidcCallback},
		{"GET /lang", anyone, w.langCookie},
		{"POST /lang", signedIn, w.setLang},
		{"POST /logout", signedIn, w.logout},
		{"GET /{$}", signedIn, w.home},

		{"GET /held", []auth.Role{sender}, w.heldList},
		{"GET /held/{id}/body", []auth.Role{sender}, w.heldBody},
		{"POST /held/{id}/confirm", []auth.Role{sender}, w.heldConfirm},
		{"POST /held/{id}/drop", []auth.Role{sender}, w.heldDrop},
		{"POST /held/{id}/cancel", []auth.Role{sender}, w.heldCancel},
		{"POST /held/{id}/release", []auth.Role{sender}, w.heldRelease},

		{"GET /approvals", []auth.Role{approver}, w.approvalsList},
		{"GET /approvals/{id}/body", []auth.Role{approver}, w.approvalBody},
		{"POST /approvals/{id}/release", []auth.Role{approver}, w.approvalRelease},
		{"POST /approvals/{id}/reject", []auth.Role{approver}, w.approvalReject},

		{"GET /terms", []auth.Role{operator, approver, admin}, w.termsPage},
		{"GET /terms/recommend", []auth.Role{operator, admin}, w.termsRecommend},
		{"POST /terms/propose", []auth.Role{operator, admin}, w.termsPropose},
		{"POST /terms/changes/{id}/approve", []auth.Role{approver, admin}, w.termsApprove},
		{"POST /terms/changes/{id}/reject", []auth.Role{approver, admin}, w.termsReject},

		{"GET /directory", []auth.Role{operator, admin}, w.directoryPage},
		{"POST /directory/import", []auth.Role{admin}, w.directoryImport},
		{"GET /policy", []auth.Role{operator, approver, auditor, admin}, w.policyPage},
		{"GET /policy/export.toml", []auth.Role{operator, approver, auditor, admin}, w.policyExport},
		{"POST /policy/rules", []auth.Role{admin}, w.policyRules},
		{"POST /policy/lists", []auth.Role{admin}, w.policyLists},
		{"POST /policy/remove", []auth.Role{admin}, w.policyRemove},
		{"POST /policy/reset", []auth.Role{admin}, w.policyReset},

		{"GET /reports", signedIn, w.reportsPage},
		{"GET /reports.csv", signedIn, w.reportsCSV},
		{"GET /audit", []auth.Role{auditor, admin}, w.auditPage},
	}
}

func (w *Web) routes() {
	for _, rt := range w.table() {
		w.mux.Handle(rt.pattern, w.guard(rt))
	}
	w.mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		q := w.identify(r)
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
	})
}

// guard authenticates, authorises by role and checks the CSRF token of
// every state change before the handler runs.
func (w *Web) guard(rt route) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.fail(rw, r, w.identify(r), http.StatusForbidden, "err.csrf")
	}))
	inner := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		q := w.identify(r)
		safe := r.Method == http.MethodGet || r.Method == http.MethodHead
		if rt.roles != nil {
			if q.p == nil {
				if safe {
					http.Redirect(rw, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				w.fail(rw, r, q, http.StatusUnauthorized, "err.signin")
				return
			}
			if len(rt.roles) > 0 && !q.p.Any(rt.roles...) {
				w.fail(rw, r, q, http.StatusForbidden, "err.forbidden")
				return
			}
		}
		if !safe {
			limit := int64(1 << 20)
			if strings.HasPrefix(r.URL.Path, "/directory/import") {
				limit = 16 << 20
			}
			r.Body = http.MaxBytesReader(rw, r.Body, limit)
			if !w.csrfOK(r, q) {
				w.fail(rw, r, q, http.StatusForbidden, "err.csrf")
				return
			}
		}
		rt.h(rw, r, q)
	})
	return cop.Handler(inner)
}

const (
	sessionCookie = "misend_session"
	loginCookie   = "misend_login" // pre-session anti-forgery token for the sign-in form
	oidcCookie    = "misend_oidc"
	langCookie    = "misend_lang"
)

// identify finds the session, if any, and the page language.
func (w *Web) identify(r *http.Request) *req {
	q := &req{}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if sess, err := w.o.Auth.Session(r.Context(), c.Value); err == nil {
			q.sess, q.p, q.cookie = sess, &sess.Principal, c.Value
		}
	}
	q.lang = chooseLang(q.p, r)
	return q
}

// csrfOK checks the anti-forgery token: the session's for a signed-in
// person, the sign-in form's cookie for someone signing in.
func (w *Web) csrfOK(r *http.Request, q *req) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		if err := parseForm(r); err != nil {
			return false
		}
		got = r.PostFormValue("csrf")
	}
	want := q.sess.CSRF
	if q.p == nil {
		c, err := r.Cookie(loginCookie)
		if err != nil {
			return false
		}
		want = c.Value
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// parseForm parses a url-encoded or multipart form once.
func parseForm(r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(8 << 20)
	}
	return r.ParseForm()
}

func (w *Web) secure(r *http.Request) bool { return r.TLS != nil || w.o.SecureCookies }

func (w *Web) setCookie(rw http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(rw, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: w.secure(r), SameSite: http.SameSiteLaxMode})
}

func securityHeaders(rw http.ResponseWriter) {
	h := rw.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// home sends a person to the page they most likely came for.
func (w *Web) home(rw http.ResponseWriter, r *http.Request, q *req) {
	to := "/held"
	switch {
	case q.p.Has(auth.RoleApprover):
		to = "/approvals"
	case q.p.Has(auth.RoleOperator):
		to = "/terms"
	case q.p.Has(auth.RoleAuditor):
		to = "/reports"
	case !q.p.Has(auth.RoleSender):
		to = "/reports"
	}
	http.Redirect(rw, r, to, http.StatusSeeOther)
}

// navItem is one link of the menu, shown only to those who may follow it.
type navItem struct {
	Path, Key string
	Current   bool
}

func (w *Web) nav(q *req, current string) []navItem {
	if q.p == nil {
		return nil
	}
	var out []navItem
	for _, n := range []struct {
		path, key string
	}{{"/held", "nav.held"}, {"/approvals", "nav.approvals"}, {"/terms", "nav.terms"}, {"/directory", "nav.directory"},
		{"/policy", "nav.policy"}, {"/reports", "nav.reports"}, {"/audit", "nav.audit"}} {
		for _, rt := range w.table() {
			if rt.pattern == "GET "+n.path && (len(rt.roles) == 0 || q.p.Any(rt.roles...)) {
				out = append(out, navItem{Path: n.path, Key: n.key, Current: n.path == current})
			}
		}
	}
	return out
}

var errBadInput = errors.New("bad input")

func contains[T comparable](s []T, v T) bool { return slices.Contains(s, v) }
