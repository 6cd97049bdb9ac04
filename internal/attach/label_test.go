package attach

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/misend/misend/internal/mail"
)

func TestLabels(t *testing.T) {
	const guid = "2096f6a2-d2f7-48be-b329-b73aaa526e5d"
	labelInfo := `<?xml version="1.0"?><clbl:labelList xmlns:clbl="http://schemas.microsoft.com/office/2020/mipLabelMetadata">` +
		`<clbl:label id="{2096F6A2-D2F7-48BE-B329-B73AAA526E5D}" enabled="1" method="Privileged" siteId="{cb46c030-1825-4e81-a295-151c039dbf02}" removed="0"/>` +
		`<clbl:label id="{11111111-2222-3333-4444-555555555555}" enabled="1" method="Standard" siteId="{cb46c030-1825-4e81-a295-151c039dbf02}" removed="1"/>` +
		`</clbl:labelList>`
	off := `<Properties><property name="MSIP_Label_` + guid + `_Enabled"><vt:lpwstr>false</vt:lpwstr></property>` +
		`<property name="MSIP_Label_` + guid + `_Name"><vt:lpwstr>社外秘</vt:lpwstr></property></Properties>`
	minimal := func(extra ...string) []byte {
		files := append([]string{"[Content_Types].xml", "<Types/>", "word/document.xml",
			`<w:document><w:body><w:p><w:r><w:t>見積書</w:t></w:r></w:p></w:body></w:document>`}, extra...)
		return zipOf(t, files...)
	}
	tests := []struct {
		name string
		file string
		data []byte
		want []mail.SensitivityLabel
	}{
		{"custom properties as Office writes them", "見積.docx", readFile(t, "quote-labelled.docx"), []mail.SensitivityLabel{{ID: guid, Name: "社外秘"}}},
		{"LabelInfo.xml: GUIDs only, removed ones left out", "見積.docx", minimal("docMetadata/LabelInfo.xml", labelInfo), []mail.SensitivityLabel{{ID: guid}}},
		{"a label switched off", "見積.docx", minimal("docProps/custom.xml", off), nil},
		{"a labelled document inside an archive", "資料.zip", zipOf(t, "見積.docx", string(readFile(t, "quote-labelled.docx"))), []mail.SensitivityLabel{{ID: guid, Name: "社外秘"}}},
		{"no label", "見積.docx", readFile(t, "quote.docx"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Read(context.Background(), tt.file, "", tt.data, Limits{})
			if diff := cmp.Diff(tt.want, res.Labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s\nproblems %v", diff, res.Problems)
			}
		})
	}
}
