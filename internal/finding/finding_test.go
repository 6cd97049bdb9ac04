package finding

import "testing"

// A sender hears only that confidential terms of a scope are present:
// neither the terms nor their mean weight (item 9 of issue 12), which
// would let them learn the list by trying drafts.
func TestSenderViewDropsTerms(t *testing.T) {
	w := 0.391
	in := []Finding{{Code: ConfidentialTerms, Scope: "department:A", Weight: &w, Terms: []string{"秘密", "取り扱い"}}}
	out := SenderView(in)
	if out[0].Terms != nil {
		t.Fatalf("sender view kept terms: %v", out[0].Terms)
	}
	if in[0].Terms == nil {
		t.Fatal("SenderView modified its input")
	}
	if out[0].Scope != "department:A" || out[0].Weight != nil {
		t.Fatalf("sender view lost the scope or kept the weight: %+v", out[0])
	}
	if in[0].Weight == nil {
		t.Fatal("SenderView modified its input")
	}
}
