package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/auth"
)

type loginData struct {
	OIDC, Local   bool
	Token         string
	Next, Address string
}

// loginPage shows the sign-in form with a fresh anti-forgery token kept in
// a cookie (double submit: there is no session yet to hold it).
func (w *Web) loginPage(rw http.ResponseWriter, r *http.Request, q *req) {
	if q.p != nil {
		http.Redirect(rw, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	w.showLogin(rw, r, q, http.StatusOK, "", r.URL.Query().Get("address"))
}

func (w *Web) showLogin(rw http.ResponseWriter, r *http.Request, q *req, status int, errKey, addr string) {
	tok := randomToken()
	w.setCookie(rw, r, loginCookie, tok, 3600)
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostFormValue("next")
	}
	w.render(rw, r, q, status, "login", page{Title: "title.login", Error: errKey,
		Data: loginData{OIDC: w.o.OIDC != nil, Local: w.o.LocalAccounts, Token: tok, Next: safeNext(next), Address: addr}})
}

func (w *Web) login(rw http.ResponseWriter, r *http.Request, q *req) {
	if !w.o.LocalAccounts {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	addr := strings.ToLower(strings.TrimSpace(r.PostFormValue("address")))
	password := r.PostFormValue("password")
	ip := w.clientIP(r)
	// Slowed down per address signed into and per client. A wait is
	// answered after the same password work as a check, for addresses
	// with and without an account alike: neither the answer nor its time
	// tells whether an account exists.
	if wait := max(w.accounts.Wait(addr), w.clients.Wait(ip)); wait > 0 {
		auth.CheckNothing(password)
		w.record(r.Context(), r, audit.Entry{Actor: orUnknown(addr), Action: audit.SignInFailed, Detail: "waiting: too many failures (" + ip + ")"})
		rw.Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second)+1))
		key := "login.wait"
		if w.clients.Wait(ip) > 0 {
			key = "login.throttled"
		}
		w.showLogin(rw, r, q, http.StatusTooManyRequests, key, addr)
		return
	}
	p, err := w.o.Auth.Login(r.Context(), addr, password)
	if err != nil {
		w.accounts.Fail(addr)
		w.clients.Fail(ip)
		if !errors.Is(err, auth.ErrBadCredentials) && !errors.Is(err, auth.ErrUnknownPerson) {
			w.o.Log.Error("web: sign-in", "err", err)
		}
		if addr != "" {
			w.record(r.Context(), r, audit.Entry{Actor: addr, Action: audit.SignInFailed, Detail: failReason(err)})
		}
		// One message for every failure: the page must not tell whether an
		// account exists.
		w.showLogin(rw, r, q, http.StatusUnauthorized, "login.failed", addr)
		return
	}
	w.accounts.Succeed(addr)
	w.startSession(rw, r, p.Address, "password", r.PostFormValue("next"))
}

func orUnknown(addr string) string {
	if addr == "" {
		return "(none)"
	}
	return addr
}

func failReason(err error) string {
	switch {
	case errors.Is(err, auth.ErrUnknownPerson):
		return "not in the directory"
	}
	return "wrong address or password"
}

func (w *Web) startSession(rw http.ResponseWriter, r *http.Request, addr, via, next string) {
	cookie, sess, err := w.o.Auth.StartSession(r.Context(), addr, via)
	if err != nil {
		w.o.Log.Error("web: start session", "err", err)
		w.fail(rw, r, &req{lang: chooseLang(nil, r)}, http.StatusInternalServerError, "err.internal")
		return
	}
	w.record(r.Context(), r, audit.Entry{Actor: sess.Principal.Address, Action: audit.SignIn, Detail: via})
	w.setCookie(rw, r, sessionCookie, cookie, int(w.o.Auth.SessionTTL.Seconds()))
	w.setCookie(rw, r, loginCookie, "", -1)
	http.Redirect(rw, r, safeNext(next), http.StatusSeeOther)
}

func (w *Web) logout(rw http.ResponseWriter, r *http.Request, q *req) {
	if err := w.o.Auth.EndSession(r.Context(), q.cookie); err != nil {
		w.o.Log.Error("web: sign-out", "err", err)
	}
	w.record(r.Context(), r, audit.Entry{Actor: q.p.Address, Action: audit.SignOut})
	w.setCookie(rw, r, sessionCookie, "", -1)
	http.Redirect(rw, r, "/login", http.StatusSeeOther)
}

// oidcBegin sends the browser to the provider, keeping state, nonce and
// PKCE verifier in a short-lived cookie.
func (w *Web) oidcBegin(rw http.ResponseWriter, r *http.Request, q *req) {
	if w.o.OIDC == nil {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	u, st, err := w.o.OIDC.Begin(r.Context())
	if err != nil {
		w.o.Log.Error("web: oidc", "err", err)
		w.fail(rw, r, q, http.StatusBadGateway, "login.oidcdown")
		return
	}
	b, _ := json.Marshal(oidcState{OIDCStart: st, Next: safeNext(r.URL.Query().Get("next"))})
	w.setCookie(rw, r, oidcCookie, encodeCookie(b), 600)
	http.Redirect(rw, r, u, http.StatusFound)
}

type oidcState struct {
	auth.OIDCStart
	Next string
}

func (w *Web) oidcCallback(rw http.ResponseWriter, r *http.Request, q *req) {
	if w.o.OIDC == nil {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	var st oidcState
	if c, err := r.Cookie(oidcCookie); err == nil {
		if b, err := decodeCookie(c.Value); err == nil {
			json.Unmarshal(b, &st)
		}
	}
	w.setCookie(rw, r, oidcCookie, "", -1)
	if e := r.URL.Query().Get("error"); e != "" {
		w.o.Log.Info("web: oidc refused", "error", e)
		w.fail(rw, r, q, http.StatusUnauthorized, "login.oidcfailed")
		return
	}
	addr, err := w.o.OIDC.Finish(r.Context(), st.OIDCStart, r.URL.Query().Get("state"), r.URL.Query().Get("code"))
	if err != nil {
		w.o.Log.Info("web: oidc sign-in failed", "err", err)
		w.fail(rw, r, q, http.StatusUnauthorized, "login.oidcfailed")
		return
	}
	if _, err := w.o.Auth.Principal(addr, nil); err != nil {
		w.record(r.Context(), r, audit.Entry{Actor: addr, Action: audit.SignInFailed, Detail: "oidc: not in the directory"})
		w.fail(rw, r, q, http.StatusForbidden, "login.unknown")
		return
	}
	w.startSession(rw, r, addr, "oidc", st.Next)
}

// langCookie remembers the language of someone not signed in.
func (w *Web) langCookie(rw http.ResponseWriter, r *http.Request, q *req) {
	if l := r.URL.Query().Get("lang"); contains(langs, l) {
		w.setCookie(rw, r, langCookie, l, 365*24*3600)
	}
	http.Redirect(rw, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// setLang stores a signed-in person's language.
func (w *Web) setLang(rw http.ResponseWriter, r *http.Request, q *req) {
	l := r.PostFormValue("lang")
	if !contains(langs, l) {
		w.fail(rw, r, q, http.StatusBadRequest, "err.badinput")
		return
	}
	if err := w.o.Auth.SetLang(r.Context(), q.p.Address, l); err != nil {
		w.o.Log.Error("web: set language", "err", err)
	}
	w.setCookie(rw, r, langCookie, l, 365*24*3600)
	http.Redirect(rw, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}
