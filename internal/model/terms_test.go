package model

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestTerms(t *testing.T) {
	m := New(Config{})
	terms := func(s string) []uint32 { return m.Terms("", s) }
	for _, tc := range []struct {
		name string
		a, b string
		same bool
	}{
		{"case does not matter", "Quarterly REVENUE forecast", "quarterly revenue FORECAST", true},
		{"order and repeats do not matter", "forecast revenue revenue", "revenue forecast", true},
		{"punctuation separates words", "revenue, forecast!", "revenue forecast", true},
		{"other words differ", "revenue forecast", "revenue outlook", false},
		{"words of one or two letters are left out", "revenue of Q3 to go", "revenue", true},
		{"Japanese pairs of characters", "見積書を送付", "見積書 送付", true},
		{"kana between kanji separate them", "見積と請求", "見積請求", false},
	} {
		a, b := terms(tc.a), terms(tc.b)
		if slices.Equal(a, b) != tc.same {
			t.Errorf("%s: Terms(%q) = %v, Terms(%q) = %v", tc.name, tc.a, a, tc.b, b)
		}
	}
	if n := len(terms("見積書")); n != 2 {
		t.Errorf("見積書 gave %d terms, want 2 (見積, 積書)", n)
	}
	if n := len(terms("a an to")); n != 0 {
		t.Errorf("short words gave %d terms", n)
	}
	long := strings.Repeat("filler ", termTextMax/7+1) + "needle"
	if !slices.Equal(terms(long), terms(long[:len(long)-len("needle")])) {
		t.Error("words past the first termTextMax octets were read")
	}
	// Keyed: another installation's terms for the same words differ, the
	// same key gives the same ones.
	k1, k2 := New(Config{TopicKey: []byte("key one")}), New(Config{TopicKey: []byte("key two")})
	if slices.Equal(k1.Terms("", "revenue"), k2.Terms("", "revenue")) {
		t.Error("two keys gave the same terms")
	}
	if !slices.Equal(k1.Terms("", "revenue"), New(Config{TopicKey: []byte("key one")}).Terms("", "revenue")) {
		t.Error("one key gave two sets of terms")
	}
}

func TestTermListJSON(t *testing.T) {
	in := Observation{Key: 1, Terms: TermList{0, 1, 0xdeadbeef, 42}}
	b, err := json.Marshal(&in)
	if err != nil {
		t.Fatal(err)
	}
	var out Observation
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(in.Terms, out.Terms) {
		t.Errorf("terms %v came back as %v (%s)", in.Terms, out.Terms, b)
	}
	for _, bad := range []string{`{"terms":"AAA="}`, `{"terms":[1,2]}`, `{"terms":"!!"}`} {
		var o Observation
		if err := json.Unmarshal([]byte(bad), &o); err == nil {
			t.Errorf("%s read as %v", bad, o.Terms)
		}
	}
}
