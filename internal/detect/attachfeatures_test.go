package detect

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
)

func TestAttachmentFeatures(t *testing.T) {
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}})
	// The sender sends partner.example PDFs, nothing else.
	for i := range 5 {
		b := newMsg(fmt.Sprint("h", i), me, "tanaka@partner.example").attach("見積.pdf")
		b.m.Date = t0.Add(-time.Duration(i+1) * 24 * time.Hour)
		m.Learn(b.m)
	}
	d := &Detector{Model: m}
	label := []mail.SensitivityLabel{{ID: "2096f6a2-d2f7-48be-b329-b73aaa526e5d", Name: "社外秘"}}
	tests := []struct {
		name string
		to   string
		atts []mail.Attachment
		hdr  []mail.SensitivityLabel
		want map[int]float64 // the attachment features; those not named are 0
	}{
		{"no attachment", "tanaka@partner.example", nil, nil, nil},
		{"the usual PDF", "tanaka@partner.example", []mail.Attachment{{Filename: "見積2.pdf"}}, nil,
			map[int]float64{fAttachCount: math.Log1p(1), fAttachKinds: 1}},
		{"a spreadsheet never sent there", "tanaka@partner.example", []mail.Attachment{{Filename: "見積.pdf"}, {Filename: "原価.xlsx"}}, nil,
			map[int]float64{fAttachCount: math.Log1p(2), fAttachKinds: 2, fAttachNewKind: 1}},
		{"a PDF to a domain never sent one", "suzuki@other.example", []mail.Attachment{{Filename: "見積.pdf"}}, nil,
			map[int]float64{fAttachCount: math.Log1p(1), fAttachKinds: 1, fAttachNewKind: 1}},
		{"inside, nothing is new", "ito@corp.example", []mail.Attachment{{Filename: "人事.docx"}}, nil,
			map[int]float64{fAttachCount: math.Log1p(1), fAttachKinds: 1}},
		{"an encrypted archive", "tanaka@partner.example", []mail.Attachment{{Filename: "資料.zip", Encrypted: []string{"a.docx"}}}, nil,
			map[int]float64{fAttachCount: math.Log1p(1), fAttachKinds: 1, fAttachArchive: 1, fAttachEncrypted: 1, fAttachNewKind: 1}},
		{"a labelled document", "tanaka@partner.example", []mail.Attachment{{Filename: "見積.pdf", Labels: label}}, nil,
			map[int]float64{fAttachCount: math.Log1p(1), fAttachKinds: 1, fAttachLabelled: 1}},
		{"a labelled message", "tanaka@partner.example", nil, label, map[int]float64{fAttachLabelled: 1}},
		{"a signature is no attachment", "tanaka@partner.example", []mail.Attachment{{Filename: "smime.p7s", ContentType: "application/pkcs7-signature"}}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := newMsg("x", me, tt.to).m
			msg.Date, msg.Attachments, msg.Labels = t0, tt.atts, tt.hdr
			r := d.Check(msg, t0)
			for i := fAttachCount; i < numFeatures; i++ {
				if got, want := r.Features[i], tt.want[i]; math.Abs(got-want) > 1e-9 {
					t.Errorf("%s = %v, want %v", FeatureNames[i], got, want)
				}
			}
		})
	}
}
