package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
)

// check decides on a draft and answers exactly what `misend check --json`
// prints for it. The draft is from the token's person unless an operator
// checks on someone's behalf; findings are in the sender view unless an
// operator asks for ?view=operator.
func (a *API) check(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if a.o.Check == nil {
		return errUnavailable("checking")
	}
	if wait := a.checks.take(r); wait > 0 {
		return errRateLimited(w, wait)
	}
	operator := false
	switch v := r.URL.Query().Get("view"); v {
	case "", "sender":
	case "operator":
		if !p.Has(auth.RoleOperator) {
			return errForbidden("only operators may ask for the operator view")
		}
		operator = true
	default:
		return errBadRequest("view must be sender or operator")
	}
	var d Draft
	if err := decode(r, &d, false); err != nil {
		return err
	}
	from := p.Address
	if d.From != "" {
		addr, err := addrSpec("from", d.From)
		if err != nil {
			return err
		}
		if addr != strings.ToLower(p.Address) && !p.Has(auth.RoleOperator) {
			return errForbidden("you may check only drafts from your own address")
		}
		from = d.From
	}
	lang, err := langOf(r)
	if err != nil {
		return err
	}
	now := a.o.Now()
	raw, _, err := compose(d, from, now)
	if err != nil {
		return err
	}
	msg, err := mail.Parse(bytes.NewReader(raw), mail.Limits{})
	if err != nil {
		return errBadRequest("the draft cannot be read as a message: " + err.Error())
	}
	out, err := a.decide(msg, now)
	if err != nil {
		return err
	}
	a.record(r, msg, out, now)
	if !operator {
		out.Findings = finding.SenderView(out.Findings)
	}
	out.Findings = localized(out.Findings, lang)
	return writeJSON(w, http.StatusOK, out)
}

// decide runs the shared decision path; a detector panic is an internal
// error for this caller, never a crash of the server.
func (a *API) decide(msg *mail.Message, now time.Time) (out check.Outcome, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "the draft could not be checked", err: fmt.Errorf("check panicked: %v", v)}
		}
	}()
	return a.o.Check.Check(msg, now), nil
}

// record writes the decision to the decisions log (operator view, as every
// entrance records it), so reports and feedback on drafts line up with
// gateway mail. A lost record is logged, not returned: the sender still
// gets the verdict.
func (a *API) record(r *http.Request, msg *mail.Message, out check.Outcome, now time.Time) {
	if a.o.Decisions == nil {
		return
	}
	dept := ""
	if a.o.Check.Departments != nil {
		dept = a.o.Check.Departments.DepartmentOf(msg.From.Addr)
	}
	dec := a.o.Check.Policy.Evaluate(dept, out.Score, out.Findings)
	dec.Verdict = out.Verdict
	rec := decisions.Record{At: now, Via: "api", MessageID: out.MessageID, Sender: out.Sender, Department: dept,
		Decision: dec, Score: out.Score, Findings: out.Findings}
	if err := a.o.Decisions.Append(r.Context(), rec); err != nil {
		a.o.Log.Warn("api: record decision", "message_id", out.MessageID, "err", err)
	}
}
