package detect

import (
	"fmt"
	"testing"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/model"
)

// TestLearnedCompany: the organisation's sent mail teaches that openings
// naming 東洋電機 go to toyo-denki.co.jp, a domain whose name shares no
// letters with it; the same opening sent to another company's 田中 is then
// a greeting mismatch, and to the right one it is not.
func TestLearnedCompany(t *testing.T) {
	const greeting = "東洋電機株式会社\n営業部\n田中様\n\nいつもお世話になっております。\n"
	learned := func(times int) *model.Model {
		m := model.New(model.Config{OrgDomains: []string{"corp.example"}, Addressed: AddressedCompanies})
		at := t0.Add(-30 * 24 * time.Hour)
		for i := range 12 {
			b := newMsg(fmt.Sprint("y", i), me, "田中 博之 <tanaka@yamada-shoji.co.jp>").text("山田商事株式会社\n田中様\n")
			b.m.Date = at.Add(time.Duration(i) * time.Hour)
			m.Learn(b.m)
		}
		for i := range times {
			// A colleague's mail teaches it too: the name is the
			// organisation's knowledge, not one sender's.
			b := newMsg(fmt.Sprint("t", i), "kato.yumi@corp.example", "田中 和也 <tanaka@toyo-denki.co.jp>").text(greeting)
			b.m.Date = at.Add(time.Duration(i) * 2 * time.Hour)
			m.Learn(b.m)
		}
		return m
	}
	tests := []struct {
		name   string
		times  int
		to     string
		domain string // of the finding; "" for none
	}{
		{"other company's namesake", minCompanyMail, "田中 博之 <tanaka@yamada-shoji.co.jp>", "toyo-denki.co.jp"},
		{"the company named", minCompanyMail, "田中 和也 <tanaka@toyo-denki.co.jp>", ""},
		{"too little mail to tell", minCompanyMail - 1, "田中 博之 <tanaka@yamada-shoji.co.jp>", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &Detector{Model: learned(tc.times)}
			r := d.Check(newMsg("check", me, tc.to).text(greeting).m, t0)
			f, fired := codes(r)[finding.GreetingMismatch]
			switch {
			case tc.domain == "" && fired:
				t.Errorf("greeting mismatch: %+v", f)
			case tc.domain != "" && (!fired || f.Args["domain"] != tc.domain):
				t.Errorf("want a greeting mismatch naming %s, got %+v", tc.domain, r.Findings)
			}
		})
	}
}

func TestAddressedCompanies(t *testing.T) {
	for text, want := range map[string]string{
		"東洋電機株式会社\n田中様\n":     "東洋電機",
		"株式会社オオシマ 新井様\n":      "オオシマ",
		"田中様\n\nお世話になっております。": "",
		"Dear Mr. Tanaka,\n":  "",
	} {
		var got string
		if c := AddressedCompanies(newMsg("x", me).text(text).m); len(c) > 0 {
			got = c[0]
		}
		if got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}
