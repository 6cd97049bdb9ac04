package detect

import (
	"fmt"
	"testing"
	"time"

	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
)

// shapesHistory is sixteen weeks of a sales person's ordinary mail, with
// the habits honest mail shows and generators tend to leave out: a weekly
// partner thread, a colleague copied on other threads, an internal team
// another department joins, a partner's person who wrote first, a
// colleague who shares a partner's given name, a team list.
func shapesHistory(t *testing.T) *model.Model {
	t.Helper()
	dept := map[string]string{me: "sales", "kato.yumi@corp.example": "sales", "ito.jun@corp.example": "sales",
		"carol.nakamura@corp.example": "sales", "mori.ken@corp.example": "legal", "s.umebayashi@corp.example": "legal"}
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}, Department: func(s string) string { return dept[s] },
		Addressed: AddressedCompanies})
	at := t0.Add(-16 * 7 * 24 * time.Hour)
	learn := func(b mb) {
		b.m.Date = at
		at = at.Add(21 * time.Hour) // eight messages a week, up to the day before t0
		m.Learn(b.m)
	}
	for w := range 16 {
		learn(newMsg(fmt.Sprint("pa", w), me, "Tanaka Taro <tanaka@partner-a.co.jp>", "Suzuki Emi <suzuki@partner-a.co.jp>").
			text("パートナーA株式会社\n田中様\n\nいつもお世話になっております。"))
		learn(newMsg(fmt.Sprint("pa-re", w), "Tanaka Taro <tanaka@partner-a.co.jp>", me, "Suzuki Emi <suzuki@partner-a.co.jp>").reply(fmt.Sprint("pa", w)))
		learn(newMsg(fmt.Sprint("cn", w), me, "Carol Nakamura <carol.nakamura@corp.example>", "Kato Yumi <kato.yumi@corp.example>"))
		learn(newMsg(fmt.Sprint("team", w), me, "sales-all@corp.example"))
		learn(newMsg(fmt.Sprint("in", w), "kato.yumi@corp.example", me, "Ito Jun <ito.jun@corp.example>"))
		learn(newMsg(fmt.Sprint("lg", w), "mori.ken@corp.example", "kato.yumi@corp.example", "Umebayashi Sakura <s.umebayashi@corp.example>"))
		learn(newMsg(fmt.Sprint("pb", w), "Bob Lee <bob@partner-b.com>", me))
		learn(newMsg(fmt.Sprint("pb-re", w), me, "Bob Lee <bob@partner-b.com>").reply(fmt.Sprint("pb", w)))
	}
	learn(newMsg("carol-first", "Carol Smith <carol.smith@partner-b.com>", me))
	learn(newMsg("pa-root", "Tanaka Taro <tanaka@partner-a.co.jp>", me, "Suzuki Emi <suzuki@partner-a.co.jp>"))
	learn(newMsg("in-root", "kato.yumi@corp.example", me, "Ito Jun <ito.jun@corp.example>"))
	learn(newMsg("pb-root", "Bob Lee <bob@partner-b.com>", me))
	return m
}

func subject(b mb, s string) mb { b.m.Subject = s; return b }

// TestShapes is the table of honest mail that must never be stopped (at
// most a warning, under the default policy and the built-in weights), and
// of slips that must be (the sender asked to confirm, or held).
func TestShapes(t *testing.T) {
	m := shapesHistory(t)
	d := &Detector{Model: m}
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		msg    mb
		hour   int // hour of the day it is sent (UTC), 0 for office hours
		honest bool
	}{
		{"reply in a partner thread copying in a colleague mailed weekly",
			newMsg("h1", me, "tanaka@partner-a.co.jp", "suzuki@partner-a.co.jp").cc("Carol Nakamura <carol.nakamura@corp.example>").reply("pa-root"), 0, true},
		{"internal thread adding a colleague of another department",
			newMsg("h2", me, "kato.yumi@corp.example", "ito.jun@corp.example").cc("mori.ken@corp.example").reply("in-root"), 0, true},
		{"reply-all adding a partner's person who wrote first, a colleague sharing her given name",
			newMsg("h3", me, "Bob Lee <bob@partner-b.com>").cc("Carol Smith <carol.smith@partner-b.com>").reply("pb-root").text("Bob, Carol,\n\nthanks."), 0, true},
		{"first mail to a new partner whose person shares a colleague's given name",
			newMsg("h4", me, "Ono Sakura <sakura.ono@newco.co.jp>").text("株式会社ニューコ\n小野様\n\nはじめてご連絡いたします。"), 0, true},
		{"the team list, greeted as a team",
			newMsg("h5", me, "sales-all@corp.example").text("営業部各位\n\n来週の予定です。"), 0, true},
		{"late evening to the usual partner",
			newMsg("h6", me, "tanaka@partner-a.co.jp", "suzuki@partner-a.co.jp").text("田中様\n\n夜分に失礼します。"), 22, true},
		{"new colleague of a known partner, introduced by the partner on the message",
			newMsg("h7", me, "tanaka@partner-a.co.jp").cc("Ueda Ken <ueda@partner-a.co.jp>").text("田中様、上田様\n\nご紹介ありがとうございます。"), 0, true},

		{"a reply to a colleague's message on the team list, back to the list",
			subject(newMsg("h8", me, "sales-all@corp.example").text("了解しました。\n\n-----Original Message-----\nFrom: Kato Yumi\nTo: sales-all\nSubject: 来週の予定\n"), "RE: 来週の予定"), 0, true},

		{"one letter slipped in the usual partner's address",
			newMsg("s1", me, "tanka@partner-a.co.jp", "suzuki@partner-a.co.jp").text("田中様\n\n資料をお送りします。"), 0, false},
		{"the usual partner's domain as .com",
			newMsg("s2", me, "tanaka@partner-a.com", "suzuki@partner-a.co.jp"), 0, false},
		{"the usual Tanaka's name at another company",
			newMsg("s3", me, "Tanaka Ichiro <tanaka@yamada-shoji.co.jp>").text("パートナーA株式会社\n田中様\n\n見積書をお送りします。"), 0, false},
		{"an outside address added to an internal thread",
			newMsg("s4", me, "kato.yumi@corp.example", "ito.jun@corp.example").cc("someone@gmail.com").reply("in-root"), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0.Add(time.Duration(9+tt.hour) * time.Hour)
			if tt.hour != 0 {
				now = t0.Add(time.Duration(tt.hour) * time.Hour)
			}
			tt.msg.m.Date = now
			r := d.Check(tt.msg.m, now)
			dec := pol.Evaluate("sales", r.Score, r.Findings)
			stopped := dec.Verdict.Holds() || dec.Verdict == policy.Reject
			if stopped == tt.honest {
				t.Errorf("verdict %s (score %.2f, rule %s); findings:", dec.Verdict, r.Score, dec.Rule)
				for _, f := range r.Findings {
					t.Errorf("  %s %s %s %s %s %v", f.Code, f.Severity, f.Recipient, f.Suggestion, f.Key, f.Args)
				}
			}
			if tt.honest {
				for _, f := range r.Findings {
					if f.Suggestion != "" && m.IsInternal(f.Suggestion) != m.IsInternal(f.Recipient) && f.Args["why"] == whyGivenName {
						t.Errorf("suggested %s for %s on a shared given name", f.Suggestion, f.Recipient)
					}
				}
			}
		})
	}
}
