package api

import (
	"errors"
	"net/http"
	"slices"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/queue"
)

// Who may do what with a waiting message:
//   - its sender: see it (sender view), read its body, confirm or drop
//     flagged recipients, cancel it, send a delayed message now;
//   - an approver of its department: see it (operator view), read its
//     body, release or reject it — but not release their own held mail;
//   - operators, auditors, admins: see every waiting message's metadata
//     (operator view) but not bodies, and act on none.
//
// A message the caller may not see answers 404, as if it did not exist.
// held.Service checks each action again, as people (an alias is its
// owner), and records it in the audit log before it takes effect.

func (a *API) owns(p *auth.Principal, it held.Item) bool { return a.o.Held.Sent(it, p) }

func oversees(p *auth.Principal) bool { return p.Any(overseers...) }

func (a *API) canSee(p *auth.Principal, it held.Item) bool {
	return a.owns(p, it) || a.decides(p, it) || oversees(p)
}

// decides reports whether p approves it: an approver of its department,
// or someone its request was passed on to because nobody decided.
func (a *API) decides(p *auth.Principal, it held.Item) bool {
	return p.ApprovesDepartment(it.Department) || a.o.Held.MayDecide(it, p)
}

// actor is the caller acting on held mail; the token's principal was
// rebuilt from the directory for this request.
func (a *API) actor(r *http.Request, p *auth.Principal) held.Actor {
	return held.Actor{Principal: *p, Via: "api", Remote: a.o.TrustedProxies.Of(r)}
}

// viewFor keeps confidential-list terms from anyone who is only the sender.
func viewFor(p *auth.Principal, it held.Item) held.View {
	if p.ApprovesDepartment(it.Department) || oversees(p) {
		return held.OperatorView
	}
	return held.SenderView
}

// viewOf is viewFor, also for someone a held message was passed on to.
func (a *API) viewOf(p *auth.Principal, it held.Item) held.View {
	if a.o.Held.MayDecide(it, p) {
		return held.OperatorView
	}
	return viewFor(p, it)
}

func (a *API) heldOr503() error {
	if a.o.Held == nil {
		return errUnavailable("held mail")
	}
	return nil
}

type heldList struct {
	Items []held.Item `json:"items"`
}

// heldList answers ?scope=own (default), department (an approver's
// departments, or one of them with ?department=) or all (operators,
// auditors, admins).
func (a *API) heldList(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := a.heldOr503(); err != nil {
		return err
	}
	ctx := r.Context()
	q := r.URL.Query()
	dept := q.Get("department")
	var items []held.Item
	var err error
	switch q.Get("scope") {
	case "", "own":
		items, err = a.o.Held.ForSender(ctx, p.Address, held.SenderView)
	case "department":
		switch {
		case dept != "" && !p.ApprovesDepartment(dept):
			return errForbidden("you do not approve mail of that department")
		case dept != "":
			items, err = a.o.Held.ForDepartments(ctx, []string{dept}, held.OperatorView)
		case p.ApprovesOrganization:
			items, err = a.o.Held.All(ctx, held.OperatorView)
		case p.Has(auth.RoleApprover):
			// Their departments' held mail and what was passed on to them.
			items, err = a.o.Held.All(ctx, held.OperatorView)
			items = slices.DeleteFunc(items, func(it held.Item) bool { return !a.decides(p, it) })
		default:
			return errForbidden("only approvers see their departments' held mail")
		}
	case "all":
		if !oversees(p) && !p.ApprovesOrganization {
			return errForbidden("only operators, auditors and admins see all held mail")
		}
		items, err = a.o.Held.All(ctx, held.OperatorView)
		if err == nil && dept != "" {
			items = slices.DeleteFunc(items, func(it held.Item) bool { return it.Department != dept })
		}
	default:
		return errBadRequest("scope must be own, department or all")
	}
	if err != nil {
		return err
	}
	if items == nil {
		items = []held.Item{}
	}
	lang, err := langOf(r)
	if err != nil {
		return err
	}
	for i := range items {
		items[i].Findings = localized(items[i].Findings, lang)
	}
	return writeJSON(w, http.StatusOK, heldList{items})
}

// item loads a message the caller may see, in the caller's view.
func (a *API) item(r *http.Request, p *auth.Principal) (held.Item, error) {
	if err := a.heldOr503(); err != nil {
		return held.Item{}, err
	}
	id := r.PathValue("id")
	it, err := a.o.Held.Get(r.Context(), id, held.OperatorView)
	if err != nil {
		return held.Item{}, heldError(err)
	}
	if !a.canSee(p, it) {
		return held.Item{}, errNotFound("no such held message")
	}
	if a.viewOf(p, it) == held.SenderView {
		it, err = a.o.Held.Get(r.Context(), id, held.SenderView)
		if err != nil {
			return held.Item{}, heldError(err)
		}
	}
	return it, nil
}

func (a *API) heldGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	it, err := a.item(r, p)
	if err != nil {
		return err
	}
	lang, err := langOf(r)
	if err != nil {
		return err
	}
	it.Findings = localized(it.Findings, lang)
	return writeJSON(w, http.StatusOK, it)
}

// heldBody returns the raw message to its sender or an approver of its
// department; the read is audited by held.Service before the body leaves.
func (a *API) heldBody(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	it, err := a.item(r, p)
	if err != nil {
		return err
	}
	if !a.owns(p, it) && !a.decides(p, it) {
		return errForbidden("only the sender and the department's approvers may read a held message")
	}
	body, err := a.o.Held.Body(r.Context(), it.ID, a.actor(r, p), "api")
	if err != nil {
		return heldError(err)
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", `attachment; filename="`+it.ID+`.eml"`)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	return nil
}

type recipientsReq struct {
	Recipient  string   `json:"recipient,omitempty"`
	Recipients []string `json:"recipients,omitempty"`
}

func (q recipientsReq) list() []string {
	out := slices.Clone(q.Recipients)
	if q.Recipient != "" {
		out = append(out, q.Recipient)
	}
	return out
}

// heldConfirm is the sender's confirmation. Each flagged recipient is named
// on purpose: there is no "confirm everything" shortcut while a finding
// names a recipient. A message whose findings name no recipient is
// confirmed as a whole with an empty body.
func (a *API) heldConfirm(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	it, err := a.ownItem(r, p)
	if err != nil {
		return err
	}
	var req recipientsReq
	if err := decode(r, &req, true); err != nil {
		return err
	}
	rcpts := req.list()
	var after held.Item
	flagged := slices.ContainsFunc(it.Recipients, func(rc held.Recipient) bool { return rc.Flagged })
	if len(rcpts) > maxRecipients {
		return errBadRequest("too many recipients")
	}
	if len(rcpts) == 0 {
		if flagged {
			return &Error{Status: http.StatusUnprocessableEntity, Code: CodeRecipientsNeeded, Message: "name each flagged recipient you confirm"}
		}
		if after, err = a.o.Held.Confirm(r.Context(), it.ID, a.actor(r, p)); err != nil {
			return heldError(err)
		}
	}
	for _, rc := range rcpts {
		if after, err = a.o.Held.ConfirmRecipient(r.Context(), it.ID, rc, a.actor(r, p)); err != nil {
			return heldError(err)
		}
	}
	return a.answer(w, r, p, after)
}

func (a *API) heldDrop(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	it, err := a.ownItem(r, p)
	if err != nil {
		return err
	}
	var req recipientsReq
	if err := decode(r, &req, false); err != nil {
		return err
	}
	rcpts := req.list()
	if len(rcpts) == 0 || len(rcpts) > maxRecipients {
		return errBadRequest("name the recipients to drop")
	}
	var after held.Item
	for _, rc := range rcpts {
		if after, err = a.o.Held.DropRecipient(r.Context(), it.ID, rc, a.actor(r, p)); err != nil {
			return heldError(err)
		}
	}
	return a.answer(w, r, p, after)
}

func (a *API) heldCancel(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	it, err := a.ownItem(r, p)
	if err != nil {
		return err
	}
	after, err := a.o.Held.Cancel(r.Context(), it.ID, a.actor(r, p))
	if err != nil {
		return heldError(err)
	}
	return a.answer(w, r, p, after)
}

// heldRelease: an approver of the message's department, or its sender when
// it is only delayed (sending it now rather than waiting).
func (a *API) heldRelease(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	it, err := a.item(r, p)
	if err != nil {
		return err
	}
	// A sender's own held mail is for held to judge: released by them
	// only in a department without approvers, after its delay.
	if !a.decides(p, it) && !(a.owns(p, it) && (it.State == queue.Delayed || it.State == queue.Held)) {
		return errForbidden("only an approver of the sender's department may release this message")
	}
	after, err := a.o.Held.Release(r.Context(), it.ID, a.actor(r, p), "")
	if err != nil {
		return heldError(err)
	}
	return a.answer(w, r, p, after)
}

type rejectReq struct {
	Comment string `json:"comment"`
}

func (a *API) heldReject(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	it, err := a.item(r, p)
	if err != nil {
		return err
	}
	if !a.decides(p, it) {
		return errForbidden("only an approver of the sender's department may reject this message")
	}
	var req rejectReq
	if err := decode(r, &req, true); err != nil {
		return err
	}
	if len(req.Comment) > 2000 {
		return errBadRequest("comment: at most 2000 bytes")
	}
	after, err := a.o.Held.Reject(r.Context(), it.ID, a.actor(r, p), req.Comment)
	if err != nil {
		return heldError(err)
	}
	return a.answer(w, r, p, after)
}

// ownItem loads a message the caller sent; anyone else's is 404 or 403.
func (a *API) ownItem(r *http.Request, p *auth.Principal) (held.Item, error) {
	it, err := a.item(r, p)
	if err != nil {
		return held.Item{}, err
	}
	if !a.owns(p, it) {
		return held.Item{}, errForbidden("only the sender may do this")
	}
	return it, nil
}

// answer returns the message as the action left it, in the caller's view.
// (Reading it again could show a later state: delivery starts at once.)
func (a *API) answer(w http.ResponseWriter, r *http.Request, p *auth.Principal, it held.Item) error {
	if viewFor(p, it) == held.SenderView {
		it.Findings = finding.SenderView(it.Findings)
	}
	// The action is done: an unknown lang answers in English rather than
	// make it look failed.
	lang, _ := langOf(r)
	it.Findings = localized(it.Findings, lang)
	return writeJSON(w, http.StatusOK, it)
}

func heldError(err error) error {
	switch {
	case errors.Is(err, held.ErrNotFound):
		return errNotFound("no such held message")
	case errors.Is(err, held.ErrOwnMessage):
		// Four eyes: an approver's own held mail needs another approver.
		return errForbidden("another approver must release or reject your own held mail")
	case errors.Is(err, held.ErrNotAllowed):
		return errForbidden("you may not do this to this message")
	case errors.Is(err, held.ErrState):
		return &Error{Status: http.StatusConflict, Code: CodeConflict, Message: "the message is no longer waiting for this", err: err}
	case errors.Is(err, held.ErrNotRecipient):
		return &Error{Status: http.StatusUnprocessableEntity, Code: CodeNotRecipient, Message: "not a recipient of this message"}
	case errors.Is(err, held.ErrNotFlagged):
		return &Error{Status: http.StatusUnprocessableEntity, Code: CodeNotFlagged, Message: "this recipient needs no confirmation"}
	case errors.Is(err, held.ErrNoAudit):
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "bodies are not shown: no audit log is configured"}
	}
	return err
}
