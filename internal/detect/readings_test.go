package detect

import (
	"testing"
	"time"
)

func TestGreetsByReading(t *testing.T) {
	tests := []struct {
		greeted string
		have    []string
		want    bool
	}{
		{"上田", []string{"ueda", "ken"}, true},
		{"佐藤", []string{"satoh"}, true},
		{"佐藤", []string{"satou"}, true},
		{"佐藤", []string{"sato"}, true},
		{"大野", []string{"ohno"}, true},
		{"井上", []string{"inoue"}, true}, // ウ before エ is a syllable, not a long vowel
		{"井上", []string{"ine"}, false},
		{"本間", []string{"homma"}, true},
		{"服部", []string{"hattori"}, true},
		{"上田", []string{"ueno"}, false},
		{"上田", []string{"上田"}, true},
		{"田中", []string{"suzuki", "tanaka"}, true},
		{"ueda", []string{"上田"}, false}, // Latin greets Latin: the table reads kanji only
		{"bob", []string{"bob"}, true},
		{"太郎", []string{"taro"}, false}, // given names are not in the table
	}
	for _, tt := range tests {
		if got := greets(tt.greeted, tt.have); got != tt.want {
			t.Errorf("greets(%q, %q) = %v, want %v", tt.greeted, tt.have, got, tt.want)
		}
	}
	if greetsAll(nil, []string{"x"}) {
		t.Error("no greeted token greets everyone")
	}
	if !greetsAll([]string{"上田", "ken"}, []string{"ueda", "ken"}) || greetsAll([]string{"上田", "jun"}, []string{"ueda", "ken"}) {
		t.Error("greetsAll wants every greeted token")
	}
}

func TestStaleness(t *testing.T) {
	now := time.Date(2001, 10, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		last time.Time
		want float64
	}{
		{time.Time{}, 0},                // never exchanged: org_unknown's case
		{now.Add(time.Hour), 0},         // a clock ahead of the message
		{now, 0},                        // this hour
		{now.Add(-staleHalf), 0.5},      // one half-life ago
		{now.Add(-2 * staleHalf), 0.75}, // two
	}
	for _, tt := range tests {
		if got := staleness(tt.last, now); got < tt.want-1e-9 || got > tt.want+1e-9 {
			t.Errorf("staleness(%v) = %v, want %v", tt.last, got, tt.want)
		}
	}
}
