package notify

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Queue is what links act on: misend's queue of waiting messages, through
// the same checks and audit log as the web UI and the API.
type Queue interface {
	// Act does what the grant says for its actor, coming from remote: a
	// sender confirms or cancels, an approver releases or refuses. The
	// actor is checked as they are now (directory and account), not as
	// they were when the link was signed; a refusal wraps ErrRefused.
	Act(ctx context.Context, g Grant, remote string) error
}

// ErrRefused means the link's holder may not (or no longer) do what it
// says: their role was removed, or the message is their own held mail.
var ErrRefused = errors.New("notify: not allowed")

// Handler serves /act/{token}. GET only shows what the link will do, with a
// button: mail scanners and link previewers fetch links, and must not
// release or cancel anything by doing so. POST does it.
type Handler struct {
	Signer *Signer
	Queue  Queue
	Log    *slog.Logger
	Now    func() time.Time
	// ClientIP names the client of a request for the audit log (behind
	// trusted proxies); nil: the connection's address.
	ClientIP func(*http.Request) string
}

// Mount registers the handler's routes on mux.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /act/{token}", h.show)
	mux.HandleFunc("POST /act/{token}", h.act)
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

func (h *Handler) grant(w http.ResponseWriter, r *http.Request) (Grant, bool) {
	g, err := h.Signer.Verify(r.PathValue("token"), h.now())
	if err != nil {
		status := http.StatusNotFound
		if errors.Is(err, ErrExpired) {
			status = http.StatusGone
		}
		h.page(w, status, pageData{State: "invalid", Expired: errors.Is(err, ErrExpired)})
		return Grant{}, false
	}
	return g, true
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	g, ok := h.grant(w, r)
	if !ok {
		return
	}
	h.page(w, http.StatusOK, pageData{State: "ask", Action: g.Action, QueueID: g.QueueID})
}

func (h *Handler) act(w http.ResponseWriter, r *http.Request) {
	g, ok := h.grant(w, r)
	if !ok {
		return
	}
	remote := remoteHost(r)
	if h.ClientIP != nil {
		remote = h.ClientIP(r)
	}
	err := h.Queue.Act(r.Context(), g, remote)
	if errors.Is(err, ErrRefused) {
		h.log().Warn("notify: link action refused", "action", g.Action, "queue_id", g.QueueID, "by", g.Actor, "err", err)
		h.page(w, http.StatusForbidden, pageData{State: "refused", Action: g.Action, QueueID: g.QueueID})
		return
	}
	if err != nil {
		// Most often the message was already released or cancelled by
		// someone else; the page says so without details.
		h.log().Warn("notify: link action failed", "action", g.Action, "queue_id", g.QueueID, "by", g.Actor, "err", err)
		h.page(w, http.StatusConflict, pageData{State: "failed", Action: g.Action, QueueID: g.QueueID})
		return
	}
	h.log().Info("notify: link action", "action", g.Action, "queue_id", g.QueueID, "by", g.Actor)
	h.page(w, http.StatusOK, pageData{State: "done", Action: g.Action, QueueID: g.QueueID})
}

type pageData struct {
	State   string // ask, done, refused, failed, invalid
	Action  Action
	QueueID string
	Expired bool
}

func (h *Handler) page(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(status)
	if err := pageTmpl.Execute(w, d); err != nil {
		h.log().Warn("notify: render page", "err", err)
	}
}

var actionText = map[Action][2]string{ // ja, en
	ActConfirm: {"このメールを送信します", "Send this message"},
	ActCancel:  {"このメールの送信を取り消します", "Cancel this message"},
	ActRelease: {"このメールの送信を許可します", "Release this message"},
	ActReject:  {"このメールを差し戻します", "Refuse this message"},
}

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"ja": func(a Action) string { return actionText[a][0] },
	"en": func(a Action) string { return actionText[a][1] },
}).Parse(`<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>misend</title>
<style>body{font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em}button{font-size:1.1em;padding:.5em 1.5em}</style>
</head><body>
{{if eq .State "ask"}}
<p>{{ja .Action}}。<br>{{en .Action}}.</p>
<p><small>{{.QueueID}}</small></p>
<form method="post"><button type="submit">{{ja .Action}} / {{en .Action}}</button></form>
{{else if eq .State "done"}}
<p>完了しました。<br>Done.</p>
{{else if eq .State "refused"}}
<p>この操作を行う権限がありません。<br>You may not do this.</p>
{{else if eq .State "failed"}}
<p>このメールは既に処理済みか、見つかりません。<br>This message was already handled, or cannot be found.</p>
{{else}}
{{if .Expired}}<p>このリンクは有効期限切れです。<br>This link has expired.</p>
{{else}}<p>このリンクは無効です。<br>This link is not valid.</p>{{end}}
{{end}}
</body></html>
`))

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
