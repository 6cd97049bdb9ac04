// Package decide holds the types of misend's one decision path, shared by
// the SMTP gateway and the milter: the envelope a message came with, the
// Result of deciding on it, and the Decider that produces it
// (milter.CheckDecider over check.Service is the real one).
//
// It deliberately holds no logic beyond reading a message's subject for
// notices: deciding is check and policy's job, carrying a verdict out is the
// gateway's, the milter's and the queue's.
package decide

import (
	"bufio"
	"bytes"
	"context"
	"mime"
	"net"
	"net/textproto"

	"github.com/emersion/go-message/charset"

	"github.com/misend/misend/internal/finding"
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
	// MTA (milter macro {auth_authen}) or the gateway's own AUTH knows it.
	Login string
}

// Result is a decision on one message.
type Result struct {
	MessageID  string
	Sender     string
	Subject    string // decoded, from the parse the decision made; "" when it could not parse
	Department string
	Decision   policy.Decision
	Score      float64
	Findings   []finding.Finding // operator view; filtered before anything reaches the sender
	Err        error             // detection failure behind a fail-safe decision
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
