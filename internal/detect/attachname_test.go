package detect

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
)

// TestAttachmentCompanies: the organisation's mail teaches that openings
// naming 青葉食品 go to aoba-foods.co.jp; a quote for 青葉食品 (by its file
// name or its first page) sent to another partner is then reported, with
// the features as they were without the attachment, its own aside.
func TestAttachmentCompanies(t *testing.T) {
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}, Addressed: AddressedCompanies})
	at := t0.Add(-30 * 24 * time.Hour)
	for i := range 6 {
		b := newMsg(fmt.Sprint("a", i), me, "佐藤 一郎 <sato@aoba-foods.co.jp>").text("株式会社青葉食品\n佐藤様\n")
		b.m.Date = at.Add(time.Duration(i) * time.Hour)
		m.Learn(b.m)
		b = newMsg(fmt.Sprint("y", i), me, "田中 博之 <tanaka@yamada-shoji.co.jp>").text("山田商事株式会社\n田中様\n")
		b.m.Date = at.Add(time.Duration(i)*time.Hour + time.Minute)
		m.Learn(b.m)
		b = newMsg(fmt.Sprint("n", i), me, "Kim Lee <kim@northwind-trading.com>").text("Dear Kim,\n")
		b.m.Date = at.Add(time.Duration(i)*time.Hour + 2*time.Minute)
		m.Learn(b.m)
	}
	const wrong, right = "田中 博之 <tanaka@yamada-shoji.co.jp>", "佐藤 一郎 <sato@aoba-foods.co.jp>"
	tests := []struct {
		name   string
		to     string
		att    mail.Attachment
		key    string // "" for no finding
		domain string
	}{
		{"company and honorific in the file name", wrong, mail.Attachment{Filename: "株式会社青葉食品様_お見積書.pdf"}, "greeting.attachment_company", "aoba-foods.co.jp"},
		{"honorific only", wrong, mail.Attachment{Filename: "青葉食品様 御見積.xlsx"}, "greeting.attachment_company", "aoba-foods.co.jp"},
		{"full-width brackets", wrong, mail.Attachment{Filename: "【青葉食品御中】提案書.pptx"}, "greeting.attachment_company", "aoba-foods.co.jp"},
		{"first page", wrong, mail.Attachment{Filename: "見積.pdf", Lead: "株式会社青葉食品 御中\n営業部 山田部長 様\nお見積書\n"}, "greeting.attachment_company", "aoba-foods.co.jp"},
		{"romanised name on the first page", wrong, mail.Attachment{Filename: "quote.pdf", Lead: "Quotation for Northwind Trading\n"}, "greeting.attachment", "northwind-trading.com"},
		{"to the company named", right, mail.Attachment{Filename: "株式会社青葉食品様_お見積書.pdf", Lead: "株式会社青葉食品 御中\n"}, "", ""},
		{"the recipient's own company", wrong, mail.Attachment{Filename: "山田商事様_見積.pdf"}, "", ""},
		{"a company never learned", wrong, mail.Attachment{Filename: "株式会社紫電工業様_見積.pdf"}, "", ""},
		{"a name without a mark", wrong, mail.Attachment{Filename: "青葉食品_見積.pdf"}, "", ""},
	}
	d := &Detector{Model: m}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bare := d.Check(newMsg("check", me, tc.to).text("お世話になっております。\n").m, t0)
			msg := newMsg("check", me, tc.to).text("お世話になっております。\n").m
			msg.Attachments = []mail.Attachment{tc.att}
			r := d.Check(msg, t0)
			f, fired := codes(r)[finding.GreetingMismatch]
			switch {
			case tc.key == "" && fired:
				t.Errorf("greeting mismatch: %+v", f)
			case tc.key != "" && (!fired || f.Key != tc.key || f.Args["domain"] != tc.domain || f.Args["file"] != tc.att.Filename):
				t.Errorf("want %s naming %s, got %+v", tc.key, tc.domain, r.Findings)
			}
			// The attachment features of their own aside, the name
			// found is a finding, not evidence counted twice.
			if !reflect.DeepEqual(r.Features[:fAttachCount], bare.Features[:fAttachCount]) {
				t.Errorf("the attachment moved the features: %v → %v", bare.Features, r.Features)
			}
		})
	}
}
