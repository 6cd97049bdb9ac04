package milter

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"slices"
	"strconv"
	"strings"

	gomilter "github.com/emersion/go-milter"

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
	replyReject   = gomilter.NewResponseStr('y', "550 5.7.1 Message refused by the organisation's mail policy")
	replyTempFail = gomilter.NewResponseStr('y', "451 4.3.0 Message could not be checked now; try again later")
	replyTooBig   = gomilter.NewResponseStr('y', "552 5.3.4 Message too big")
	replyTooMany  = gomilter.NewResponseStr('y', "452 4.5.3 Too many recipients")
	// Refused rather than rewritten: what misend checked is what leaves
	// (see gateway's errBareCRorNUL).
	replyBareCRorNUL = gomilter.NewResponseStr('y', "550 5.6.0 Message contains a bare CR or a NUL octet, which RFC 5322 does not allow; encode it (quoted-printable or base64)")
	replyRouted      = gomilter.NewResponseStr('y', "553 5.1.3 Recipient address is a route (%, !, @ in the local part or a source route); send to the mailbox itself")
)

// errProtocol closes a connection whose peer does not follow the protocol.
var errProtocol = errors.New("milter: command out of order")

// session is the state of one message. go-milter makes a fresh one after
// each final answer.
type session struct {
	srv *Server

	env      Envelope
	mailSeen bool
	tooBig   bool
	raw      bytes.Buffer
	// counts of our own headers in the incoming message, to remove them
	forged map[string]int
}

var _ gomilter.Milter = (*session)(nil)

// Connect, MailFrom, Header, Headers and BodyChunk answer nothing (nil):
// the MTA does not wait for them (see protocol), and an answer it does not
// read would be taken as the answer to its next event.

func (s *session) Connect(host, family string, port uint16, addr net.IP, m *gomilter.Modifier) (gomilter.Response, error) {
	s.env.Client = addr
	return nil, nil
}

func (s *session) Helo(name string, m *gomilter.Modifier) (gomilter.Response, error) {
	return gomilter.RespContinue, nil
}

func (s *session) MailFrom(from string, m *gomilter.Modifier) (gomilter.Response, error) {
	client := s.env.Client
	s.reset()
	s.env.Client = client
	s.mailSeen = true
	s.env.From = strings.ToLower(from)
	if m != nil {
		// Postfix sends {auth_authen} with MAIL FROM (milter_mail_macros).
		s.env.Login = strings.TrimSpace(cmp.Or(m.Macros["{auth_authen}"], m.Macros["auth_authen"]))
	}
	return nil, nil
}

func (s *session) RcptTo(rcpt string, m *gomilter.Modifier) (gomilter.Response, error) {
	if !s.mailSeen {
		return nil, errProtocol
	}
	if len(s.env.To) >= s.srv.Limits.MaxRecipients {
		return replyTooMany, nil
	}
	if _, routed := mail.Route(rcpt); routed {
		// Postfix would deliver a percent hack, a bang path or a quoted
		// '@' somewhere else than the mailbox it looks like; a source
		// route is refused too, as Postfix hands it over as written.
		return replyRouted, nil
	}
	s.env.To = append(s.env.To, strings.ToLower(rcpt))
	return gomilter.RespContinue, nil
}

func (s *session) Header(name, value string, m *gomilter.Modifier) (gomilter.Response, error) {
	if !s.mailSeen {
		return nil, errProtocol
	}
	if isOurs(name) {
		// A client's X-Misend-* header is a forged verdict: left out of
		// the copy misend decides on and keeps (a held message leaves
		// from it), and removed from Postfix's copy when it passes. A
		// confirmation stamp is read for the decision first.
		if strings.EqualFold(name, stamp.Header) && len(s.env.Stamps) < 8 {
			s.env.Stamps = append(s.env.Stamps, value)
		}
		if s.forged == nil {
			s.forged = make(map[string]int)
		}
		s.forged[textproto.CanonicalMIMEHeaderKey(name)]++
		return nil, nil
	}
	s.write(name)
	s.write(": ")
	// Postfix sends folded values with bare LF; the queue keeps CRLF.
	s.writeCRLF(value)
	s.write("\r\n")
	return nil, nil
}

func (s *session) Headers(h textproto.MIMEHeader, m *gomilter.Modifier) (gomilter.Response, error) {
	if !s.mailSeen {
		return nil, errProtocol
	}
	s.write("\r\n")
	return nil, nil
}

func (s *session) BodyChunk(chunk []byte, m *gomilter.Modifier) (gomilter.Response, error) {
	if !s.mailSeen {
		return nil, errProtocol
	}
	if s.fits(len(chunk)) {
		s.raw.Write(chunk)
	}
	return nil, nil
}

// fits reports whether n more octets keep the message within the limit;
// once they do not, nothing more is kept and the end of message refuses
// it.
func (s *session) fits(n int) bool {
	if s.tooBig || s.raw.Len()+n > s.srv.Limits.MaxMessageBytes {
		s.tooBig = true
		if s.raw.Cap() > 0 {
			s.raw = bytes.Buffer{}
		}
		return false
	}
	return true
}

func (s *session) write(p string) {
	if s.fits(len(p)) {
		s.raw.WriteString(p)
	}
}

// writeCRLF writes v with every line ending (LF or CRLF) as CRLF, without
// building the converted copy first.
func (s *session) writeCRLF(v string) {
	for v != "" {
		i := strings.IndexByte(v, '\n')
		if i < 0 {
			s.write(v)
			return
		}
		s.write(strings.TrimSuffix(v[:i], "\r"))
		s.write("\r\n")
		v = v[i+1:]
	}
}

func (s *session) Abort(m *gomilter.Modifier) error {
	client := s.env.Client
	s.reset()
	s.env.Client = client
	return nil
}

func (s *session) reset() {
	*s = session{srv: s.srv}
}

// Body is the end of the message: decide and answer.
func (s *session) Body(m *gomilter.Modifier) (gomilter.Response, error) {
	if !s.mailSeen {
		return nil, errProtocol
	}
	if s.tooBig {
		return replyTooBig, nil
	}
	srv := s.srv
	if m != nil {
		s.env.QueueID = m.Macros["i"]
	}
	ctx := context.Background()
	raw := s.raw.Bytes()
	if mail.BareCROrNUL(raw) {
		return replyBareCRorNUL, nil
	}
	res := srv.Decider.Decide(ctx, s.env, raw)
	v := res.Decision.Verdict
	rec := decisions.Record{
		At: srv.Now(), Via: "milter", MessageID: res.MessageID, Sender: res.Sender,
		Department: res.Department, Decision: res.Decision, Score: res.Score, Findings: res.Findings,
		Features: res.Features, FeatureSet: res.FeatureSet,
	}
	if res.Err != nil {
		rec.Err = res.Err.Error()
	}
	if rec.Sender == "" {
		rec.Sender = s.env.From
	}

	var resp gomilter.Response
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
		resp = gomilter.RespDiscard
	default:
		if err := s.stamp(m, res); err != nil {
			return nil, fmt.Errorf("milter: add headers: %w", err)
		}
		resp = gomilter.RespAccept
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
	srv.Log.Debug("milter: decided", "verdict", v, "decided", res.Decision.Decided, "rule", res.Decision.Rule,
		"score", res.Score, "message_id", res.MessageID, "queue_id", rec.QueueID, "mta_queue_id", s.env.QueueID)
	return resp, nil
}

// stamp removes forged X-Misend-* headers and adds ours, when every
// recipient is inside the organisation (or StampOutside says so).
func (s *session) stamp(m *gomilter.Modifier, res Result) error {
	if m == nil {
		return nil
	}
	for name, n := range s.forged {
		// Delete from the last so earlier indexes stay valid.
		for i := n; i >= 1; i-- {
			if err := m.ChangeHeader(i, name, ""); err != nil {
				return err
			}
		}
	}
	if res.Outside && !s.srv.StampOutside {
		// Outside recipients learn nothing of the verdict.
		return nil
	}
	if err := m.AddHeader(HeaderVerdict, string(res.Decision.Verdict)); err != nil {
		return err
	}
	if err := m.AddHeader(HeaderScore, strconv.FormatFloat(res.Score, 'f', 2, 64)); err != nil {
		return err
	}
	if res.Decision.Verdict == policy.Warn {
		if w := warning(res.Findings); w != "" {
			return m.AddHeader(HeaderWarning, w)
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

func isOurs(name string) bool {
	return strings.HasPrefix(strings.ToLower(name), "x-misend-")
}
