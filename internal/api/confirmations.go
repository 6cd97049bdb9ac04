package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/feedback"
	"github.com/misend/misend/internal/stamp"
)

// ConfirmationReq asks for a confirmation stamp: the signed-in sender
// confirmed these recipients of a draft in an add-in.
type ConfirmationReq struct {
	// From is the draft's From; the signed-in person's address when
	// empty. It must be theirs (an address or alias of the same person).
	From string `json:"from,omitempty"`
	// MessageID binds the stamp to the message when the client knows its
	// Message-ID; else DraftID names the draft (Outlook assigns the
	// Message-ID only after Send).
	MessageID  string   `json:"message_id,omitempty"`
	DraftID    string   `json:"draft_id,omitempty"`
	Recipients []string `json:"recipients"`
}

// Confirmation is the stamp for the client to set on the message.
type Confirmation struct {
	Header     string    `json:"header"`
	Value      string    `json:"value"`
	Expires    time.Time `json:"expires"`
	Recipients []string  `json:"recipients"`
}

// confirmation issues a stamp for the signed-in sender's own draft and
// records each confirmation as feedback, as the web confirm page does.
// Only the person who sends may vouch for their recipients: an operator
// gets no stamp for someone else's mail.
func (a *API) confirmation(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if a.o.Stamps == nil {
		return errUnavailable("confirmation stamps")
	}
	// Each stamp writes feedback: the drafts' limit bounds it too.
	if wait := a.checks.take(r); wait > 0 {
		return errRateLimited(w, wait)
	}
	var req ConfirmationReq
	if err := decode(r, &req, false); err != nil {
		return err
	}
	if req.From != "" {
		addr, err := addrSpec("from", req.From)
		if err != nil {
			return err
		}
		if !a.ownAddress(p, addr) {
			return errNotOwnAddress(addr)
		}
	}
	if req.MessageID == "" && req.DraftID == "" {
		return errBadRequest("give message_id or draft_id")
	}
	if req.MessageID != "" {
		if err := msgID("message_id", req.MessageID); err != nil {
			return err
		}
	} else if err := msgID("draft_id", req.DraftID); err != nil {
		return err
	}
	if len(req.Recipients) == 0 || len(req.Recipients) > stamp.MaxRecipients {
		return errBadRequest(fmt.Sprintf("recipients: 1 to %d confirmed addresses", stamp.MaxRecipients))
	}
	rcpts := make([]string, 0, len(req.Recipients))
	for i, s := range req.Recipients {
		addr, err := addrSpec(fmt.Sprintf("recipients[%d]", i), s)
		if err != nil {
			return err
		}
		rcpts = append(rcpts, addr)
	}
	now := a.o.Now()
	ttl := a.o.StampTTL
	if ttl <= 0 {
		ttl = stamp.DefaultTTL
	}
	// The stamp names the person, not the address the draft is from: the
	// gateway settles who sent a message the same way.
	sender := a.person(p.Address)
	c := stamp.Claim{Sender: sender, MessageID: req.MessageID, DraftID: req.DraftID, Issued: now, Expires: now.Add(ttl), Recipients: rcpts}
	v, err := a.o.Stamps.Sign(c)
	switch {
	case errors.Is(err, stamp.ErrTooLarge):
		return errBadRequest("too many confirmed recipients for one stamp")
	case err != nil:
		return errBadRequest(err.Error())
	}
	if a.o.Feedback != nil {
		id := strings.Trim(req.MessageID, "<>")
		if id == "" {
			id = req.DraftID
		}
		for _, rc := range rcpts {
			e := feedback.Event{At: now, Kind: feedback.Confirmed, MessageID: id, Sender: sender,
				Department: p.Department, Recipient: rc, By: p.Address}
			if err := a.o.Feedback.Record(r.Context(), e); err != nil {
				// The stamp stands: the sender did confirm; a lost
				// feedback line must not make them confirm twice.
				a.o.Log.Warn("api: record confirmation", "message_id", id, "err", err)
			}
		}
	}
	return writeJSON(w, http.StatusCreated, Confirmation{Header: stamp.Header, Value: v, Expires: c.Expires.UTC(), Recipients: rcpts})
}

// person is the main address of the person addr belongs to, lower-cased.
func (a *API) person(addr string) string {
	if a.o.People == nil {
		return strings.ToLower(strings.TrimSpace(addr))
	}
	return strings.ToLower(a.o.People.PersonOf(addr))
}

// ownAddress reports whether addr is the signed-in person's own address or one
// of their aliases: people, not strings, are compared.
func (a *API) ownAddress(p *auth.Principal, addr string) bool {
	return a.person(addr) == a.person(p.Address)
}

// errNotOwnAddress refuses a draft from an address that is not the
// signed-in person's: a shared mailbox, another person's alias, or a
// delegate's send-as. The gateway still decides on such mail when it is
// sent.
func errNotOwnAddress(addr string) *Error {
	return errForbidden(fmt.Sprintf("%s is not an address of yours: misend checks drafts only from your own address or your aliases; mail sent from a shared mailbox or as another person is checked by the mail gateway when it is sent", addr))
}
