// Package decide is misend's one decision path. The SMTP gateway, the
// milter, POST /api/v1/check and `misend check` all call Path.Decide
// (envelope + message → Result), so the same message and envelope get the
// same verdict whichever way they came in.
//
// Decide settles, once per message: who sent it (the SASL login, else the
// envelope sender, else the header From, each resolved to a person of the
// directory through their aliases); where each recipient really goes
// (routing tricks such as user%elsewhere@corp.example are judged at their
// real destination); the findings, with the confidential-term lists of
// both the sender and the header From's person, and the classification
// labels the recipients take out of their scope (package label, by the
// sender's department); the department whose policy applies (the stricter
// one when they differ); what the sender already confirmed in a
// mail-client add-in, from a verified confirmation stamp (stamp.go says
// what a stamp may lower and what it never does); and the fail-safe
// verdict when the message cannot be parsed, detection panics or the
// deadline passes.
//
// It does not score messages itself (a Detector does), speak SMTP or the
// milter protocol, store, relay or hold mail, send notices, or record
// decisions: carrying a verdict out is the gateway's, the milter's and the
// queue's job.
package decide

import (
	"bufio"
	"bytes"
	"context"
	"mime"
	"net"
	"net/textproto"
	"time"

	"github.com/emersion/go-message/charset"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
)

// Envelope is what the client or MTA told us about a message besides its
// content.
type Envelope struct {
	From    string   // MAIL FROM address, without angle brackets; "" for bounces
	To      []string // RCPT TO addresses
	Client  net.IP   // SMTP client of the MTA, if known
	QueueID string   // the MTA's queue id (milter macro "i"), if sent
	// Login is the SASL login the message was submitted under, when the
	// MTA (milter macro {auth_authen}) or the gateway's own AUTH knows it;
	// for the HTTP API, the signed-in person.
	Login string
	// At is when the message is sent; zero means now. `misend check`
	// judges a message of the past as of its Date.
	At time.Time
	// Stamps are the values of the message's X-Misend-Confirmed fields
	// (package stamp), read before the gateway or the milter strips every
	// X-Misend-* field: the decision must see them, what leaves must not.
	Stamps []string
}

// Result is a decision on one message: misend's one decision type. Its
// public JSON form is Outcome.
type Result struct {
	MessageID string
	// Sender is who sent the message: the person of the directory it was
	// resolved to (their main address), else the envelope sender or From
	// as written. SenderKnown tells which.
	Sender      string
	SenderKnown bool
	Subject     string // decoded, from the parse the decision made; "" when it could not parse
	Department  string
	Decision    policy.Decision
	Score       float64
	Findings    []finding.Finding // operator view; filtered before anything reaches the sender
	// Outside is set when a recipient is outside the organisation (or its
	// address is a route that may leave it): anything added to the
	// message is seen there.
	Outside bool
	// Stamps is what became of each confirmation stamp the message
	// carried: stamp.Reason ("valid", "forged", "expired", …), in order.
	Stamps []string
	Err    error // detection failure behind a fail-safe decision
	// Features is the vector the score came from, when the Detector is a
	// ContextDetector, and FeatureSet names its features: kept with the
	// decision for refitting (package refit), shown to nobody.
	Features   []float64
	FeatureSet string
	// Message is the message as parsed for the decision (before the
	// envelope was applied to it), nil when it could not be parsed or
	// the Decider does not parse. Whoever the Result is handed to may
	// keep it, but only one of them may change it: the server hands it
	// to learning from passed mail, which then need not parse the
	// message again.
	Message *mail.Message `json:"-"`
}

// Decider decides on one message. It must return promptly and must not fail
// silently: a detection problem is a fail-safe Result with Err set.
type Decider interface {
	Decide(ctx context.Context, env Envelope, raw []byte) Result
}

// SubjectFor returns r's Subject, else reads it from raw: a message that
// failed to parse still has a subject for the people asked about it.
func (r Result) SubjectFor(raw []byte) string {
	if r.Subject != "" {
		return r.Subject
	}
	return SubjectOf(raw)
}

// SubjectOf returns the decoded Subject of raw, for results without one
// (a message that failed to parse); "" when it has none or the
// header block cannot be read. It reads at most the first 64 KiB.
func SubjectOf(raw []byte) string {
	if len(raw) > 64<<10 {
		raw = raw[:64<<10]
	}
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(raw)
	}
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(raw[:end:end], "\r\n\r\n"...)))).ReadMIMEHeader()
	if err != nil && h == nil {
		return ""
	}
	s := h.Get("Subject")
	if dec, err := (&mime.WordDecoder{CharsetReader: charset.Reader}).DecodeHeader(s); err == nil {
		return dec
	}
	return s
}
