package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/terms"
)

// authority answers terms.Store's questions about roles from the signed-in
// principal (which includes roles granted to a local account) and the
// directory for everyone else.
type authority struct {
	dir *directory.Directory
	p   *auth.Principal
}

func (a authority) HasRole(addr string, role directory.Role) bool {
	if strings.EqualFold(addr, a.p.Address) {
		return a.p.Has(role)
	}
	return a.dir.HasRole(addr, role)
}

// Person lets terms compare people, not addresses (an alias is its owner).
func (a authority) Person(addr string) (directory.Person, bool) { return a.dir.Person(addr) }

func (a authority) ApproversOfScope(scope string) []string {
	l := a.dir.ApproversOfScope(scope)
	if a.p.ApprovesScope(scope) && !slices.Contains(l, a.p.Address) {
		l = append(l, a.p.Address)
	}
	return l
}

// curator: operators and admins see and propose on every list.
func curator(p *auth.Principal) bool { return p.Any(auth.RoleOperator, auth.RoleAdmin) }

// visibleScopes are the lists p may read: every list for a curator, the
// approved scopes for an approver.
func (w *Web) visibleScopes(r *http.Request, p *auth.Principal) ([]terms.Scope, error) {
	all := []terms.Scope{"organization"}
	list, err := w.o.Terms.List(r.Context(), "")
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		all = append(all, t.Scope)
	}
	dir := w.Directory()
	for _, per := range dir.People() {
		all = append(all, terms.DepartmentScope(per.Department))
		for _, g := range per.Groups {
			all = append(all, terms.GroupScope(g))
		}
	}
	slices.Sort(all)
	all = slices.Compact(all)
	var out []terms.Scope
	for _, s := range all {
		if s == "department:" || s == "group:" {
			continue
		}
		if curator(p) || p.ApprovesScope(string(s)) {
			out = append(out, s)
		}
	}
	return out, nil
}

type termsData struct {
	Scopes     []terms.Scope
	Scope      terms.Scope
	Terms      []terms.Term
	Rule       terms.Rule
	Exceptions []terms.Exception
	Pending    []terms.Change
	History    []terms.Change
	CanPropose bool
	CanDecide  bool
	Form       proposeForm
}

type proposeForm struct {
	Action, Term, Weight, Note string
}

func (w *Web) termsPage(rw http.ResponseWriter, r *http.Request, q *req) {
	if w.o.Terms == nil {
		w.fail(rw, r, q, http.StatusNotFound, "err.noterms")
		return
	}
	scopes, err := w.visibleScopes(r, q.p)
	if err != nil {
		w.internal(rw, r, q, err)
		return
	}
	d := termsData{Scopes: scopes, CanPropose: curator(q.p)}
	if len(scopes) == 0 {
		w.render(rw, r, q, http.StatusOK, "terms", page{Title: "title.terms", Data: d})
		return
	}
	d.Scope = scopes[0]
	if s := r.URL.Query().Get("scope"); s != "" {
		sc, err := terms.ParseScope(s)
		if err != nil || !slices.Contains(scopes, sc) {
			w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
			return
		}
		d.Scope = sc
	}
	d.CanDecide = q.p.ApprovesScope(string(d.Scope))
	d.Form = proposeForm{Action: "add", Term: r.URL.Query().Get("term"), Weight: r.URL.Query().Get("weight"), Note: r.URL.Query().Get("note")}
	if a := r.URL.Query().Get("action"); a != "" {
		d.Form.Action = a
	}
	ctx := r.Context()
	if d.Terms, err = w.o.Terms.List(ctx, d.Scope); err == nil {
		if d.Rule, err = w.o.Terms.Rule(ctx, d.Scope); err == nil {
			var exc []terms.Exception
			if exc, err = w.o.Terms.Exceptions(ctx); err == nil {
				for _, e := range exc {
					if e.Scope == d.Scope {
						d.Exceptions = append(d.Exceptions, e)
					}
				}
				var changes []terms.Change
				if changes, err = w.o.Terms.Changes(ctx, d.Scope, false); err == nil {
					for _, c := range changes {
						if c.Status == terms.StatusPending {
							d.Pending = append(d.Pending, c)
						} else {
							d.History = append(d.History, c)
						}
					}
					slices.Reverse(d.History)
					d.History = d.History[:min(len(d.History), 20)]
				}
			}
		}
	}
	if err != nil {
		w.internal(rw, r, q, err)
		return
	}
	w.render(rw, r, q, http.StatusOK, "terms", page{Title: "title.terms", Notice: notice(r), Data: d})
}

func (w *Web) termsPropose(rw http.ResponseWriter, r *http.Request, q *req) {
	if w.o.Terms == nil {
		w.fail(rw, r, q, http.StatusNotFound, "err.noterms")
		return
	}
	sc, err := terms.ParseScope(r.PostFormValue("scope"))
	if err != nil {
		w.fail(rw, r, q, http.StatusBadRequest, "err.badinput")
		return
	}
	c := terms.Change{Scope: sc, Action: terms.Action(r.PostFormValue("action")), Term: strings.TrimSpace(r.PostFormValue("term")),
		Note: strings.TrimSpace(r.PostFormValue("note")), ProposedBy: q.p.Address}
	if c.Action != terms.ActionRemove {
		if c.Weight, err = strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("weight")), 64); err != nil {
			w.fail(rw, r, q, http.StatusBadRequest, "err.weight")
			return
		}
	}
	id, err := w.o.Terms.Propose(r.Context(), authority{w.Directory(), q.p}, c)
	if err != nil {
		if errors.Is(err, terms.ErrNotAllowed) {
			w.fail(rw, r, q, http.StatusForbidden, "err.forbidden")
			return
		}
		w.o.Log.Info("web: propose refused", "err", err)
		w.fail(rw, r, q, http.StatusBadRequest, "err.proposal")
		return
	}
	w.record(r.Context(), r, audit.Entry{Actor: q.p.Address, Role: "operator", Action: audit.TermPropose, Target: string(sc), Detail: fmt.Sprintf("change %d: %s", id, c.Action)})
	http.Redirect(rw, r, "/terms?done=proposed&scope="+urlQuery(string(sc)), http.StatusSeeOther)
}

func (w *Web) termsApprove(rw http.ResponseWriter, r *http.Request, q *req) {
	w.termsDecide(rw, r, q, true)
}

func (w *Web) termsReject(rw http.ResponseWriter, r *http.Request, q *req) {
	w.termsDecide(rw, r, q, false)
}

func (w *Web) termsDecide(rw http.ResponseWriter, r *http.Request, q *req, approve bool) {
	if w.o.Terms == nil {
		w.fail(rw, r, q, http.StatusNotFound, "err.noterms")
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	a := authority{w.Directory(), q.p}
	decide, action, done := w.o.Terms.Approve, audit.TermApprove, "approved"
	if !approve {
		decide, action, done = w.o.Terms.Reject, audit.TermReject, "refused"
	}
	c, err := decide(r.Context(), a, id, q.p.Address, note)
	switch {
	case err == nil:
	case errors.Is(err, terms.ErrOwnChange):
		w.fail(rw, r, q, http.StatusForbidden, "err.ownchange")
		return
	case errors.Is(err, terms.ErrNotAllowed):
		// Not an approver of that scope: as if the change did not exist.
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	case strings.Contains(err.Error(), "no such change"):
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	case strings.Contains(err.Error(), "already"):
		w.fail(rw, r, q, http.StatusConflict, "err.state")
		return
	default:
		w.internal(rw, r, q, err)
		return
	}
	w.record(r.Context(), r, audit.Entry{Actor: q.p.Address, Role: "approver", Action: action, Target: string(c.Scope), Detail: fmt.Sprintf("change %d: %s; %s", c.ID, c.Action, note)})
	http.Redirect(rw, r, "/terms?done="+done+"&scope="+urlQuery(string(c.Scope)), http.StatusSeeOther)
}

type recommendData struct {
	Scope  terms.Scope
	Scopes []terms.Scope
	Result terms.Result
	Ran    bool
}

// termsRecommend runs one recommendation round for a scope over the term
// index written at import time (misend import --index-terms).
func (w *Web) termsRecommend(rw http.ResponseWriter, r *http.Request, q *req) {
	if w.o.Terms == nil {
		w.fail(rw, r, q, http.StatusNotFound, "err.noterms")
		return
	}
	scopes, err := w.visibleScopes(r, q.p)
	if err != nil {
		w.internal(rw, r, q, err)
		return
	}
	d := recommendData{Scopes: scopes}
	s := r.URL.Query().Get("scope")
	if s == "" {
		w.render(rw, r, q, http.StatusOK, "recommend", page{Title: "title.recommend", Data: d})
		return
	}
	sc, err := terms.ParseScope(s)
	if err != nil || !slices.Contains(scopes, sc) {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	d.Scope, d.Ran = sc, true
	ctx := r.Context()
	list, err := w.o.Terms.List(ctx, sc)
	if err != nil {
		w.internal(rw, r, q, err)
		return
	}
	texts := make([]string, len(list))
	for i, t := range list {
		texts[i] = t.Text
	}
	dir := w.Directory()
	// With no directory every message counts for every scope.
	noDir := len(dir.People()) == 0
	corpora, err := w.o.Terms.IndexedCorpora(ctx, terms.IndexQuery{Lists: map[terms.Scope][]string{sc: texts}, Belongs: func(sc terms.Scope, from string) bool {
		if noDir {
			return true
		}
		switch sc.Kind() {
		case terms.Department:
			return dir.InDepartment(from, sc.Name())
		case terms.Group:
			return dir.InGroup(from, sc.Name())
		}
		return dir.IsInternal(from)
	}})
	if err != nil {
		w.internal(rw, r, q, err)
		return
	}
	th, err := w.o.Terms.Thesaurus(ctx)
	if err != nil {
		w.internal(rw, r, q, err)
		return
	}
	if c := corpora[sc]; c != nil {
		d.Result = terms.Recommend(c, list, terms.DefaultParams, th)
	}
	w.render(rw, r, q, http.StatusOK, "recommend", page{Title: "title.recommend", Data: d})
}

func urlQuery(s string) string { return url.QueryEscape(s) }
