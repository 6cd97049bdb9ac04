package mail

import (
	netmail "net/mail"
	"testing"
)

// A zone comment after the offset, as Postfix writes the Date it adds,
// reads as net/mail reads it.
func TestParseDateZoneComment(t *testing.T) {
	for _, s := range []string{
		"Mon,  7 Dec 2026 03:30:05 +0000 (UTC)", "Tue, 8 Dec 2026 12:00:00 +0900 (JST)",
		"Mon, 7 Dec 2026 03:30:05 +0000 (UTC) (x)", "7 Dec 2026 03:30:05 +0000 (UTC)",
	} {
		want, err := netmail.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		got := parseDate(s)
		_, o1 := got.Zone()
		_, o2 := want.Zone()
		if !got.Equal(want) || o1 != o2 {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
}

func BenchmarkParseDateZoneComment(b *testing.B) {
	for b.Loop() {
		parseDate("Mon,  7 Dec 2026 03:30:05 +0000 (UTC)")
	}
}
