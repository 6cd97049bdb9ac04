package finding

import "testing"

// Text never panics and never returns half a sentence, whatever the key,
// language and arguments.
func FuzzText(f *testing.F) {
	f.Add("ja", "similar_contact", "best", "a@b", "why", "similar.family similar.given")
	f.Add("en", "lookalike_domain", "domain", "x", "why", "lookalike_domain")
	f.Fuzz(func(t *testing.T, lang, key, n1, v1, n2, v2 string) {
		s, ok := Text(lang, key, Args{n1: v1, n2: v2})
		if !ok && s != "" {
			t.Fatalf("failed render returned %q", s)
		}
	})
}
