package detect

import "testing"

func TestQuotedPeople(t *testing.T) {
	text := "Jeff,\n\nsee below.\n\n -----Original Message-----\nFrom: \tSteffes, James  \nSent:\tTuesday, May 15, 2001 2:14 PM\n" +
		"To:\tCantrell, Rebecca\nCc:\tNicolay, Christi; Allen, Phillip K.; \"Tony Roberts\" <troberts@dyalroberts.com>@ENRON\n" +
		"Subject:\tFERC\n\n> 差出人: 田中 太郎 [mailto:tanaka@partner-a.co.jp]\n> 宛先: 鈴木\n" +
		"---------------------- Forwarded by Sara Shackleton/HOU/ECT on 05/01/2001 ----\nTo: Mark Taylor/HOU/ECT@ECT\n"
	q := quotedPeople(text)
	tests := []struct {
		addr  string
		names []string
		want  bool
	}{
		{"phillip.allen@enron.com", []string{"phillip", "allen"}, true},
		{"james.steffes@enron.com", []string{"james", "steffes"}, true},
		{"troberts@dyalroberts.com", nil, true},
		{"tanaka@partner-a.co.jp", nil, true},
		{"suzuki@partner-a.co.jp", []string{"鈴木"}, true},
		{"mark.taylor@enron.com", []string{"mark", "taylor"}, true},
		{"phillip.jones@enron.com", []string{"phillip", "jones"}, false}, // a first name alone is not a person
		{"jeff.dasovich@enron.com", []string{"jeff", "dasovich"}, false}, // greeted, not quoted
		{"sara.shackleton@enron.com", []string{"sara", "shackleton"}, false},
	}
	for _, tt := range tests {
		if got := q.has(tt.addr, tt.names); got != tt.want {
			t.Errorf("has(%s, %v) = %v, want %v", tt.addr, tt.names, got, tt.want)
		}
	}
	if q := quotedPeople("To: all staff\nplease read"); !q.empty() {
		t.Errorf("a first line names %v", q.names)
	}
}
