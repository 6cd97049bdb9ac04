package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

// heldView is one waiting message as its sender sees it: each recipient
// with the reasons it was flagged, then the reasons about the whole
// message.
type heldView struct {
	held.Item
	Rows    []rcptRow
	General []finding.Finding
	// CanConfirm: the message waits for its sender's confirmation.
	CanConfirm bool
	// For approvers: the sender as the directory knows them, whether the
	// score alone reached the hold band, and whether releasing needs a
	// comment (confidential information).
	SenderName, SenderDept string
	ByScore                bool
	Confidential           bool
	// Unreadable: held because misend could not read it, with nothing
	// else to say about it.
	Unreadable bool
	// SelfReleaseAt, for held mail of a department without approvers
	// (一時保留のみ), is when its sender may send it; CanSelfRelease: now.
	SelfReleaseAt  time.Time
	CanSelfRelease bool
}

// selfReleaser is the held service's answer to when a sender may release
// their own held mail (package approval); a Holds without it has none.
type selfReleaser interface {
	SelfReleaseAt(it held.Item) (time.Time, bool)
}

type rcptRow struct {
	held.Recipient
	Findings []finding.Finding
}

// viewOf groups an item's findings by recipient, written in the reader's
// language lang; about: for an approver, who reads about the sender.
// Recipients to check come first: on a phone they are what is seen.
func viewOf(it held.Item, lang string, about bool) heldView {
	if about {
		it.Findings = finding.LocalizeAbout(it.Findings, lang)
	} else {
		it.Findings = finding.LocalizeAll(it.Findings, lang)
	}
	v := heldView{Item: it, CanConfirm: it.State == queue.Confirming}
	for _, f := range it.Findings {
		if f.Code == finding.ConfidentialTerms {
			v.Confidential = true
		}
	}
	v.Unreadable = it.State == queue.Held && (len(it.Findings) == 0 ||
		!slices.ContainsFunc(it.Findings, func(f finding.Finding) bool { return f.Code != finding.ParseProblem }))
	for _, rc := range it.Recipients {
		row := rcptRow{Recipient: rc}
		for _, f := range it.Findings {
			if strings.EqualFold(f.Recipient, rc.Addr) {
				row.Findings = append(row.Findings, f)
			}
		}
		v.Rows = append(v.Rows, row)
	}
	slices.SortStableFunc(v.Rows, func(a, b rcptRow) int { return rowRank(a) - rowRank(b) })
	for _, f := range it.Findings {
		if f.Recipient == "" || !slices.ContainsFunc(it.Recipients, func(rc held.Recipient) bool { return strings.EqualFold(rc.Addr, f.Recipient) }) {
			v.General = append(v.General, f)
		}
	}
	return v
}

// rowRank orders recipients: flagged and not yet confirmed, flagged, then
// those with a finding, then the rest.
func rowRank(r rcptRow) int {
	switch {
	case r.Flagged && !r.Confirmed:
		return 0
	case r.Flagged:
		return 1
	case len(r.Findings) > 0:
		return 2
	}
	return 3
}

// notices maps the ?done= of a redirect after an action to its message.
var notices = map[string]string{
	"confirmed": "notice.confirmed", "released": "notice.released", "dropped": "notice.dropped",
	"cancelled": "notice.cancelled", "rejected": "notice.rejected", "proposed": "notice.proposed",
	"approved": "notice.approved", "refused": "notice.refused", "imported": "notice.imported",
	"policysaved": "notice.policysaved", "policysame": "notice.policysame",
}

func notice(r *http.Request) string { return notices[r.URL.Query().Get("done")] }

func (w *Web) heldList(rw http.ResponseWriter, r *http.Request, q *req) {
	items, err := w.o.Held.ForSender(r.Context(), q.p.Address, held.SenderView)
	w.renderWaiting(rw, r, q, "held", items, err)
}

// heldRelease sends a sender's own held mail in a department without
// approvers, once its delay ran out; held refuses anything else.
func (w *Web) heldRelease(rw http.ResponseWriter, r *http.Request, q *req) {
	it, ok := w.own(r.Context(), q, r.PathValue("id"))
	if !ok {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	if _, err := w.o.Held.Release(r.Context(), it.ID, w.actor(r, q), ""); err != nil {
		if errors.Is(err, held.ErrTooEarly) {
			w.fail(rw, r, q, http.StatusConflict, "err.tooearly")
			return
		}
		w.heldError(rw, r, q, err)
		return
	}
	w.setFlash(rw, r, flash{Key: "notice.selfsent", Subject: it.Subject})
	http.Redirect(rw, r, "/held", http.StatusSeeOther)
}

// renderWaiting shows a list of waiting messages with the page template
// of that name ("held", "approvals") in the reader's language.
func (w *Web) renderWaiting(rw http.ResponseWriter, r *http.Request, q *req, name string, items []held.Item, err error) {
	if err != nil {
		w.internal(rw, r, q, err)
		return
	}
	w.renderWaitingPage(rw, r, q, name, items, http.StatusOK, page{Notice: notice(r), NoticeText: w.takeFlash(rw, r, q)})
}

func (w *Web) renderWaitingPage(rw http.ResponseWriter, r *http.Request, q *req, name string, items []held.Item, status int, pg page) {
	var views []heldView
	for _, it := range items {
		v := viewOf(it, q.lang, name == "approvals")
		if sr, ok := w.o.Held.(selfReleaser); ok && name == "held" {
			if at, ok := sr.SelfReleaseAt(it); ok {
				v.SelfReleaseAt, v.CanSelfRelease = at, !w.o.Now().Before(at)
			}
		}
		if name == "approvals" {
			if p, ok := w.Directory().Person(it.Sender); ok {
				v.SenderName, v.SenderDept = p.Name, p.Department
			}
			v.ByScore = it.Score >= w.holdBand(it.Department)
		}
		views = append(views, v)
	}
	pg.Title, pg.Data = "title."+name, views
	w.render(rw, r, q, status, name, pg)
}

// holdBand is the score from which the department's mail is held.
func (w *Web) holdBand(dept string) float64 {
	pol := w.policyConfig()
	if pol == nil {
		return 1
	}
	if r, ok := pol.Departments[dept]; ok {
		if at, ok := r.Bands[policy.Hold]; ok {
			return at
		}
	}
	if at, ok := pol.Default.Bands[policy.Hold]; ok {
		return at
	}
	return 1
}

// flash is a notice that names the message it is about, carried across
// the redirect after an action in a short-lived cookie.
type flash struct {
	Key     string `json:"k"`
	Subject string `json:"s"`
	N       int    `json:"n,omitempty"`
}

const flashCookie = "misend_flash"

func (w *Web) setFlash(rw http.ResponseWriter, r *http.Request, f flash) {
	if len(f.Subject) > 120 {
		f.Subject = strings.ToValidUTF8(f.Subject[:120], "") + "…"
	}
	b, _ := json.Marshal(f)
	w.setCookie(rw, r, flashCookie, encodeCookie(b), 60)
}

// takeFlash returns the flash notice in the reader's language and clears it.
func (w *Web) takeFlash(rw http.ResponseWriter, r *http.Request, q *req) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	w.setCookie(rw, r, flashCookie, "", -1)
	b, err := decodeCookie(c.Value)
	var f flash
	if err != nil || json.Unmarshal(b, &f) != nil || !strings.HasPrefix(f.Key, "notice.") {
		return ""
	}
	subj := f.Subject
	if subj == "" {
		subj = tr(q.lang, "nosubject")
	}
	if f.Key == "notice.partly" {
		return tr(q.lang, f.Key, subj, f.N)
	}
	return tr(q.lang, f.Key, subj)
}

// own returns a waiting message of the signed-in sender; any other
// message is "not found", so IDs reveal nothing.
func (w *Web) own(ctx context.Context, q *req, id string) (held.Item, bool) {
	it, err := w.o.Held.Get(ctx, id, held.SenderView)
	if err != nil || !it.State.Waiting() {
		return held.Item{}, false
	}
	if !w.o.Held.Sent(it, q.p) {
		return held.Item{}, false
	}
	return it, true
}

// actor is the signed-in person acting on held mail; the session rebuilt
// their principal from the directory and account for this request.
func (w *Web) actor(r *http.Request, q *req) held.Actor {
	return held.Actor{Principal: *q.p, Via: "web", Remote: w.clientIP(r)}
}

func (w *Web) heldConfirm(rw http.ResponseWriter, r *http.Request, q *req) {
	it, ok := w.own(r.Context(), q, r.PathValue("id"))
	if !ok {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	// Each flagged recipient is ticked on its own; there is deliberately
	// no "confirm all" (a ritual tick-all defeats the check).
	rcpts := r.PostForm["rcpt"]
	if len(rcpts) == 0 {
		// The list again, saying what to do: not a dead-end error page.
		items, err := w.o.Held.ForSender(r.Context(), q.p.Address, held.SenderView)
		if err != nil {
			w.internal(rw, r, q, err)
			return
		}
		w.renderWaitingPage(rw, r, q, "held", items, http.StatusBadRequest, page{Error: "err.tickeach"})
		return
	}
	after := it
	for _, rc := range rcpts {
		var err error
		if after, err = w.o.Held.ConfirmRecipient(r.Context(), it.ID, rc, w.actor(r, q)); err != nil {
			w.heldError(rw, r, q, err)
			return
		}
	}
	f := flash{Key: "notice.sent", Subject: it.Subject}
	if after.State != queue.Queued {
		f.Key = "notice.partly"
		for _, rc := range after.Recipients {
			if rc.Flagged && !rc.Confirmed {
				f.N++
			}
		}
	}
	w.setFlash(rw, r, f)
	http.Redirect(rw, r, "/held", http.StatusSeeOther)
}

func (w *Web) heldDrop(rw http.ResponseWriter, r *http.Request, q *req) {
	it, ok := w.own(r.Context(), q, r.PathValue("id"))
	if !ok {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	rc := r.PostFormValue("rcpt")
	after, err := w.o.Held.DropRecipient(r.Context(), it.ID, rc, w.actor(r, q))
	if err != nil {
		w.heldError(rw, r, q, err)
		return
	}
	switch after.State {
	case queue.Queued:
		w.setFlash(rw, r, flash{Key: "notice.droppedsent", Subject: it.Subject})
	case queue.Cancelled:
		w.setFlash(rw, r, flash{Key: "notice.droppedlast", Subject: it.Subject})
	default:
		http.Redirect(rw, r, "/held?done=dropped", http.StatusSeeOther)
		return
	}
	http.Redirect(rw, r, "/held", http.StatusSeeOther)
}

func (w *Web) heldCancel(rw http.ResponseWriter, r *http.Request, q *req) {
	it, ok := w.own(r.Context(), q, r.PathValue("id"))
	if !ok {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	if _, err := w.o.Held.Cancel(r.Context(), it.ID, w.actor(r, q)); err != nil {
		w.heldError(rw, r, q, err)
		return
	}
	http.Redirect(rw, r, "/held?done=cancelled", http.StatusSeeOther)
}

func (w *Web) heldBody(rw http.ResponseWriter, r *http.Request, q *req) {
	it, ok := w.own(r.Context(), q, r.PathValue("id"))
	if !ok {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	w.showBody(rw, r, q, it, "own message", "/held")
}

// heldError answers a refused action on held mail.
func (w *Web) heldError(rw http.ResponseWriter, r *http.Request, q *req, err error) {
	switch {
	case errors.Is(err, held.ErrNotFound), errors.Is(err, held.ErrNotAllowed), errors.Is(err, held.ErrOwnMessage):
		// Whether a message exists is no business of someone who may not act on it.
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
	case errors.Is(err, held.ErrState):
		w.fail(rw, r, q, http.StatusConflict, "err.state")
	case errors.Is(err, held.ErrNotRecipient), errors.Is(err, held.ErrNotFlagged):
		w.fail(rw, r, q, http.StatusBadRequest, "err.recipient")
	default:
		w.internal(rw, r, q, err)
	}
}

func (w *Web) internal(rw http.ResponseWriter, r *http.Request, q *req, err error) {
	w.o.Log.Error("web", "path", r.URL.Path, "err", err)
	w.fail(rw, r, q, http.StatusInternalServerError, "err.internal")
}
