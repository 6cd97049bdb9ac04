package decide

import "testing"

func TestSubjectOf(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"Subject: plain\r\n\r\nb", "plain"},
		{"Subject: =?ISO-2022-JP?B?GyRCOCtAUT1xGyhC?=\r\n\r\n", "見積書"},
		{"Subject: =?x-unknown?B?GyRCOCtAUT1xGyhC?=\r\n\r\n", "=?x-unknown?B?GyRCOCtAUT1xGyhC?="},
		{"From: x\r\n\r\n", ""},
		{"garbage without headers", ""},
		{"", ""},
		{"Subject: folded\r\n line\r\n\r\n", "folded line"},
	}
	for _, tt := range tests {
		if got := SubjectOf([]byte(tt.raw)); got != tt.want {
			t.Errorf("SubjectOf(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
