package milter

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/textproto"
	gomilter "github.com/emersion/go-milter"

	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
)

// subjectDecider decides by the verdict named in the Subject, so the tests
// are about the milter, not about detection.
type subjectDecider struct{}

func (subjectDecider) Decide(ctx context.Context, env Envelope, raw []byte) Result {
	s := string(raw)
	i := strings.Index(s, "Subject: verdict=")
	v := policy.Pass
	if i >= 0 {
		rest := s[i+len("Subject: verdict="):]
		v = policy.Verdict(rest[:strings.IndexAny(rest, "\r\n")])
	}
	res := Result{MessageID: "m@test", Sender: env.From, Score: 0.42,
		Decision: policy.Decision{Verdict: v, Decided: v, Rule: "test"}}
	if v == policy.Warn {
		res.Findings = []finding.Finding{{Code: finding.ConfidentialTerms, Message: "社外秘の語を含みます", Terms: []string{"プロジェクトX"}}}
	}
	return res
}

type held struct {
	env Envelope
	raw string
	res Result
}

type memHolder struct {
	mu   sync.Mutex
	got  []held
	fail bool
}

func (h *memHolder) Hold(ctx context.Context, env Envelope, raw []byte, res Result) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail {
		return "", errors.New("disk full")
	}
	h.got = append(h.got, held{env, string(raw), res})
	return "Q1", nil
}

type memRecorder struct {
	mu  sync.Mutex
	got []decisions.Record
}

func (r *memRecorder) Append(ctx context.Context, rec decisions.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, rec)
	return nil
}

func startServer(t testing.TB, s *Server) string {
	t.Helper()
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if s.Log == nil {
		s.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return ln.Addr().String()
}

// openSession opens a milter session to addr, closed when t ends.
func openSession(t testing.TB, addr string) *gomilter.ClientSession {
	t.Helper()
	cs, err := newClient(addr).Session()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func newClient(addr string) *gomilter.Client {
	return gomilter.NewClientWithOptions("tcp", addr, gomilter.ClientOptions{
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second,
		ActionMask: gomilter.OptAddHeader | gomilter.OptChangeHeader,
	})
}

type sent struct {
	from    string
	to      []string
	headers [][2]string
	body    string
}

// send runs one message through a session the way Postfix does.
func send(t testing.TB, cs *gomilter.ClientSession, m sent) ([]gomilter.ModifyAction, *gomilter.Action) {
	t.Helper()
	must := func(a *gomilter.Action, err error) bool {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a.Code == gomilter.ActContinue
	}
	if !must(cs.Mail("<"+m.from+">", nil)) {
		t.Fatal("MAIL not continued")
	}
	for _, r := range m.to {
		if a, err := cs.Rcpt("<"+r+">", nil); err != nil || a.Code != gomilter.ActContinue {
			return nil, a
		}
	}
	var h textproto.Header
	for i := len(m.headers) - 1; i >= 0; i-- {
		h.Add(m.headers[i][0], m.headers[i][1])
	}
	if a, err := cs.Header(h); err != nil || a.Code != gomilter.ActContinue {
		if err != nil {
			t.Fatal(err)
		}
		return nil, a
	}
	mods, act, err := cs.BodyReadFrom(strings.NewReader(m.body))
	if err != nil {
		t.Fatal(err)
	}
	return mods, act
}

func msg(verdict string) sent {
	return sent{
		from: "Taro@Corp.example", to: []string{"a@partner.example", "b@partner.example"},
		headers: [][2]string{{"From", "taro@corp.example"}, {"To", "a@partner.example"}, {"Subject", "verdict=" + verdict}},
		body:    "Hello,\r\nsee attached.\r\n",
	}
}

func headerMods(mods []gomilter.ModifyAction) map[string]string {
	out := map[string]string{}
	for _, m := range mods {
		if m.Code == gomilter.ActAddHeader {
			out[m.HeaderName] = m.HeaderValue
		}
	}
	return out
}

func TestVerdicts(t *testing.T) {
	holder := &memHolder{}
	rec := &memRecorder{}
	addr := startServer(t, &Server{Decider: subjectDecider{}, Holder: holder, Recorder: rec})
	tests := []struct {
		verdict  string
		wantCode gomilter.ActionCode
		wantSMTP int
		wantText string
		wantHold bool
		wantHdr  map[string]string
	}{
		{verdict: "pass", wantCode: gomilter.ActAccept, wantHdr: map[string]string{HeaderVerdict: "pass", HeaderScore: "0.42"}},
		{verdict: "warn", wantCode: gomilter.ActAccept, wantHdr: map[string]string{HeaderVerdict: "warn", HeaderScore: "0.42",
			HeaderWarning: "CONFIDENTIAL_TERMS"}},
		{verdict: "confirm", wantCode: gomilter.ActDiscard, wantHold: true},
		{verdict: "delay", wantCode: gomilter.ActDiscard, wantHold: true},
		{verdict: "hold", wantCode: gomilter.ActDiscard, wantHold: true},
		{verdict: "reject", wantCode: gomilter.ActReplyCode, wantSMTP: 550, wantText: "5.7.1 "},
	}
	for _, tt := range tests {
		t.Run(tt.verdict, func(t *testing.T) {
			holder.got = nil
			cs := openSession(t, addr)
			mods, act := send(t, cs, msg(tt.verdict))
			if act.Code != tt.wantCode {
				t.Fatalf("action %c, want %c", act.Code, tt.wantCode)
			}
			if tt.wantSMTP != 0 && (act.SMTPCode != tt.wantSMTP || !strings.HasPrefix(act.SMTPText, tt.wantText)) {
				t.Errorf("reply %d %q, want %d %q…", act.SMTPCode, act.SMTPText, tt.wantSMTP, tt.wantText)
			}
			if tt.wantHdr != nil {
				got := headerMods(mods)
				for k, v := range tt.wantHdr {
					if dec, err := new(mime.WordDecoder).DecodeHeader(got[k]); err != nil || dec != v {
						t.Errorf("header %s = %q, want %q", k, got[k], v)
					}
				}
				if len(got) != len(tt.wantHdr) {
					t.Errorf("headers added %v, want %v", got, tt.wantHdr)
				}
			} else if len(mods) != 0 {
				t.Errorf("unexpected modifications %+v", mods)
			}
			if (len(holder.got) == 1) != tt.wantHold {
				t.Fatalf("held %d messages, want hold=%v", len(holder.got), tt.wantHold)
			}
			if tt.wantHold {
				h := holder.got[0]
				wantRaw := "From: taro@corp.example\r\nTo: a@partner.example\r\nSubject: verdict=" + tt.verdict + "\r\n\r\nHello,\r\nsee attached.\r\n"
				if h.raw != wantRaw {
					t.Errorf("held raw\n%q\nwant\n%q", h.raw, wantRaw)
				}
				if h.env.From != "taro@corp.example" || strings.Join(h.env.To, ",") != "a@partner.example,b@partner.example" {
					t.Errorf("held envelope %+v", h.env)
				}
			}
			last := rec.got[len(rec.got)-1]
			if string(last.Decision.Verdict) != tt.verdict || last.Via != "milter" || (tt.wantHold && last.QueueID != "Q1") {
				t.Errorf("recorded %+v", last)
			}
		})
	}
}

// The warning header reaches the recipients: it names codes only, never a
// term, an address or a sentence.
func TestWarningNamesCodesOnly(t *testing.T) {
	fs := []finding.Finding{
		{Code: finding.SimilarContact, Recipient: "tanaka@partner-b.example", Message: "you often mail tanaka@partner-a.example", Suggestion: "tanaka@partner-a.example"},
		{Code: finding.ConfidentialTerms, Message: "restricted to your department", Terms: []string{"Blue Falcon"}},
		{Code: finding.SimilarContact, Recipient: "x@partner-b.example", Message: "again"},
	}
	w := warning(fs)
	if w != "SIMILAR_CONTACT, CONFIDENTIAL_TERMS" {
		t.Fatalf("warning %q", w)
	}
	for _, leak := range []string{"Falcon", "partner-a", "restricted", "@"} {
		if strings.Contains(w, leak) {
			t.Errorf("warning %q shows %q", w, leak)
		}
	}
}

func TestHoldFailureTempFails(t *testing.T) {
	addr := startServer(t, &Server{Decider: subjectDecider{}, Holder: &memHolder{fail: true}})
	cs := openSession(t, addr)
	_, act := send(t, cs, msg("hold"))
	if act.Code != gomilter.ActReplyCode || act.SMTPCode != 451 {
		t.Fatalf("got %c %d %q, want 451 tempfail so Postfix keeps the message", act.Code, act.SMTPCode, act.SMTPText)
	}
}

func TestNoHolderTempFails(t *testing.T) {
	addr := startServer(t, &Server{Decider: subjectDecider{}})
	cs := openSession(t, addr)
	if _, act := send(t, cs, msg("delay")); act.SMTPCode != 451 {
		t.Fatalf("got %c %d, want 451", act.Code, act.SMTPCode)
	}
}

func TestForgedHeadersRemoved(t *testing.T) {
	addr := startServer(t, &Server{Decider: subjectDecider{}, Holder: &memHolder{}})
	cs := openSession(t, addr)
	m := msg("pass")
	m.headers = append(m.headers, [2]string{"X-Misend-Verdict", "pass"}, [2]string{"x-misend-verdict", "pass"}, [2]string{"X-Misend-Score", "0"})
	mods, act := send(t, cs, m)
	if act.Code != gomilter.ActAccept {
		t.Fatalf("action %c", act.Code)
	}
	deleted := map[string][]uint32{}
	for _, mod := range mods {
		if mod.Code == gomilter.ActChangeHeader && mod.HeaderValue == "" {
			deleted[mod.HeaderName] = append(deleted[mod.HeaderName], mod.HeaderIndex)
		}
	}
	if got := deleted["X-Misend-Verdict"]; len(got) != 2 || got[0] != 2 || got[1] != 1 {
		t.Errorf("X-Misend-Verdict deletions %v, want [2 1]", got)
	}
	if got := deleted["X-Misend-Score"]; len(got) != 1 {
		t.Errorf("X-Misend-Score deletions %v", got)
	}
}

func TestLimits(t *testing.T) {
	addr := startServer(t, &Server{Decider: subjectDecider{}, Holder: &memHolder{}, Limits: Limits{MaxMessageBytes: 200, MaxRecipients: 2}})
	t.Run("too big", func(t *testing.T) {
		cs := openSession(t, addr)
		m := msg("pass")
		m.body = strings.Repeat("x", 300)
		if _, act := send(t, cs, m); act.SMTPCode != 552 {
			t.Fatalf("got %c %d, want 552", act.Code, act.SMTPCode)
		}
	})
	t.Run("too many recipients", func(t *testing.T) {
		cs := openSession(t, addr)
		m := msg("pass")
		m.to = []string{"a@x.example", "b@x.example", "c@x.example"}
		if _, act := send(t, cs, m); act.SMTPCode != 552 || !strings.HasPrefix(act.SMTPText, "5.5.3 ") {
			t.Fatalf("got %c %d %q, want 552 5.5.3 at the end of the message", act.Code, act.SMTPCode, act.SMTPText)
		}
	})
}

// A recipient that is a route is taken without an answer at RCPT, so the
// end of the message refuses the whole message for it, whatever the
// decision and wherever the route stands among the recipients; nothing is
// held, recorded or stamped, and the next message on the connection is
// decided afresh.
func TestRoutedRecipientRefusesMessage(t *testing.T) {
	holder := &memHolder{}
	rec := &memRecorder{}
	addr := startServer(t, &Server{Decider: subjectDecider{}, Holder: holder, Recorder: rec})
	cs := openSession(t, addr)
	for _, to := range [][]string{
		{"attacker%evil.example@corp.example"},
		{`"attacker@evil.example"@corp.example`},
		{"a@partner.example", "evil.example!attacker@corp.example"},
		{"a@partner.example", "@relay.example:attacker@evil.example", "b@partner.example"},
	} {
		for _, v := range []string{"pass", "hold"} {
			m := msg(v)
			m.to = to
			mods, act := send(t, cs, m)
			if act.Code != gomilter.ActReplyCode || act.SMTPCode != 553 || !strings.HasPrefix(act.SMTPText, "5.1.3 ") {
				t.Errorf("%q, %s: got %c %d %q, want 553 5.1.3", to, v, act.Code, act.SMTPCode, act.SMTPText)
			}
			if len(mods) != 0 {
				t.Errorf("%q, %s: modifications %+v", to, v, mods)
			}
		}
		if _, act := send(t, cs, msg("pass")); act.Code != gomilter.ActAccept {
			t.Fatalf("after %q: next message got %c, want it accepted", to, act.Code)
		}
	}
	if len(holder.got) != 0 {
		t.Errorf("held %d messages with a routed recipient", len(holder.got))
	}
	for _, r := range rec.got {
		if r.Decision.Verdict != policy.Pass {
			t.Errorf("recorded %+v", r)
		}
	}
}

func TestSeveralMessagesOneConnection(t *testing.T) {
	holder := &memHolder{}
	addr := startServer(t, &Server{Decider: subjectDecider{}, Holder: holder})
	cs := openSession(t, addr)
	for i, v := range []string{"pass", "hold", "pass", "hold"} {
		_, act := send(t, cs, msg(v))
		want := gomilter.ActAccept
		if v == "hold" {
			want = gomilter.ActDiscard
		}
		if act.Code != want {
			t.Fatalf("message %d (%s): action %c", i, v, act.Code)
		}
	}
	if len(holder.got) != 2 {
		t.Fatalf("held %d, want 2", len(holder.got))
	}
	// State from the first message must not leak into the second.
	if strings.Count(holder.got[1].raw, "Subject:") != 1 || len(holder.got[1].env.To) != 2 {
		t.Fatalf("second held message carries state: %+v", holder.got[1])
	}
}

func TestOutOfOrderClosesConnection(t *testing.T) {
	addr := startServer(t, &Server{Decider: subjectDecider{}})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A header before MAIL FROM.
	c.Write([]byte{0, 0, 0, 5, 'L', 'a', 0, 'b', 0})
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("want the server to close the connection, got %v", err)
	}
}

func BenchmarkMessage(b *testing.B) {
	addr := startServer(b, &Server{Decider: subjectDecider{}, Holder: &memHolder{}})
	cs, err := newClient(addr).Session()
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	m := msg("pass")
	b.ReportAllocs()
	for b.Loop() {
		send(b, cs, m)
	}
}

// The SASL login Postfix passes with MAIL FROM reaches the decision, for
// that message only.
func TestLoginMacro(t *testing.T) {
	holder := &memHolder{}
	addr := startServer(t, &Server{Decider: subjectDecider{}, Holder: holder})
	cs := openSession(t, addr)
	if err := cs.Macros(gomilter.CodeMail, "{auth_authen}", "Hr@Corp.example"); err != nil {
		t.Fatal(err)
	}
	send(t, cs, msg("hold"))
	if err := cs.Macros(gomilter.CodeMail, "{mail_addr}", "taro@corp.example"); err != nil {
		t.Fatal(err)
	}
	send(t, cs, msg("hold"))
	if len(holder.got) != 2 || holder.got[0].env.Login != "Hr@Corp.example" || holder.got[1].env.Login != "" {
		t.Fatalf("logins %+v, want the first message's only", holder.got)
	}
}

// outsideDecider is subjectDecider for mail with a recipient outside the
// organisation.
type outsideDecider struct{ subjectDecider }

func (d outsideDecider) Decide(ctx context.Context, env Envelope, raw []byte) Result {
	res := d.subjectDecider.Decide(ctx, env, raw)
	res.Outside = true
	return res
}

// Mail to outside recipients leaves without anything of misend's: no
// verdict, score or finding codes for outsiders to read (forged copies are
// still removed). Before, every passing message carried them.
func TestNothingAddedForOutsideRecipients(t *testing.T) {
	for _, v := range []string{"pass", "warn"} {
		addr := startServer(t, &Server{Decider: outsideDecider{}, Holder: &memHolder{}})
		cs := openSession(t, addr)
		m := msg(v)
		m.headers = append(m.headers, [2]string{"X-Misend-Verdict", "pass"})
		mods, act := send(t, cs, m)
		if act.Code != gomilter.ActAccept {
			t.Fatalf("%s: action %c", v, act.Code)
		}
		deleted := 0
		for _, mod := range mods {
			switch {
			case mod.Code == gomilter.ActAddHeader, mod.Code == gomilter.ActInsertHeader:
				t.Errorf("%s: added %s: %s", v, mod.HeaderName, mod.HeaderValue)
			case mod.Code == gomilter.ActChangeHeader && mod.HeaderValue == "":
				deleted++
			}
		}
		if deleted != 1 {
			t.Errorf("%s: %d forged headers removed, want 1", v, deleted)
		}
	}
}

// A held message is kept without the client's X-Misend-* headers, so they
// do not leave with it when it is released.
func TestForgedHeadersNotKeptWhenHeld(t *testing.T) {
	holder := &memHolder{}
	addr := startServer(t, &Server{Decider: subjectDecider{}, Holder: holder})
	cs := openSession(t, addr)
	m := msg("hold")
	m.headers = append(m.headers, [2]string{"X-Misend-Verdict", "pass"})
	if _, act := send(t, cs, m); act.Code != gomilter.ActDiscard {
		t.Fatalf("action %c", act.Code)
	}
	if len(holder.got) != 1 || strings.Contains(strings.ToLower(holder.got[0].raw), "x-misend-") {
		t.Errorf("held copy: %+v", holder.got)
	}
}

// A bare CR or a NUL in the message is refused with 550 5.6.0, never
// passed on as it came.
func TestBareCRorNULRefused(t *testing.T) {
	addr := startServer(t, &Server{Decider: subjectDecider{}, Holder: &memHolder{}})
	for _, body := range []string{"Hello,\rsee attached.\r\n", "Hello,\x00\r\n"} {
		cs := openSession(t, addr)
		m := msg("pass")
		m.body = body
		_, act := send(t, cs, m)
		if act.Code != gomilter.ActReplyCode || act.SMTPCode != 550 || !strings.HasPrefix(act.SMTPText, "5.6.0") {
			t.Errorf("body %q: got %c %d %q, want 550 5.6.0", body, act.Code, act.SMTPCode, act.SMTPText)
		}
	}
}

// A confirmation stamp reaches the decision (it is read from Postfix's
// header before the field is dropped), is not in the copy kept when held,
// and is removed from Postfix's copy when the message passes.
func TestStampReadThenRemoved(t *testing.T) {
	for _, v := range []string{"hold", "pass"} {
		holder := &memHolder{}
		addr := startServer(t, &Server{Decider: subjectDecider{}, Holder: holder})
		cs := openSession(t, addr)
		m := msg(v)
		m.headers = append(m.headers, [2]string{"X-Misend-Confirmed", "v=1; s=taro@corp.example"})
		mods, act := send(t, cs, m)
		switch v {
		case "hold":
			if act.Code != gomilter.ActDiscard || len(holder.got) != 1 {
				t.Fatalf("hold: action %c, held %d", act.Code, len(holder.got))
			}
			h := holder.got[0]
			if len(h.env.Stamps) != 1 || h.env.Stamps[0] != "v=1; s=taro@corp.example" {
				t.Errorf("hold: stamps in the envelope %q", h.env.Stamps)
			}
			if strings.Contains(strings.ToLower(h.raw), "x-misend-confirmed") {
				t.Errorf("hold: the kept copy has the stamp:\n%s", h.raw)
			}
		case "pass":
			removed := false
			for _, mod := range mods {
				removed = removed || mod.Code == gomilter.ActChangeHeader && mod.HeaderName == "X-Misend-Confirmed" && mod.HeaderValue == ""
			}
			if act.Code != gomilter.ActAccept || !removed {
				t.Errorf("pass: action %c, stamp removed %v", act.Code, removed)
			}
		}
	}
}

// The MTA waits only for the end of the message, where misend decides:
// recipients are taken without an answer too (a route or too many
// recipients refuse the message at its end, TestRoutedRecipientRefusesMessage),
// so a message costs one round trip whatever its recipients, and a
// connection one more for the negotiation. Each recipient's round trip
// was the milter's largest cost to Postfix after the decision itself.
func TestRoundTrips(t *testing.T) {
	tests := []struct {
		name     string
		messages int
		to       []string
		want     float64 // round trips per message
	}{
		{"one message, one recipient", 1, []string{"a@partner.example"}, 2},
		{"one message, three recipients", 1, []string{"a@partner.example", "b@partner.example", "c@partner.example"}, 2},
		{"four messages on one connection", 4, []string{"a@partner.example"}, 1.25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{Decider: subjectDecider{}, Holder: &memHolder{}}
			cs := openSession(t, startServer(t, s))
			for _, opt := range []gomilter.OptProtocol{gomilter.OptNoConnReply, gomilter.OptNoMailReply, gomilter.OptNoRcptReply,
				gomilter.OptNoHeaderReply, gomilter.OptNoEOHReply, gomilter.OptNoBodyReply} {
				if !cs.ProtocolOption(opt) {
					t.Errorf("protocol option %#x not negotiated", opt)
				}
			}
			if act, err := cs.Conn("mx.example", gomilter.FamilyInet, 25, "192.0.2.1"); err != nil || act.Code != gomilter.ActContinue {
				t.Fatalf("connect: %v %v", act, err)
			}
			for range tt.messages {
				m := msg("pass")
				m.to = tt.to
				if _, act := send(t, cs, m); act.Code != gomilter.ActAccept {
					t.Fatalf("action %c", act.Code)
				}
			}
			st := s.Stats()
			if st.Messages != uint64(tt.messages) || st.RoundTrips() != tt.want {
				t.Errorf("stats %+v: %.2f round trips per message, want %.2f", st, st.RoundTrips(), tt.want)
			}
		})
	}
}
