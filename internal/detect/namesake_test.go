package detect

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/model"
)

// colleagues is a past in which me mails 石川 隆 of accounting (経理部)
// often, another 石川 of development (開発部) now and then, and two more
// 石川 work in development and legal.
func colleagues(t *testing.T) *model.Model {
	t.Helper()
	dept := map[string]string{
		me:                           "営業部",
		"t.ishikawa@corp.example":    "経理部",
		"n.ishikawa@corp.example":    "開発部",
		"k.ishikawa@corp.example":    "法務部",
		"kato.yumi@corp.example":     "経理部",
		"mori.ken@corp.example":      "開発部",
		"suzuki.hana@corp.example":   "営業部",
		"yamada.akira@corp.example":  "開発部",
		"ishikawa.rare@corp.example": "開発部",
	}
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}, Department: func(s string) string { return dept[s] }})
	at := t0.Add(-60 * 24 * time.Hour)
	for i := range 20 {
		b := newMsg(fmt.Sprint("acc", i), me, "石川 隆 <t.ishikawa@corp.example>").cc("加藤 由美 <kato.yumi@corp.example>")
		b.m.Date = at.Add(time.Duration(i) * 5 * time.Hour)
		m.Learn(b.m)
	}
	// Mail among others teaches the model every colleague's name.
	for i, to := range []string{"石川 直樹 <n.ishikawa@corp.example>", "石川 健 <k.ishikawa@corp.example>", "森 健 <mori.ken@corp.example>"} {
		b := newMsg(fmt.Sprint("other", i), "suzuki.hana@corp.example", to)
		b.m.Date = at
		m.Learn(b.m)
	}
	// A few messages to a development colleague's namesake.
	for i := range 3 {
		b := newMsg(fmt.Sprint("rare", i), me, "石川 理 <ishikawa.rare@corp.example>")
		b.m.Date = at.Add(time.Duration(i) * 24 * time.Hour)
		m.Learn(b.m)
	}
	return m
}

func TestGreetingNamesAnotherDepartment(t *testing.T) {
	m := colleagues(t)
	tests := []struct {
		name, text, to string
		wrong          bool   // a greeting mismatch on to
		suggest        string // the contact suggested instead
	}{
		{"namesake in another department", "経理部 石川さん\n\nお疲れさまです。佐藤です。", "石川 直樹 <n.ishikawa@corp.example>", true, "t.ishikawa@corp.example"},
		{"written with の", "経理部の石川さん\n\nお疲れさまです。", "石川 健 <k.ishikawa@corp.example>", true, "t.ishikawa@corp.example"},
		{"the one in the department named", "経理部 石川さん\n\nお疲れさまです。", "石川 隆 <t.ishikawa@corp.example>", false, ""},
		{"a department the directory lacks", "総務課 石川さん\n\nお疲れさまです。", "石川 直樹 <n.ishikawa@corp.example>", false, ""},
		{"no department written", "石川さん\n\nお疲れさまです。", "石川 直樹 <n.ishikawa@corp.example>", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := (&Detector{Model: m}).Check(newMsg("check", me, tc.to).text(tc.text).m, t0)
			var got *finding.Finding
			for i, f := range r.Findings {
				if f.Code == finding.GreetingMismatch {
					got = &r.Findings[i]
				}
			}
			if !tc.wrong {
				if got != nil {
					t.Fatalf("greeting mismatch: %+v", *got)
				}
				return
			}
			if got == nil || got.Recipient != a(tc.to).Addr || got.Suggestion != tc.suggest {
				t.Fatalf("want a greeting mismatch on %s suggesting %s, got %+v", a(tc.to).Addr, tc.suggest, r.Findings)
			}
			if r.Features[fGreetDepartment] != 1 {
				t.Errorf("%s not set", FeatureNames[fGreetDepartment])
			}
		})
	}
}

// A department in the greeting is not another company: mail to colleagues
// only that opens with one is no greeting "to someone outside".
func TestDepartmentIsNoCompany(t *testing.T) {
	m := colleagues(t)
	r := (&Detector{Model: m}).Check(newMsg("check", me, "石川 隆 <t.ishikawa@corp.example>").text("経理部 石川さん\n\nお疲れさまです。").m, t0)
	if r.Features[fGreetOutside] != 0 {
		t.Errorf("%s set for a department greeting: %+v", FeatureNames[fGreetOutside], r.Findings)
	}
}

// A contact mailed now and then, next to someone who always comes with another of
// the same name, is the sender's rare namesake: suggest the usual one.
func TestRareNamesakeContact(t *testing.T) {
	m := colleagues(t)
	d := &Detector{Model: m}
	r := d.Check(newMsg("check", me, "石川 理 <ishikawa.rare@corp.example>").cc("加藤 由美 <kato.yumi@corp.example>").m, t0)
	f, ok := codes(r)[finding.SimilarContact]
	if !ok || f.Recipient != "ishikawa.rare@corp.example" || f.Suggestion != "t.ishikawa@corp.example" {
		t.Fatalf("want SIMILAR_CONTACT on the rare 石川 suggesting t.ishikawa, got %+v", r.Findings)
	}
	if r.Features[fSimilarKnown] <= 0 {
		t.Errorf("%s not set", FeatureNames[fSimilarKnown])
	}
	// Alone, nothing says the usual one fits better.
	r = d.Check(newMsg("check", me, "石川 理 <ishikawa.rare@corp.example>").m, t0)
	if _, ok := codes(r)[finding.SimilarContact]; ok || r.Features[fSimilarKnown] != 0 {
		t.Errorf("rare contact alone flagged: %+v", r.Findings)
	}
}

// The contact the greeting names is the one suggested, though another
// looks more like the address typed.
func TestSuggestionFollowsGreeting(t *testing.T) {
	m := colleagues(t)
	for i := range 30 {
		b := newMsg(fmt.Sprint("dev", i), me, "石川 望 <n.ishikawa2@corp.example>")
		b.m.Date = t0.Add(-time.Duration(i+1) * 24 * time.Hour)
		m.Learn(b.m)
	}
	d := &Detector{Model: m}
	for _, tc := range []struct{ text, want string }{
		{"石川 望さん\n\nお疲れさまです。", "n.ishikawa2@corp.example"},
		{"経理部 石川さん\n\nお疲れさまです。", "t.ishikawa@corp.example"},
		{"お疲れさまです。", "n.ishikawa2@corp.example"}, // nobody greeted: the likest address
	} {
		r := d.Check(newMsg("check", me, "石川 直樹 <n.ishikawa@corp.example>").text(tc.text).m, t0)
		if f, ok := codes(r)[finding.SimilarContact]; !ok || f.Suggestion != tc.want {
			t.Errorf("%q: want SIMILAR_CONTACT suggesting %s, got %+v", tc.text, tc.want, r.Findings)
		}
	}
}

// Many known colleagues on one message do not use up the recipients
// compared with the sender's contacts: the new namesake among them is
// still found.
func TestNewNamesakeAmongManyKnown(t *testing.T) {
	m := colleagues(t)
	var team []string
	for i := range 2 * maxExamined {
		addr := fmt.Sprintf("member%d@corp.example", i)
		team = append(team, addr)
		for k := range 3 {
			b := newMsg(fmt.Sprint("team", i, "-", k), me, addr)
			b.m.Date = t0.Add(-time.Duration(10*i+k+1) * time.Hour)
			m.Learn(b.m)
		}
	}
	r := (&Detector{Model: m}).Check(newMsg("check", me, append(team, "石川 直樹 <n.ishikawa@corp.example>")...).m, t0)
	if f, ok := codes(r)[finding.SimilarContact]; !ok || f.Recipient != "n.ishikawa@corp.example" {
		t.Fatalf("want SIMILAR_CONTACT on the new 石川 after %d known colleagues, got %+v", len(team), r.Findings)
	}
}

// Contacts' names are kept across checks only while the model knows the
// address by the same names: a new display name is seen at once.
func TestNameCacheFollowsModel(t *testing.T) {
	m := colleagues(t)
	d := &Detector{Model: m}
	tokens := func() []string {
		c := &check{d: d, m: m}
		return c.nameTokensOf("t.ishikawa@corp.example", "")
	}
	if got := tokens(); slices.Contains(got, "takashi") {
		t.Fatalf("tokens %v before the name was seen", got)
	}
	b := newMsg("named", me, "Takashi Ishikawa <t.ishikawa@corp.example>")
	b.m.Date = t0.Add(-time.Hour)
	m.Learn(b.m)
	if got := tokens(); !slices.Contains(got, "takashi") {
		t.Fatalf("tokens %v after the model learned \"Takashi Ishikawa\"", got)
	}
}
