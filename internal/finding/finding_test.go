package finding

import "testing"

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
	if out[0].Scope != "department:A" || *out[0].Weight != w {
		t.Fatalf("sender view lost scope or weight: %+v", out[0])
	}
}
