package milter

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"slices"
	"strconv"
	"strings"

	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/stamp"
)

// Replies. The client-facing text stays generic: the reason is in the
// sender's notification and the decision log, never in an SMTP reply that
// may travel anywhere.
var (
	replyReject   = replyText("550 5.7.1 Message refused by the organisation's mail policy")
	replyTempFail = replyText("451 4.3.0 Message could not be checked now; try again later")
	replyTooBig   = replyText("552 5.3.4 Message too big")
	// Refused rather than rewritten: what misend checked is what leaves
	// (see gateway's errBareCRorNUL).
	replyBareCRorNUL = replyText("550 5.6.0 Message contains a bare CR or a NUL octet, which RFC 5322 does not allow; encode it (quoted-printable or base64)")
	// Recipients are taken without an answer (see protocol), so these
	// refuse the whole message at its end, and permanently: a retry
	// would bring the same recipients.
	replyRouted  = replyText("553 5.1.3 A recipient address is a route (%, !, @ in the local part or a source route); send to the mailbox itself")
	replyTooMany = replyText("552 5.5.3 Too many recipients for one message; send it to fewer at a time")
)

// errProtocol closes a connection whose peer does not follow the protocol.
var errProtocol = errors.New("milter: command out of order")

// session is the state of one message. It starts afresh after each final
// answer.
type session struct {
	srv *Server

	env      Envelope
	mailSeen bool
	// refused is the answer the end of the message gets whatever the
	// decision: a recipient misend must not let through, or more octets
	// than it keeps, were taken without an answer. Nothing more of a
	// refused message is kept.
	refused reply
	raw     bytes.Buffer
	// counts of our own headers in the incoming message, to remove them
	forged map[string]int
}

// Connect, MailFrom, RcptTo, Header, Headers and BodyChunk answer nothing (nil):
// the MTA does not wait for them (see protocol), and an answer it does not
// read would be taken as the answer to its next event.

func (s *session) Connect(addr net.IP) (reply, error) {
	s.env.Client = addr
	return nil, nil
}

func (s *session) Helo() (reply, error) {
	return respContinue, nil
}

func (s *session) MailFrom(from string, c *conn) (reply, error) {
	client := s.env.Client
	s.reset()
	s.env.Client = client
	s.mailSeen = true
	s.env.From = strings.ToLower(from)
	// Postfix sends {auth_authen} with MAIL FROM (milter_mail_macros).
	s.env.Login = strings.TrimSpace(cmp.Or(c.macro("{auth_authen}"), c.macro("auth_authen")))
	return nil, nil
}

func (s *session) RcptTo(rcpt string) (reply, error) {
	if !s.mailSeen {
		return nil, errProtocol
	}
	if s.refused != nil {
		return nil, nil
	}
	if _, routed := mail.Route(rcpt); routed {
		// Postfix would deliver a percent hack, a bang path or a quoted
		// '@' somewhere else than the mailbox it looks like; a source
		// route is refused too, as Postfix hands it over as written.
		s.refused = replyRouted
		return nil, nil
	}
	if len(s.env.To) >= s.srv.Limits.MaxRecipients {
		s.refused = replyTooMany
		return nil, nil
	}
	s.env.To = append(s.env.To, strings.ToLower(rcpt))
	return nil, nil
}

func (s *session) Header(name, value []byte) (reply, error) {
	if !s.mailSeen {
		return nil, errProtocol
	}
	if isOurs(name) {
		// A client's X-Misend-* header is a forged verdict: left out of
		// the copy misend decides on and keeps (a held message leaves
		// from it), and removed from Postfix's copy when it passes. A
		// confirmation stamp is read for the decision first.
		if bytes.EqualFold(name, []byte(stamp.Header)) && len(s.env.Stamps) < 8 {
			s.env.Stamps = append(s.env.Stamps, string(value))
		}
		if s.forged == nil {
			s.forged = make(map[string]int)
		}
		s.forged[textproto.CanonicalMIMEHeaderKey(string(name))]++
		return nil, nil
	}
	s.write(name)
	s.write([]byte(": "))
	// Postfix sends folded values with bare LF; the queue keeps CRLF.
	s.writeCRLF(value)
	s.write(crlf)
	return nil, nil
}

var crlf = []byte("\r\n")

func (s *session) Headers() (reply, error) {
	if !s.mailSeen {
		return nil, errProtocol
	}
	s.write(crlf)
	return nil, nil
}

func (s *session) BodyChunk(chunk []byte) (reply, error) {
	if !s.mailSeen {
		return nil, errProtocol
	}
	s.write(chunk)
	return nil, nil
}

// fits reports whether n more octets are to be kept: not for a message
// already refused, nor past the size limit, which refuses it.
func (s *session) fits(n int) bool {
	if s.refused == nil && s.raw.Len()+n > s.srv.Limits.MaxMessageBytes {
		s.refused = replyTooBig
		if s.raw.Cap() > 0 {
			s.raw = bytes.Buffer{}
		}
	}
	return s.refused == nil
}

func (s *session) write(p []byte) {
	if s.fits(len(p)) {
		s.raw.Write(p)
	}
}

// writeCRLF writes v with every line ending (LF or CRLF) as CRLF, without
// building the converted copy first.
func (s *session) writeCRLF(v []byte) {
	for len(v) > 0 {
		i := bytes.IndexByte(v, '\n')
		if i < 0 {
			s.write(v)
			return
		}
		s.write(bytes.TrimSuffix(v[:i], []byte("\r")))
		s.write(crlf)
		v = v[i+1:]
	}
}

func (s *session) Abort() error {
	client := s.env.Client
	s.reset()
	s.env.Client = client
	return nil
}

// reset starts a new message, keeping the buffer the last one grew.
func (s *session) reset() {
	raw := s.raw
	raw.Reset()
	if raw.Cap() > 256<<10 {
		raw = bytes.Buffer{}
	}
	*s = session{srv: s.srv, raw: raw}
}

// Body is the end of the message: decide and answer.
func (s *session) Body(c *conn) (reply, error) {
	if !s.mailSeen {
		return nil, errProtocol
	}
	if s.refused != nil {
		return s.refused, nil
	}
	srv := s.srv
	s.env.QueueID = c.macro("i")
	ctx := context.Background()
	raw := s.raw.Bytes()
	if mail.BareCROrNUL(raw) {
		return replyBareCRorNUL, nil
	}
	res := srv.Decider.Decide(ctx, s.env, raw)
	v := res.Decision.Verdict
	rec := decisions.Of(res, "milter", srv.Now(), s.env.From)

	var resp reply
	switch {
	case v == policy.Reject:
		resp = replyReject
	case v.Holds():
		if srv.Holder == nil {
			srv.Log.Error("milter: held verdict but no queue configured", "verdict", v, "message_id", res.MessageID)
			return replyTempFail, nil
		}
		hctx, cancel := context.WithTimeout(ctx, srv.Limits.HoldTimeout)
		id, err := srv.Holder.Hold(hctx, s.env, raw, res)
		cancel()
		if err != nil {
			// Not durable: Postfix keeps the message and retries.
			srv.Log.Error("milter: hold failed", "err", err, "message_id", res.MessageID, "verdict", v)
			return replyTempFail, nil
		}
		rec.QueueID = id
		resp = respDiscard
	default:
		if err := s.stamp(c, res); err != nil {
			return nil, fmt.Errorf("milter: add headers: %w", err)
		}
		resp = respAccept
		if srv.Accepted != nil {
			srv.Accepted(ctx, s.env, raw, res)
		}
	}
	if srv.Recorder != nil {
		if err := srv.Recorder.Append(ctx, rec); err != nil {
			// The verdict stands; a lost report line must not bounce mail.
			srv.Log.Warn("milter: record decision", "err", err, "message_id", res.MessageID)
		}
	}
	if srv.Log.Enabled(ctx, slog.LevelDebug) {
		// asked first: the arguments alone cost an allocation each
		srv.Log.Debug("milter: decided", "verdict", v, "decided", res.Decision.Decided, "rule", res.Decision.Rule,
			"score", res.Score, "message_id", res.MessageID, "queue_id", rec.QueueID, "mta_queue_id", s.env.QueueID)
	}
	return resp, nil
}

// stamp removes forged X-Misend-* headers and adds ours, when every
// recipient is inside the organisation (or StampOutside says so).
func (s *session) stamp(c *conn, res Result) error {
	for name, n := range s.forged {
		// Delete from the last so earlier indexes stay valid.
		for i := n; i >= 1; i-- {
			if err := c.changeHeader(i, name, ""); err != nil {
				return err
			}
		}
	}
	if res.Outside && !s.srv.StampOutside {
		// Outside recipients learn nothing of the verdict.
		return nil
	}
	if err := c.addHeader(HeaderVerdict, string(res.Decision.Verdict)); err != nil {
		return err
	}
	if err := c.addHeader(HeaderScore, strconv.FormatFloat(res.Score, 'f', 2, 64)); err != nil {
		return err
	}
	if res.Decision.Verdict == policy.Warn {
		if w := warning(res.Findings); w != "" {
			return c.addHeader(HeaderWarning, w)
		}
	}
	return nil
}

// warning names the findings of a warned message by their codes only.
// The header leaves with the message, so the recipients see it: a sentence
// would tell the wrong recipient whom the sender usually mails (the "did
// you mean" of SIMILAR_CONTACT) and a scope what is confidential. The
// sender gets the sentences in misend's notice.
func warning(fs []finding.Finding) string {
	var codes []string
	for _, f := range finding.SenderView(fs) {
		if c := string(f.Code); !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	return strings.Join(codes, ", ")
}

func isOurs(name []byte) bool {
	const prefix = "x-misend-"
	return len(name) >= len(prefix) && bytes.EqualFold(name[:len(prefix)], []byte(prefix))
}
