package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/decide"
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
	from, sender := p.Address, strings.ToLower(p.Address)
	if d.From != "" {
		addr, err := addrSpec("from", d.From)
		if err != nil {
			return err
		}
		if !a.ownAddress(p, addr) && !p.Has(auth.RoleOperator) {
			return errNotOwnAddress(addr)
		}
		from, sender = d.From, addr
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
	if _, err := mail.Parse(bytes.NewReader(raw), mail.Limits{}); err != nil {
		return errBadRequest("the draft cannot be read as a message: " + err.Error())
	}
	// The composed draft names every recipient (Bcc too), as the
	// envelope would. The signed-in person is who sends it, as a SASL
	// login is at the gateway, unless an operator checks a draft on
	// someone's behalf.
	env := decide.Envelope{From: sender, At: now}
	if a.ownAddress(p, sender) {
		env.Login = p.Address
	}
	res, err := a.decide(r, env, raw)
	if err != nil {
		return err
	}
	a.record(r, res, now)
	out := res.Outcome()
	if !operator {
		out.Findings = finding.SenderView(out.Findings)
	}
	out.Findings = localized(out.Findings, lang)
	return writeJSON(w, http.StatusOK, out)
}

// decide runs the one decision path; a detector panic is an internal
// error for this caller, never a crash of the server, and so is a
// fail-safe decision: a draft that could not be checked is not answered
// with a verdict the sender would take for misend's opinion of it.
func (a *API) decide(r *http.Request, env decide.Envelope, raw []byte) (res decide.Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "the draft could not be checked", err: fmt.Errorf("check panicked: %v", v)}
		}
	}()
	res = a.o.Check.Decide(r.Context(), env, raw)
	if res.Err != nil {
		return res, &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "the draft could not be checked", err: res.Err}
	}
	return res, nil
}

// record writes the decision to the decisions log (operator view, as every
// entrance records it), so reports and feedback on drafts line up with
// gateway mail. A lost record is logged, not returned: the sender still
// gets the verdict.
func (a *API) record(r *http.Request, res decide.Result, now time.Time) {
	if a.o.Decisions == nil {
		return
	}
	rec := decisions.Of(res, "api", now, "")
	if err := a.o.Decisions.Append(r.Context(), rec); err != nil {
		a.o.Log.Warn("api: record decision", "message_id", res.MessageID, "err", err)
	}
}
