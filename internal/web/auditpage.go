package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/misend/misend/internal/audit"
)

type auditData struct {
	Actor, Action, Department, Target, Since, Until string
	Actions                                         []string
	Entries                                         []audit.Entry
	Next                                            string // URL of the next (older) page
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
	var err error
	if d.Entries, err = w.o.Audit.Query(r.Context(), f); err != nil {
		w.internal(rw, r, q, err)
		return
	}
	if len(d.Entries) == auditPage {
		nv := r.URL.Query()
		nv.Set("before", strconv.FormatInt(d.Entries[len(d.Entries)-1].ID, 10))
		d.Next = "/audit?" + nv.Encode()
	}
	w.render(rw, r, q, http.StatusOK, "audit", page{Title: "title.audit", Data: d})
}
