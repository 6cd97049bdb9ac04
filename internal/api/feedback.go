package api

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/feedback"
	"github.com/misend/misend/internal/finding"
)

// FeedbackReq is a sender's answer about mail that was not held: a draft an
// add-in checked, or a warned message that went out.
type FeedbackReq struct {
	MessageID string         `json:"message_id"`
	Kind      feedback.Kind  `json:"kind"`
	Recipient string         `json:"recipient,omitempty"`
	Codes     []finding.Code `json:"codes,omitempty"`
}

// Senders answer only for themselves, and only these kinds: releases and
// rejections are approvers' and come from actions on held mail.
var senderKinds = []feedback.Kind{feedback.Confirmed, feedback.Reported, feedback.Dropped, feedback.Cancelled}

var codeRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)

func (a *API) feedback(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if a.o.Feedback == nil {
		return errUnavailable("feedback")
	}
	var req FeedbackReq
	if err := decode(r, &req, false); err != nil {
		return err
	}
	ok := false
	for _, k := range senderKinds {
		ok = ok || req.Kind == k
	}
	if !ok {
		return errBadRequest("kind must be confirmed, reported, dropped or cancelled")
	}
	if err := msgID("message_id", req.MessageID); err != nil {
		return err
	}
	rcpt := ""
	if req.Recipient != "" {
		var err error
		if rcpt, err = addrSpec("recipient", req.Recipient); err != nil {
			return err
		}
	}
	if (req.Kind == feedback.Confirmed || req.Kind == feedback.Dropped) && rcpt == "" {
		return errBadRequest(string(req.Kind) + " needs the recipient")
	}
	if len(req.Codes) > 32 {
		return errBadRequest("at most 32 codes")
	}
	for _, c := range req.Codes {
		if !codeRE.MatchString(string(c)) {
			return errBadRequest("codes are upper-case finding codes such as SIMILAR_CONTACT")
		}
	}
	e := feedback.Event{At: a.o.Now(), Kind: req.Kind, MessageID: strings.Trim(req.MessageID, "<>"),
		Sender: strings.ToLower(p.Address), Department: p.Department, Recipient: rcpt, By: p.Address, Codes: req.Codes}
	if err := a.o.Feedback.Record(r.Context(), e); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, struct {
		Recorded bool `json:"recorded"`
	}{true})
}
