package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
)

type zonedPeople struct {
	people
	zones map[string]string
}

func (p zonedPeople) ZoneOf(a string) string { return p.zones[strings.ToLower(a)] }

// TestLifecycleNotices: what the approval lifecycle sends, in each
// reader's language and time zone (their own, else the organisation's),
// with the links each may use and never a confidential term; Japanese
// notices are Japanese throughout.
func TestLifecycleNotices(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		lang  string // the sender's and approvers' language
		send  func(n *Notifier, w Waiting) error
		to    []string
		texts [][]string // per notice
		links [][]Action
	}{
		{"self-release ja", "ja", func(n *Notifier, w Waiting) error {
			w.SelfReleaseAt = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
			return n.Notify(context.Background(), w)
		}, []string{"taro@corp.example"},
			[][]string{{"一時保留中のメール", "2026年11月22日 19:30 (JST)以降に次のリンクからご自身で送信してください", "2026年11月24日 18:00 (JST)までに判断がない場合", "送信されずに差出人へ返送されます"}},
			[][]Action{{ActRelease, ActCancel}}},
		{"self-release en", "en", func(n *Notifier, w Waiting) error {
			w.SelfReleaseAt = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
			return n.Notify(context.Background(), w)
		}, []string{"taro@corp.example"},
			[][]string{{"Your message is on hold", "you can send it yourself from 22 Nov 2026 19:30 JST"}},
			[][]Action{{ActRelease, ActCancel}}},
		{"escalated to a deputy in New York", "ja", func(n *Notifier, w Waiting) error {
			return n.Escalated(context.Background(), w, []string{"jicho@corp.example", "taro@corp.example"}, true)
		}, []string{"jicho@corp.example"},
			[][]string{{"代理承認のお願い", "代理承認者であるあなた", "宛先: tanaka@partner-b.example", "2026年11月24日 04:00 (EST)までに判断がない場合", "承認画面で理由を入力してください"}},
			[][]Action{{ActReject}}},
		{"escalated to the next level en", "en", func(n *Notifier, w Waiting) error {
			return n.Escalated(context.Background(), w, []string{"shacho@corp.example"}, false)
		}, []string{"shacho@corp.example"},
			[][]string{{"passed on to you as the next approver", "Without a decision by 24 Nov 2026 18:00 JST, the message is returned to its sender unsent"}},
			[][]Action{{ActReject}}},
		{"held with a deadline ja", "ja", func(n *Notifier, w Waiting) error {
			return n.Notify(context.Background(), w)
		}, []string{"taro@corp.example", "boss@corp.example"},
			[][]string{
				{"承認待ちのメール", "2026年11月24日 18:00 (JST)までに承認されない場合、このメールは送信されずにお手元へ返送されます"},
				{"承認待ちです", "2026年11月24日 18:00 (JST)までに判断がない場合"},
			},
			[][]Action{{ActCancel}, {ActReject}}},
		{"returned ja", "ja", func(n *Notifier, w Waiting) error {
			return n.TimedOut(context.Background(), w, true, []string{"boss@corp.example", "taro@corp.example"})
		}, []string{"taro@corp.example", "boss@corp.example"},
			[][]string{
				{"承認期限切れのため返送しました", "承認期限（2026年11月24日 18:00 (JST)）までに承認されなかったため", "別便にてお手元へお返ししております"},
				{"承認期限切れ", "送信せずに差出人へ返送しました", "対応は不要です"},
			},
			[][]Action{nil, nil}},
		{"refused en", "en", func(n *Notifier, w Waiting) error {
			w.FinalAction = "reject"
			return n.TimedOut(context.Background(), w, false, []string{"boss@corp.example"})
		}, []string{"taro@corp.example", "boss@corp.example"},
			[][]string{
				{"Your message was not sent", "was not approved by 24 Nov 2026 18:00 JST, so it has been refused"},
				{"No decision in time", "It has been refused and not sent."},
			},
			[][]Action{nil, nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &memOutbox{}
			n := newNotifier(t, out)
			n.Location = tokyo
			lang := map[string]string{}
			for _, a := range []string{"taro@corp.example", "boss@corp.example", "jicho@corp.example", "shacho@corp.example"} {
				lang[a] = tc.lang
			}
			n.People = zonedPeople{
				people: people{lang: lang, approvers: map[string][]string{"営業部": {"boss@corp.example"}}},
				zones:  map[string]string{"jicho@corp.example": "America/New_York"},
			}
			w := waiting(policy.Hold)
			w.Deadline, w.FinalAction = deadline, "return"
			if err := tc.send(n, w); err != nil {
				t.Fatal(err)
			}
			if len(out.got) != len(tc.to) {
				t.Fatalf("%d notices, want %d", len(out.got), len(tc.to))
			}
			for i, m := range out.got {
				subj, body, _ := decoded(t, m.Raw)
				text := subj + "\n" + body
				if m.To[0] != tc.to[i] {
					t.Errorf("notice %d to %s, want %s", i, m.To[0], tc.to[i])
				}
				for _, s := range tc.texts[i] {
					if !strings.Contains(text, s) {
						t.Errorf("notice %d lacks %q:\n%s", i, s, text)
					}
				}
				if strings.Contains(text, secretTerm) {
					t.Errorf("notice %d shows a confidential term", i)
				}
				if tc.lang == "ja" {
					if leaks := japaneseLeaks(strings.ReplaceAll(text, "EST", "")); len(leaks) > 0 {
						t.Errorf("notice %d has English %q:\n%s", i, leaks, text)
					}
				}
				g := linksIn(t, n.Signer, body)
				if len(g) != len(tc.links[i]) {
					t.Errorf("notice %d links %v, want %v", i, g, tc.links[i])
				}
				for _, a := range tc.links[i] {
					if g[a].QueueID != "q-42" || g[a].Actor != tc.to[i] {
						t.Errorf("notice %d: no %s link for %s: %v", i, a, tc.to[i], g)
					}
				}
			}
		})
	}
}

// A release link is offered to approvers only when no confidential term
// needs a reason on record, escalated or not.
func TestEscalatedReleaseLink(t *testing.T) {
	out := &memOutbox{}
	n := newNotifier(t, out)
	w := waiting(policy.Hold)
	w.Findings = []finding.Finding{{Code: finding.NewDomain, Recipient: "tanaka@partner-b.example", Message: "new domain"}}
	if err := n.Escalated(context.Background(), w, []string{"jicho@corp.example"}, true); err != nil {
		t.Fatal(err)
	}
	_, body, _ := decoded(t, out.got[0].Raw)
	if g := linksIn(t, n.Signer, body); g[ActRelease].QueueID != "q-42" || g[ActReject].QueueID != "q-42" {
		t.Errorf("links %v", g)
	}
}
