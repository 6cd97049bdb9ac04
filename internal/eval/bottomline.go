package eval

import (
	"fmt"
	"io"

	"github.com/misend/misend/internal/policy"
)

// BottomLine is what an administrator asks of a replay: of the injected
// slips, how many the default policy would have stopped (asked the sender
// to confirm, or held), and how often it would have bothered honest mail.
type BottomLine struct {
	Weights       string `json:"weights"`        // "fitted" (here), "stored" or "file"
	Slips         int    `json:"slips"`          // injected messages, replaced and added
	Stopped       int    `json:"stopped"`        // of them, at confirm or above
	Honest        int    `json:"honest"`         // clean test messages
	HonestWarned  int    `json:"honest_warned"`  // of them, at warn or above
	HonestStopped int    `json:"honest_stopped"` // of them, at confirm or above
	// ByStrategy is the share of each strategy's slips stopped.
	ByStrategy map[string]float64 `json:"by_strategy"`
}

func bottomLine(run *Run, weights string, score func(Sample) float64) *BottomLine {
	bands := policy.DefaultConfig().Default.Bands
	warn, stop := bands[policy.Warn], bands[policy.Confirm]
	b := &BottomLine{Weights: weights, ByStrategy: map[string]float64{}}
	per := map[string][2]int{}
	for _, s := range run.Samples {
		v := score(s)
		if !s.Injected() {
			b.Honest++
			if v >= warn {
				b.HonestWarned++
			}
			if v >= stop {
				b.HonestStopped++
			}
			continue
		}
		b.Slips++
		c := per[s.Strategy]
		c[1]++
		if v >= stop {
			b.Stopped++
			c[0]++
		}
		per[s.Strategy] = c
	}
	for k, c := range per {
		b.ByStrategy[k] = float64(c[0]) / float64(c[1])
	}
	return b
}

// Write prints the bottom line in a sentence an administrator can read.
func (b *BottomLine) Write(w io.Writer) error {
	if b == nil || b.Slips == 0 || b.Honest == 0 {
		return nil
	}
	oneIn := "never"
	if b.HonestStopped > 0 {
		oneIn = fmt.Sprintf("about 1 in %d", (b.Honest+b.HonestStopped/2)/b.HonestStopped)
	}
	_, err := fmt.Fprintf(w, "\nWith the %s weights and the default policy, misend would have stopped %d of %d slips (%.1f%%) "+
		"and asked about or held %s honest messages (%d of %d; %.1f%% warned or worse).\n",
		b.Weights, b.Stopped, b.Slips, 100*float64(b.Stopped)/float64(b.Slips), oneIn, b.HonestStopped, b.Honest,
		100*float64(b.HonestWarned)/float64(b.Honest))
	return err
}
