package finding

import "testing"

// BenchmarkSay is the cost a detector pays per finding for keeping its
// sentence localizable.
func BenchmarkSay(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Finding{Code: SimilarContact}.Say("similar_contact", Args{"best": "tanaka@toyo-denki.co.jp", "why": "similar.family"})
	}
}

func BenchmarkLocalizeJapanese(b *testing.B) {
	f := Finding{Code: SimilarContact}.Say("similar_contact", Args{"best": "tanaka@toyo-denki.co.jp", "why": "similar.family"})
	b.ReportAllocs()
	for b.Loop() {
		_ = Localize(f, "ja")
	}
}
