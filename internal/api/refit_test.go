package api

import (
	"context"
	"testing"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/refit"
)

// A draft the add-in's user dropped a flagged recipient from is a real
// mistake the next refit fits on: its feature vector was kept with the
// API's decision and the answer labels it. An honest draft that passed is
// not counted as answered.
func TestDroppedDraftReachesRefit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const sato = "sato@corp.example"
	wrong := "tanaka@partner-a.examp1e"
	// The import's samples refitting starts from.
	var samples []refit.Sample
	for i := range 50 {
		f := make([]float64, len(detect.FeatureNames))
		f[0] = float64(i%5) / 10
		samples = append(samples, refit.Sample{Features: f})
		g := make([]float64, len(detect.FeatureNames))
		g[0] = 0.6 + float64(i%4)/10
		samples = append(samples, refit.Sample{Features: g, Mistake: true})
	}
	if err := refit.SaveImport(ctx, e.db, refit.Window{From: e.now.AddDate(0, -1, 0), Until: e.now, Messages: 50}, samples); err != nil {
		t.Fatal(err)
	}
	a := e.call(sato, "POST", "/api/v1/check", Draft{MessageID: "draft-7@corp.example", To: []string{wrong, "suzuki@partner-a.example"}, Subject: "お見積もり", Body: "お世話になっております。"})
	var out struct{ Verdict string }
	a.json(t, &out)
	if out.Verdict == "pass" {
		t.Fatalf("draft to a look-alike domain passed: %s", a.body)
	}
	if a := e.call(sato, "POST", "/api/v1/feedback", FeedbackReq{MessageID: "draft-7@corp.example", Kind: "dropped", Recipient: wrong}); a.status != 201 {
		t.Fatalf("feedback: %d %s", a.status, a.body)
	}
	e.dec.Flush()
	w, c, err := refit.Fit(ctx, e.db, refit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Mistakes != 1 || c.Honest != 0 || c.Import != 100 {
		t.Errorf("refit counts %+v, want the dropped draft as 1 mistake over 100 import samples", c)
	}
	if w.Fit == nil || w.Fit.Answers != 1 {
		t.Errorf("provenance %+v", w.Fit)
	}
}
