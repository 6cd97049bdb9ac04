package mail

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const guidA = "2096f6a2-d2f7-48be-b329-b73aaa526e5d"

func TestParseMSIPLabels(t *testing.T) {
	tests := []struct {
		name, header string
		want         []SensitivityLabel
	}{
		{"Outlook's header", "MSIP_Label_2096f6a2-d2f7-48be-b329-b73aaa526e5d_Enabled=true; MSIP_Label_2096f6a2-d2f7-48be-b329-b73aaa526e5d_SetDate=2026-11-08T21:13:16Z; MSIP_Label_2096f6a2-d2f7-48be-b329-b73aaa526e5d_Method=Privileged; MSIP_Label_2096f6a2-d2f7-48be-b329-b73aaa526e5d_Name=社外秘; MSIP_Label_2096f6a2-d2f7-48be-b329-b73aaa526e5d_SiteId=cb46c030-1825-4e81-a295-151c039dbf02; MSIP_Label_2096f6a2-d2f7-48be-b329-b73aaa526e5d_ContentBits=0;",
			[]SensitivityLabel{{ID: guidA, Name: "社外秘"}}},
		{"GUID in upper case, name before Enabled", "MSIP_Label_2096F6A2-D2F7-48BE-B329-B73AAA526E5D_Name=Confidential;MSIP_Label_2096F6A2-D2F7-48BE-B329-B73AAA526E5D_Enabled=True",
			[]SensitivityLabel{{ID: guidA, Name: "Confidential"}}},
		{"a label switched off is none", "MSIP_Label_" + guidA + "_Enabled=false; MSIP_Label_" + guidA + "_Name=Confidential;", nil},
		{"no name", "MSIP_Label_" + guidA + "_Enabled=true", []SensitivityLabel{{ID: guidA}}},
		{"not a GUID", "MSIP_Label_12345_Enabled=true; MSIP_Label__Enabled=true", nil},
		{"not MSIP", "foo=bar; Enabled=true", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ParseMSIPLabels(tt.header)); diff != "" {
				t.Errorf("ParseMSIPLabels(%q) (-want +got):\n%s", tt.header, diff)
			}
		})
	}
}

func TestParseReadsMSIPHeader(t *testing.T) {
	raw := "From: a@corp.example\r\nTo: b@partner.example\r\nSubject: x\r\n" +
		"msip_labels: MSIP_Label_" + guidA + "_Enabled=true;\r\n MSIP_Label_" + guidA + "_Name=General;\r\n\r\nbody\r\n"
	m, err := Parse(strings.NewReader(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []SensitivityLabel{{ID: guidA, Name: "General"}}; !cmp.Equal(m.Labels, want) {
		t.Errorf("Labels = %v, want %v", m.Labels, want)
	}
}
