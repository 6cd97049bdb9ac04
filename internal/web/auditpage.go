package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/held"
)

type auditData struct {
	Actor, Action, Department, Target, Since, Until string
	Actions                                         []string
	Entries                                         []auditRow
	Next                                            string // URL of the next (older) page
}

// auditRow is an entry as people read it: the message an action was on
// named by its subject and sender rather than its spool ID, the detail in
// the reader's language where misend wrote it.
type auditRow struct {
	audit.Entry
	TargetText string
	DetailText string
}

// auditDetails are the fixed phrases misend writes into entries' details,
// as Japanese readers read them (longest first).
var auditDetails = []struct{ en, key string }{
	{"wrong address or password", "audit.d.wrongpass"},
	{"oidc: not in the directory", "audit.d.notindir"},
	{"not in the directory", "audit.d.notindir"},
	{"waiting: too many failures", "audit.d.throttled"},
	{"own message", "audit.d.own"},
	{"approval", "audit.d.approval"},
	{"via link", "audit.d.link"},
	{"without ", "audit.d.without"},
	{"sender ", "audit.d.sender"},
	{"password", "audit.d.password"},
	{"oidc", "audit.d.oidc"},
}

func detailText(lang, d string) string {
	if lang != "ja" || d == "" {
		return d
	}
	for _, p := range auditDetails {
		d = strings.ReplaceAll(d, p.en, tr(lang, p.key))
	}
	return d
}

// targetText names the message an entry is about for the audit page:
// "subject" (sender) as recorded with the entry, else as the spool still
// has it (entries written before), the sender alone once a finished
// message has dropped its subject; "" when the target is not a message.
func (w *Web) targetText(r *http.Request, lang string, e audit.Entry) string {
	if subj, sender, ok := audit.SplitAbout(e.About); ok {
		if subj == "" {
			return tr(lang, "audit.mailfrom", sender)
		}
		return tr(lang, "audit.mail", subj, sender)
	}
	id := e.Target
	if id == "" || strings.ContainsAny(id, ":@ ") {
		return ""
	}
	it, err := w.o.Held.Get(r.Context(), id, held.SenderView)
	if err != nil {
		return ""
	}
	subj := it.Subject
	if subj == "" {
		return tr(lang, "audit.mailfrom", it.Sender)
	}
	return tr(lang, "audit.mail", subj, it.Sender)
}

const auditPage = 100

func (w *Web) auditPage(rw http.ResponseWriter, r *http.Request, q *req) {
	v := r.URL.Query()
	d := auditData{Actor: v.Get("actor"), Action: v.Get("action"), Department: v.Get("department"), Target: v.Get("target"),
		Since: v.Get("since"), Until: v.Get("until"), Actions: audit.Actions}
	f := audit.Filter{Actor: d.Actor, Action: d.Action, Department: d.Department, Target: d.Target, Limit: auditPage}
	bad := false
	if d.Since != "" {
		t, err := time.ParseInLocation("2006-01-02", d.Since, w.o.Location)
		f.Since, bad = t, bad || err != nil
	}
	if d.Until != "" {
		t, err := time.ParseInLocation("2006-01-02", d.Until, w.o.Location)
		f.Until, bad = t.AddDate(0, 0, 1), bad || err != nil
	}
	if s := v.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		f.Before, bad = n, bad || err != nil
	}
	if bad {
		w.render(rw, r, q, http.StatusBadRequest, "audit", page{Title: "title.audit", Error: "err.badinput", Data: d})
		return
	}
	entries, err := w.o.Audit.Query(r.Context(), f)
	if err != nil {
		w.internal(rw, r, q, err)
		return
	}
	for _, e := range entries {
		d.Entries = append(d.Entries, auditRow{Entry: e, TargetText: w.targetText(r, q.lang, e), DetailText: detailText(q.lang, e.Detail)})
	}
	if len(entries) == auditPage {
		nv := r.URL.Query()
		nv.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		d.Next = "/audit?" + nv.Encode()
	}
	w.render(rw, r, q, http.StatusOK, "audit", page{Title: "title.audit", Data: d})
}
