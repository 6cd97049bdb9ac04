package postfix

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/milter"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/terms"
)

// learnedService is the real decision path over a small learned history:
// taro in sales mails two people at partner A, back and forth, for months.
func learnedService(t testing.TB, now time.Time) *decide.Path {
	t.Helper()
	p, _ := learnedPath(t, now)
	return p
}

// learnedPath is learnedService with the model behind it.
func learnedPath(t testing.TB, now time.Time) (*decide.Path, *model.Model) {
	t.Helper()
	dir := directory.New([]directory.Person{
		{Address: "taro@corp.example", Name: "山田 太郎", Department: "営業部"},
		{Address: "boss@corp.example", Name: "部長", Department: "営業部", ApproverOf: []string{"department:営業部"}},
	}, []string{"corp.example"})
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}, Department: dir.DepartmentOf})
	tanaka := mail.Address{Name: "田中 一郎", Addr: "tanaka@partner-a.example"}
	suzuki := mail.Address{Name: "鈴木 花子", Addr: "suzuki@partner-a.example"}
	taro := mail.Address{Name: "山田 太郎", Addr: "taro@corp.example"}
	for i := range 60 {
		at := now.Add(-time.Duration(120-2*i) * 24 * time.Hour)
		m.Learn(&mail.Message{MessageID: fmt.Sprintf("s%d@corp.example", i), Date: at, From: taro,
			To: []mail.Address{tanaka}, Cc: []mail.Address{suzuki}, Subject: "打ち合わせ"})
		m.Learn(&mail.Message{MessageID: fmt.Sprintf("r%d@partner-a.example", i), Date: at.Add(time.Hour), From: tanaka,
			To: []mail.Address{taro}, Cc: []mail.Address{suzuki}, Subject: "Re: 打ち合わせ"})
	}
	pol, err := policy.New(policy.Config{Default: policy.Rules{
		Codes: map[finding.Code]policy.Verdict{
			finding.SimilarContact:  policy.Hold,
			finding.LookalikeDomain: policy.Hold,
			finding.PersonalData:    policy.Reject,
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return check.Path(&detect.Detector{Model: m, Content: []detect.ContentChecker{terms.NewCheckerFrom(dir, nil, nil, nil)}},
		pol, check.Fixed{Directory: dir}), m
}

func japaneseMessage(id string, to, cc []string, body string) string {
	var b strings.Builder
	b.WriteString("From: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <taro@corp.example>\n")
	b.WriteString("To: " + strings.Join(to, ", ") + "\n")
	if len(cc) > 0 {
		b.WriteString("Cc: " + strings.Join(cc, ", ") + "\n")
	}
	b.WriteString("Subject: =?UTF-8?B?5omT44Gh5ZCI44KP44Gb?=\n")
	b.WriteString("Message-ID: <" + id + "@corp.example>\n")
	b.WriteString("Date: " + time.Now().Format(time.RFC1123Z) + "\n")
	b.WriteString("MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n")
	b.WriteString(body)
	return b.String()
}

// TestPostfixMilterDetection runs the whole decision path behind Postfix:
// an honest message passes, a misdirected one is held and, once released,
// delivered; one carrying a card number to outside is refused with 5.7.1.
func TestPostfixMilterDetection(t *testing.T) {
	snk := startSink(t)
	holder := &relayHolder{relay: snk.Addr, held: map[string]heldMsg{}}
	svc := learnedService(t, time.Now())
	maddr := startMilter(t, &milter.Server{Decider: withParse(svc, parseForTest(t)), Holder: holder})
	pf := StartPostfix(t, Options{Relay: snk.Addr, Milter: maddr})

	tanaka, suzuki := "tanaka@partner-a.example", "suzuki@partner-a.example"
	t.Run("honest passes", func(t *testing.T) {
		msg := japaneseMessage("honest", []string{tanaka}, []string{suzuki}, "田中様\n\n来週の打ち合わせの資料です。\n")
		if err := sendMail(t, pf.Addr, "taro@corp.example", []string{tanaka, suzuki}, msg); err != nil {
			t.Fatal(err)
		}
		got := snk.wait(t, 20*time.Second)
		// To outside recipients: nothing of misend's is added.
		if !bytes.Contains(got.Data, []byte("<honest@corp.example>")) || bytes.Contains(got.Data, []byte("X-Misend-")) {
			t.Fatalf("honest message arrived as:\n%s", got.Data)
		}
	})
	t.Run("misdirected is held, then released", func(t *testing.T) {
		// The autocomplete slip: tanaka at partner B, never mailed, next to
		// suzuki at partner A.
		wrong := "tanaka@partner-b.example"
		msg := japaneseMessage("misdirected", []string{wrong}, []string{suzuki}, "田中様\n\n来週の打ち合わせの資料です。\n")
		if err := sendMail(t, pf.Addr, "taro@corp.example", []string{wrong, suzuki}, msg); err != nil {
			t.Fatal(err)
		}
		snk.none(t, 2*time.Second)
		holder.mu.Lock()
		var id string
		for k, h := range holder.held {
			if bytes.Contains(h.raw, []byte("<misdirected@corp.example>")) {
				id = k
			}
		}
		holder.mu.Unlock()
		if id == "" {
			t.Fatal("misdirected message was not held")
		}
		if err := holder.Release(id); err != nil {
			t.Fatal(err)
		}
		got := snk.wait(t, 10*time.Second)
		if !bytes.Contains(got.Data, []byte("<misdirected@corp.example>")) {
			t.Fatalf("released message:\n%s", got.Data)
		}
	})
	t.Run("card number to outside is refused", func(t *testing.T) {
		msg := japaneseMessage("card", []string{tanaka}, nil, "カード番号: 4111 1111 1111 1111\n")
		err := sendMail(t, pf.Addr, "taro@corp.example", []string{tanaka}, msg)
		var te *textproto.Error
		if !errors.As(err, &te) || te.Code != 550 || !strings.HasPrefix(te.Msg, "5.7.1") {
			t.Fatalf("got %v, want 550 5.7.1", err)
		}
		if strings.Contains(te.Msg, "4111") {
			t.Fatalf("reply shows content: %q", te.Msg)
		}
	})
}

// parseForTest is mail.Parse, or, while this build's mail.Parse is not
// there yet, go-message reading the few fields detection needs.
// withParse is a copy of p that reads messages with parse.
func withParse(p *decide.Path, parse func([]byte, mail.Limits) (*mail.Message, error)) *decide.Path {
	c := *p
	c.Parse = parse
	return &c
}

func parseForTest(t testing.TB) func([]byte, mail.Limits) (*mail.Message, error) {
	if _, err := mail.Parse(strings.NewReader("From: a@b.example\r\n\r\nx\r\n"), mail.Limits{}); err == nil {
		return func(raw []byte, lim mail.Limits) (*mail.Message, error) { return mail.Parse(bytes.NewReader(raw), lim) }
	}
	t.Log("mail.Parse unavailable; reading test messages with go-message")
	return func(raw []byte, lim mail.Limits) (*mail.Message, error) {
		r, err := gomail.CreateReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		list := func(k string) []mail.Address {
			as, _ := r.Header.AddressList(k)
			var out []mail.Address
			for _, a := range as {
				out = append(out, mail.Address{Name: a.Name, Addr: strings.ToLower(a.Address)})
			}
			return out
		}
		m := &mail.Message{To: list("To"), Cc: list("Cc"), Size: len(raw)}
		if f := list("From"); len(f) > 0 {
			m.From = f[0]
		}
		m.MessageID, _ = r.Header.MessageID()
		m.Subject, _ = r.Header.Subject()
		m.Date, _ = r.Header.Date()
		if p, err := r.NextPart(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(p.Body, 1<<20))
			m.Text = string(b)
		}
		return m, nil
	}
}
