package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/synth"
)

// walkThrough checks every scenario as of its own date and prints the
// verdict with what the sender would be told.
func walkThrough(w *narrator, org *learned, rep *Report) error {
	w.printf("\nMessages written today, checked before they leave (what the sender is told):\n")
	caught, mistakes, passed, honest := 0, 0, 0, 0
	for i, s := range org.scenarios {
		msg, err := mail.Parse(bytes.NewReader(s.Raw), mail.Limits{})
		if err != nil {
			return fmt.Errorf("demo: scenario %s: %w", s.Name, err)
		}
		out := org.svc.DecideMessage(context.Background(), decide.Envelope{From: msg.From.Addr, At: msg.Date}, msg).Outcome()
		org.outcomes = append(org.outcomes, scenarioOutcome{sender: msg.From.Addr, verdict: out.Verdict})
		kind := "honest"
		if s.Mistake {
			kind = "mistake"
			mistakes++
			if out.Verdict != policy.Pass {
				caught++
			}
		} else {
			honest++
			if out.Verdict == policy.Pass {
				passed++
			}
		}
		w.printf("\n%2d. %s (%s) — %s\n", i+1, s.Name, kind, s.Description)
		w.printf("    %s → %s\n", msg.From.Addr, recipients(msg))
		printOutcome(w, out, senderLang(org, msg.From.Addr))
	}
	w.printf("\nStopped %d of %d mistakes; let %d of %d honest messages through silently.\n", caught, mistakes, passed, honest)
	rep.Mistakes, rep.Caught, rep.Honest, rep.Passed = mistakes, caught, honest, passed
	return w.err
}

// senderLang is the language the sender reads findings in: the directory's
// setting, else Japanese for a name written in Japanese (or a sender the
// directory does not know: the organisation is Japanese), else English,
// which is what the synthetic organisation's staff with Latin-script names
// write their own mail in.
func senderLang(org *learned, addr string) string {
	if org.svc == nil || org.svc.Directory == nil {
		return "ja"
	}
	p, ok := org.svc.Directory.Load().Person(addr)
	switch {
	case !ok:
		return "ja"
	case p.Lang != "":
		return finding.Lang(p.Lang)
	case p.Name != "" && !strings.ContainsFunc(p.Name, func(r rune) bool { return r >= 0x3040 }):
		return "en"
	}
	return "ja"
}

// printOutcome prints what the sender is told, in lang.
func printOutcome(w *narrator, out decide.Outcome, lang string) {
	w.printf("    verdict %s (score %.2f)\n", strings.ToUpper(string(out.Verdict)), out.Score)
	for _, f := range finding.LocalizeAll(finding.SenderView(out.Findings), lang) {
		line := f.Message
		if f.Recipient != "" {
			line = f.Recipient + ": " + line
		}
		switch {
		case strings.Contains(f.Suggestion, "@") && !strings.Contains(f.Suggestion, " ") && lang == "ja":
			line += " — " + f.Suggestion + " の間違いではありませんか？"
		case strings.Contains(f.Suggestion, "@") && !strings.Contains(f.Suggestion, " "):
			line += " — did you mean " + f.Suggestion + "?"
		case f.Suggestion != "":
			line += " — " + f.Suggestion
		}
		w.printf("      %-6s %s %s\n", f.Severity, f.Code, line)
	}
}

func recipients(msg *mail.Message) string {
	var all []string
	for _, a := range msg.To {
		all = append(all, a.Addr)
	}
	for _, a := range msg.Cc {
		all = append(all, "cc:"+a.Addr)
	}
	for _, a := range msg.Bcc {
		all = append(all, "bcc:"+a.Addr)
	}
	if len(all) > 4 {
		return strings.Join(all[:4], ", ") + fmt.Sprintf(" and %d more", len(all)-4)
	}
	return strings.Join(all, ", ")
}

// confidentialScenario is an honest-looking message — the usual partner,
// the usual sender — carrying the sender's department's confidential
// vocabulary: the recipients are right, the content must not leave.
func confidentialScenario(org *synth.Org, sc []synth.Scenario) (synth.Scenario, error) {
	for _, s := range sc {
		if s.Name != "usual-partner-mail" {
			continue
		}
		msg, err := mail.Parse(bytes.NewReader(s.Raw), mail.Limits{})
		if err != nil {
			return synth.Scenario{}, err
		}
		var term string
		for _, p := range org.People {
			if strings.EqualFold(p.Address, msg.From.Addr) && len(org.Departments[p.Dept].Terms) > 0 {
				term = org.Departments[p.Dept].Terms[0]
			}
		}
		if term == "" || len(msg.To) == 0 {
			break
		}
		date := msg.Date.Add(10 * time.Minute)
		var b strings.Builder
		fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <demo-confidential.%d@corp.example>\r\n",
			msg.From.Addr, msg.To[0].Addr, mime.BEncoding.Encode("utf-8", "資料送付の件"), date.Format(time.RFC1123Z), date.Unix())
		b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		fmt.Fprintf(&b, "いつもお世話になっております。\r\n先日の件、社内資料「%s」をそのまま添付します。\r\nよろしくお願いいたします。\r\n", term)
		return synth.Scenario{
			Name:        "department-secret-to-partner",
			Description: "いつもの取引先あてだが、本文に部署の機密語が含まれている",
			Raw:         []byte(b.String()),
			Mistake:     true,
		}, nil
	}
	return synth.Scenario{}, errors.New("no partner scenario to build on")
}
