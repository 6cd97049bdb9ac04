package detect

import "testing"

// Every feature has words, and no two features the same words.
func TestFeatureWords(t *testing.T) {
	if len(FeatureWords) != len(FeatureNames) {
		t.Fatalf("%d feature words for %d features", len(FeatureWords), len(FeatureNames))
	}
	seen := map[string]string{}
	for i, w := range FeatureWords {
		if w == "" {
			t.Errorf("feature %s has no words", FeatureNames[i])
		}
		if o, ok := seen[w]; ok {
			t.Errorf("features %s and %s are both %q", o, FeatureNames[i], w)
		}
		seen[w] = FeatureNames[i]
	}
}
