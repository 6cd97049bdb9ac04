package notify

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
)

type memOutbox struct {
	mu  sync.Mutex
	got []Mail
}

func (o *memOutbox) Send(ctx context.Context, m Mail) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, m)
	return nil
}

type people struct {
	lang      map[string]string
	approvers map[string][]string
	aliases   map[string]string // alias → the person's address
}

func (p people) LangOf(a string) string        { return p.lang[a] }
func (p people) ApproversOf(d string) []string { return p.approvers[d] }
func (p people) PersonOf(a string) string {
	a = strings.ToLower(a)
	if o, ok := p.aliases[a]; ok {
		return o
	}
	return a
}

// decoded reads a notification back the way a mail client would.
func decoded(t *testing.T, raw []byte) (subject, body string, h mail.Header) {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("notification is not a valid message: %v\n%s", err, raw)
	}
	subject, err = r.Header.Subject()
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(p.Body)
	return subject, string(b), r.Header
}

const secretTerm = "FalconMerger"

func waiting(v policy.Verdict) Waiting {
	w := 0.8
	return Waiting{
		QueueID: "q-42", Sender: "taro@corp.example", Department: "営業部",
		Recipients: []string{"tanaka@partner-b.example"},
		Subject:    "見積書の件\r\nBcc: evil@x.example",
		Decision:   policy.Decision{Verdict: v, Decided: v, Delay: 5 * time.Minute},
		ReleaseAt:  time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC),
		Findings: []finding.Finding{
			{Code: finding.SimilarContact, Recipient: "tanaka@partner-b.example", Message: "you have never mailed tanaka@partner-b.example", Suggestion: "tanaka@partner-a.example"},
			{Code: finding.ConfidentialTerms, Message: "contains terms restricted to department:営業部", Scope: "department:営業部", Weight: &w, Terms: []string{secretTerm}},
		},
	}
}

func newNotifier(t *testing.T, out *memOutbox) *Notifier {
	s, err := NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return &Notifier{
		Signer: s, Outbox: out, From: "misend@corp.example", BaseURL: "https://misend.corp.example/",
		People: people{
			lang:      map[string]string{"taro@corp.example": "ja"},
			approvers: map[string][]string{"営業部": {"boss@corp.example", "deputy@corp.example"}},
		},
		DefaultLang: "en",
		Now:         func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) },
	}
}

func linksIn(t *testing.T, s *Signer, body string) map[Action]Grant {
	t.Helper()
	out := map[Action]Grant{}
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(line, "https://misend.corp.example/act/")
		if !ok {
			continue
		}
		tok, err := url.PathUnescape(rest)
		if err != nil {
			t.Fatal(err)
		}
		g, err := s.Verify(tok, time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatalf("link %q: %v", line, err)
		}
		out[g.Action] = g
	}
	return out
}

func TestNotify(t *testing.T) {
	tests := []struct {
		verdict     policy.Verdict
		wantTo      []string
		wantSubject []string // per mail, substring
		wantBody    []string // per mail, substring
		wantLinks   [][]Action
	}{
		{policy.Confirm, []string{"taro@corp.example"}, []string{"送信確認のお願い: 見積書の件 Bcc: evil@x.example"},
			[]string{"tanaka@partner-a.example の間違いではありませんか"}, [][]Action{{ActConfirm, ActCancel}}},
		{policy.Delay, []string{"taro@corp.example"}, []string{"2026年11月22日 19:05 (JST)に送信します"},
			[]string{"それまでに次のリンクから取り消してください"}, [][]Action{{ActCancel}}},
		{policy.Hold, []string{"taro@corp.example", "boss@corp.example", "deputy@corp.example"},
			[]string{"承認待ちのメール", "Approval needed: message from taro@corp.example", "Approval needed"},
			[]string{"承認されるまでは、次のリンクから送信を取り消すこともできます", "Recipients: tanaka@partner-b.example", "Department: 営業部"},
			// Confidential information: released on the approvals page only.
			[][]Action{{ActCancel}, {ActReject}, {ActReject}}},
		{policy.Warn, []string{"taro@corp.example"}, []string{"送信したメールをご確認ください"},
			[]string{"tanaka@partner-a.example の間違いではありませんか"}, [][]Action{nil}},
		{policy.Pass, nil, nil, nil, nil},
		{policy.Reject, nil, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.verdict), func(t *testing.T) {
			out := &memOutbox{}
			n := newNotifier(t, out)
			if err := n.Notify(context.Background(), waiting(tt.verdict)); err != nil {
				t.Fatal(err)
			}
			if len(out.got) != len(tt.wantTo) {
				t.Fatalf("sent %d mails, want %d", len(out.got), len(tt.wantTo))
			}
			for i, m := range out.got {
				if len(m.To) != 1 || m.To[0] != tt.wantTo[i] || m.From != "misend@corp.example" {
					t.Errorf("mail %d envelope %v → %v", i, m.From, m.To)
				}
				if bytes.Contains(m.Raw, []byte(secretTerm)) {
					t.Errorf("mail %d shows a confidential term", i)
				}
				subj, body, h := decoded(t, m.Raw)
				if strings.Contains(body, secretTerm) || strings.Contains(subj, secretTerm) {
					t.Errorf("mail %d shows a confidential term once decoded", i)
				}
				if !strings.Contains(subj, tt.wantSubject[i]) {
					t.Errorf("mail %d subject %q, want %q", i, subj, tt.wantSubject[i])
				}
				if !strings.Contains(body, tt.wantBody[i]) {
					t.Errorf("mail %d body lacks %q:\n%s", i, tt.wantBody[i], body)
				}
				if h.Get("Auto-Submitted") != "auto-generated" || len(h.Values("Bcc")) != 0 {
					t.Errorf("mail %d headers: %v", i, h)
				}
				for _, line := range bytes.Split(m.Raw, []byte("\r\n")) {
					if len(line) > 998 {
						t.Errorf("mail %d has a %d-octet line", i, len(line))
					}
				}
				links := linksIn(t, n.Signer, body)
				if len(links) != len(tt.wantLinks[i]) {
					t.Errorf("mail %d links %v, want %v", i, links, tt.wantLinks[i])
				}
				for _, a := range tt.wantLinks[i] {
					g, ok := links[a]
					if !ok || g.QueueID != "q-42" || g.Actor != tt.wantTo[i] || !g.Expires.Equal(n.Now().Add(72*time.Hour)) {
						t.Errorf("mail %d link %s = %+v", i, a, g)
					}
				}
			}
		})
	}
}

func TestNotifyHoldWithoutApprovers(t *testing.T) {
	out := &memOutbox{}
	n := newNotifier(t, out)
	w := waiting(policy.Hold)
	w.Department = "総務部"
	if err := n.Notify(context.Background(), w); err == nil || !strings.Contains(err.Error(), "no approvers") {
		t.Fatalf("err = %v, want no approvers", err)
	}
	if len(out.got) != 1 {
		t.Fatalf("the sender should still be told; sent %d", len(out.got))
	}
}

func TestComposeRefusesHeaderInjection(t *testing.T) {
	if _, err := compose("misend@corp.example", []string{"a@x.example\r\nBcc: b@y.example"}, "s", "b", time.Now()); err == nil {
		t.Fatal("address with CRLF accepted")
	}
}

func TestDecidedTellsTheSender(t *testing.T) {
	for _, tc := range []struct {
		released bool
		comment  string
		want     []string
	}{
		{true, "", []string{"承認され送信されました"}},
		{false, "宛先が違います\r\nBcc: x", []string{"承認されませんでした", "コメント: 宛先が違います Bcc: x"}},
	} {
		out := &memOutbox{}
		n := newNotifier(t, out)
		if err := n.Decided(context.Background(), waiting(policy.Hold), tc.released, tc.comment); err != nil {
			t.Fatal(err)
		}
		if len(out.got) != 1 || out.got[0].To[0] != "taro@corp.example" {
			t.Fatalf("sent %+v", out.got)
		}
		subj, body, _ := decoded(t, out.got[0].Raw)
		text := subj + "\n" + body
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("notice lacks %q:\n%s", w, text)
			}
		}
		if strings.Contains(text, "/act/") {
			t.Error("a decided notice carries links")
		}
	}
}

// An approver whose own mail is held is not asked to release it: the other
// approvers are, and when there are none the organisation's approvers.
func TestNotifyHoldNeedsSecondPerson(t *testing.T) {
	for _, tc := range []struct {
		name      string
		approvers map[string][]string
		want      []string
	}{
		{"other approvers", map[string][]string{"営業部": {"taro@corp.example", "deputy@corp.example"}, "": {"ceo@corp.example"}}, []string{"deputy@corp.example"}},
		{"sole approver", map[string][]string{"営業部": {"Taro@corp.example"}, "": {"ceo@corp.example", "taro@corp.example"}}, []string{"ceo@corp.example"}},
		// Item 3 of issue 12: the sender's alias is the same person.
		{"sender's alias", map[string][]string{"営業部": {"bucho@corp.example", "deputy@corp.example"}, "": {"ceo@corp.example"}}, []string{"deputy@corp.example"}},
		{"sole approver through an alias", map[string][]string{"営業部": {"bucho@corp.example"}, "": {"ceo@corp.example", "bucho@corp.example"}}, []string{"ceo@corp.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &memOutbox{}
			n := newNotifier(t, out)
			n.People = people{approvers: tc.approvers, aliases: map[string]string{"bucho@corp.example": "taro@corp.example"}}
			if err := n.Notify(context.Background(), waiting(policy.Hold)); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range out.got {
				for _, to := range m.To {
					if to != "taro@corp.example" {
						got = append(got, to)
					}
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("approval requests to %v, want %v", got, tc.want)
			}
		})
	}
}

// A message that waited longer than the retention is said to be deleted
// and not sent, in the sender's language, naming whom it waited for.
func TestPurgedTellsTheSender(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lang   string
		held   bool
		want   []string
		absent []string
	}{
		{"held, ja", "ja", true, []string{"送信されずに削除されました: 見積書の件 Bcc: evil@x.example", "承認者による判断がないまま 14 日が経過", "送信されていません"}, []string{"送信のご確認"}},
		{"confirming, ja", "ja", false, []string{"送信のご確認がないまま 14 日", "保存期間"}, []string{"承認者"}},
		{"held, en", "en", true, []string{"Your message was not sent and has been deleted", "waited 14 days for an approver's decision", "has not been sent"}, []string{"your confirmation"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &memOutbox{}
			n := newNotifier(t, out)
			n.People.(people).lang["taro@corp.example"] = tc.lang
			if err := n.Purged(context.Background(), waiting(policy.Hold), tc.held, 14*24*time.Hour+time.Hour); err != nil {
				t.Fatal(err)
			}
			if len(out.got) != 1 || out.got[0].To[0] != "taro@corp.example" {
				t.Fatalf("sent %+v", out.got)
			}
			subj, body, _ := decoded(t, out.got[0].Raw)
			text := subj + "\n" + body
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("notice lacks %q:\n%s", w, text)
				}
			}
			for _, w := range append(tc.absent, "/act/", secretTerm) {
				if strings.Contains(text, w) {
					t.Errorf("notice has %q:\n%s", w, text)
				}
			}
		})
	}
}
