package eval

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/model/mailgen"
)

func TestFitCut(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	var sent []time.Time
	for d := 399; d >= 0; d-- { // in any order
		sent = append(sent, day(d))
	}
	tests := []struct {
		share float64
		most  int
		want  time.Time
	}{
		{0.25, 1000, day(300)}, // the last quarter
		{0.25, 50, day(350)},   // at most 50 messages
		{0, 1000, time.Time{}},
	}
	for _, tt := range tests {
		if got := FitCut(sent, tt.share, tt.most); !got.Equal(tt.want) {
			t.Errorf("FitCut(share %v, most %d) = %v, want %v", tt.share, tt.most, got, tt.want)
		}
	}
	if got := FitCut(sent[:2*MinFitMessages-1], 1, 1000); !got.IsZero() {
		t.Errorf("too little mail: cut %v", got)
	}
}

// TestFitHistory: history in file order, not by date, gives weights fitted
// on its end, scored before it was learned.
func TestFitHistory(t *testing.T) {
	org := mailgen.New(mailgen.Config{Seed: 9, Insiders: 40})
	var msgs []*mail.Message
	org.History(50, 3, func(m *mail.Message) { msgs = append(msgs, m) })
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(msgs), func(i, j int) { msgs[i], msgs[j] = msgs[j], msgs[i] })
	cfg := model.Config{OrgDomains: []string{mailgen.OrgDomain}}
	// A clock years off (Enron's mail reaches 2044) is history, not the
	// end of the fit window.
	bogus := *msgs[0]
	bogus.MessageID, bogus.Date = "bogus@"+mailgen.OrgDomain, time.Now().AddDate(18, 0, 0)
	msgs = append(msgs, &bogus)
	var sent []time.Time
	for _, m := range msgs {
		if orgDomains(cfg.OrgDomains).isTestMessage(m) {
			sent = append(sent, m.Date)
		}
	}
	f, err := FitHistory(context.Background(), cfg, sent, func(add func(*mail.Message)) error {
		for _, m := range msgs {
			add(m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.Weights.Fit == nil || f.Messages < MinFitMessages || !f.Weights.Fit.From.Equal(FitCut(sent, DefaultFitShare, DefaultFitMessages)) {
		t.Fatalf("fitted %+v on %d messages", f.Weights.Fit, f.Messages)
	}
	if f.Until.After(time.Now().Add(Horizon)) {
		t.Errorf("the fit window ends %v, after now", f.Until)
	}
	if f.Warned > 0.05 {
		t.Errorf("%.1f%% of the honest fit messages warned; the fit allows about 1.5%%", 100*f.Warned)
	}
}
