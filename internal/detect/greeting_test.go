package detect

import (
	"slices"
	"testing"
)

func TestParseGreeting(t *testing.T) {
	tests := []struct {
		text string
		want []Greeting
	}{
		{"A社 田中様\n\nお世話になっております。", []Greeting{{Company: "a", Person: "田中"}}},
		{"株式会社Aの田中様", []Greeting{{Company: "a", Person: "田中"}}},
		{"ABC商事株式会社 営業部 田中太郎様", []Greeting{{Company: "abc商事", Department: "営業部", Person: "田中太郎"}}},
		{"田中さん、鈴木さん\n", []Greeting{{Person: "田中"}, {Person: "鈴木"}}},
		{"営業部 ご担当者様", []Greeting{{Department: "営業部"}}},
		{"Dear Mr. Tanaka,\nThank you.", []Greeting{{Person: "tanaka"}}},
		{"Hi Bob,", []Greeting{{Person: "bob"}}},
		{"Hello Bob and Alice, here it is", []Greeting{{Person: "bob"}, {Person: "alice"}}},
		{"Dear Tanaka-san:", []Greeting{{Person: "tanaka"}}},
		{"Hi all,", nil},
		{"> 田中様\n> quoted\nDear Ms. Suzuki,", []Greeting{{Person: "suzuki"}}},
		{"Please find attached.\nRegards", nil},
		{"", nil},
		{"a\nb\nc\nd\ne\nf\nDear Mr. Late,", nil},                // only the first lines count
		{"ＡＢＣ社　田中様", []Greeting{{Company: "abc", Person: "田中"}}}, // full width
		{"株式会社青葉食品\n鈴木様\n\nいつもお世話になっております。", []Greeting{{Company: "青葉食品", Person: "鈴木"}}},
		{"青葉食品株式会社 営業部\n鈴木様", []Greeting{{Company: "青葉食品", Department: "営業部", Person: "鈴木"}}},
		{"株式会社青葉食品\nお世話になっております。\n鈴木さん", []Greeting{{Person: "鈴木"}}},                                         // not the line above
		{"東洋電機株式会社\n営業部 第二課\n田中様", []Greeting{{Company: "東洋電機", Department: "営業部 第二課", Person: "田中"}}},       // department between
		{"東洋電機株式会社\n営業部\n課長\n田中様", []Greeting{{Person: "田中"}}},                                               // too far apart
		{"営業部\n田中様", []Greeting{{Department: "営業部", Person: "田中"}}},                                          // no company above
		{"Northwind Trading Co.\nDavid White様\n", []Greeting{{Company: "northwind", Person: "david white"}}}, // Western name, Latin company
		{"Contoso, Inc.\nMs. Emily Clark\n", nil}, // a company line alone greets nobody
		{"福田さん\n\nお疲れさまです。安藤です。", []Greeting{{Person: "福田"}}},
		{"経理部 石川さん\n\nお疲れさまです。", []Greeting{{Department: "経理部", Person: "石川"}}}, // a colleague elsewhere
		{"経理部の石川さん", []Greeting{{Department: "経理部", Person: "石川"}}},
		{"山田商事の営業部の田中様", []Greeting{{Company: "山田商事", Department: "営業部", Person: "田中"}}},
		// Bare openings, as colleagues write: only names before the mark.
		{"John,\nsee below.", []Greeting{{Person: "john", Bare: true}}},
		{"Sally - can you look at this?", []Greeting{{Person: "sally", Bare: true}}},
		{"Mark and Sally:", []Greeting{{Person: "mark", Bare: true}, {Person: "sally", Bare: true}}},
		{"Mark Taylor--", []Greeting{{Person: "mark taylor", Bare: true}}},
		{"Jeff, Jim, Dave,", []Greeting{{Person: "jeff", Bare: true}, {Person: "jim", Bare: true}, {Person: "dave", Bare: true}}},
		{"Thanks, I will.", nil},
		{"FYI: the deal closed", nil},
		{"Yes - tomorrow works.", nil},
		{"The deal closed, as planned.", nil}, // a sentence, not a name
		{"I think so, yes.", nil},
		{"Call me at 3:00", nil},
		{"Please see below.\nJohn,", nil}, // only the first line
		{"> Mark,\nSally -", []Greeting{{Person: "sally", Bare: true}}},
	}
	for _, tt := range tests {
		if got := ParseGreeting(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("ParseGreeting(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		max  int
		want int
	}{
		{"trading", "trading", 2, 0},
		{"trading", "tarding", 2, 1}, // adjacent swap
		{"trading", "tradng", 2, 1},
		{"trading", "tradingg", 2, 1},
		{"ckbenergy", "apbenergy", 2, 2},
		{"abc", "xyz", 1, 2}, // gives up above max
		{"", "abc", 5, 3},
	} {
		if got := editDistance(tt.a, tt.b, tt.max); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.max, got, tt.want)
		}
	}
	if _, ok := lookalike("state.nm.us", "ev.state.az.us"); ok {
		t.Error("two state government domains taken for lookalikes")
	}
	if _, ok := lookalike("bear.con", "bear.com"); !ok {
		t.Error("bear.con not taken for bear.com")
	}
}

func TestLookalikeOwnDomain(t *testing.T) {
	for _, tt := range []struct {
		dom      string
		own, any bool // a lookalike of the own domain; of anyone's
	}{
		{"corp.exmaple", true, true}, // the same name under another ending
		{"cotp.example", true, false},
		{"crop.example", true, false},
		{"cor.example", true, false},
		{"c0rp.example", true, false}, // the UTS #39 skeleton keeps 0 apart from o
		{"corp.example", false, false},
		{"card.example", false, false},
	} {
		if _, ok := lookalikeOwn(tt.dom, "corp.example"); ok != tt.own {
			t.Errorf("lookalikeOwn(%q, corp.example) = %v, want %v", tt.dom, ok, tt.own)
		}
		// Four letters are too short for an outsider's typo: another
		// organisation's name is as likely.
		if _, ok := lookalike(tt.dom, "corp.example"); ok != tt.any {
			t.Errorf("lookalike(%q, corp.example) = %v, want %v", tt.dom, ok, tt.any)
		}
	}
}

func TestFamilyNames(t *testing.T) {
	for _, tt := range []struct {
		display string
		want    []string
	}{
		{"田中 太郎", []string{"田中"}},
		{"田中太郎", []string{"田中"}},
		{"John Smith", []string{"smith"}},
		{"Smith, John", []string{"smith"}},
		{"", nil},
		{"!!", nil},
	} {
		if got := familyNames(tt.display); !slices.Equal(got, tt.want) {
			t.Errorf("familyNames(%q) = %v, want %v", tt.display, got, tt.want)
		}
	}
	for _, tt := range []struct {
		local string
		want  string
	}{
		{"t.fukuda2", "fukuda"},
		{"m-kinoshita", "kinoshita"},
		{"John.Smith", "smith"},
		{"tanaka", "tanaka"},
		{"a.b", ""},
		{"", ""},
	} {
		if got := localFamily(tt.local); got != tt.want {
			t.Errorf("localFamily(%q) = %v, want %v", tt.local, got, tt.want)
		}
	}
}

func TestSimilarityAddressRules(t *testing.T) {
	none := func() []string { return nil }
	for _, tt := range []struct {
		r, k string
		want string
	}{
		{"t.fukuda@corp.example", "t.fukuda2@corp.example", whyNumbered},
		{"t.fukuda3@corp.example", "t.fukuda@corp.example", whyNumbered},
		{"t.fukuda@corp.example", "t.fukuada@corp.example", whyOneLetter},
		{"m.shibata@corp.example", "m.hirata@corp.example", "similar.two_letters"},
		{"m.ota@corp.example", "m.oto@corp.example", whyOneLetter},
		{"m.ota@corp.example", "m.ito@corp.example", ""}, // two letters in a short address: another name
		{"t.fukuda@corp.example", "t.fukuda@other.example", "similar.other_domain"},
		{"a.b@corp.example", "x.yz@corp.example", ""},
	} {
		_, why := similarity(tt.r, localPart(tt.r), domainOf(tt.r), nil, nil, tt.k, none, none)
		if why != tt.want {
			t.Errorf("similarity(%s, %s) says %q, want %q", tt.r, tt.k, why, tt.want)
		}
	}
}
