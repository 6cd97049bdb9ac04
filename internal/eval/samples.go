package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/misend/misend/internal/detect"
)

// sampleLine is one sample as WriteSamples writes it.
type sampleLine struct {
	Test             int                `json:"test"`
	Strategy         string             `json:"strategy,omitempty"`
	Mode             Mode               `json:"mode,omitempty"`
	MessageID        string             `json:"message_id,omitempty"`
	From             string             `json:"from,omitempty"`
	Score            float64            `json:"score"`
	Intended         string             `json:"intended,omitempty"`
	Wrong            string             `json:"wrong,omitempty"`
	KnownWrong       bool               `json:"known_wrong,omitempty"`
	NewIntended      bool               `json:"new_intended,omitempty"`
	StrangerIntended bool               `json:"stranger_intended,omitempty"`
	InsideIntended   bool               `json:"inside_intended,omitempty"`
	Features         map[string]float64 `json:"features"` // the features set, by name
}

// WriteSamples writes every sample of run as one JSON object per line
// (clean ones without a strategy, naming the message and its sender), with
// the features that are set by name: what --explain summarises, for one's
// own analysis.
func (run *Run) WriteSamples(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, s := range run.Samples {
		l := sampleLine{Test: s.Test, Strategy: s.Strategy, Mode: s.Mode, MessageID: s.MessageID, From: s.From, Score: s.Score,
			Intended: s.Intended, Wrong: s.Wrong, KnownWrong: s.KnownWrong, NewIntended: s.NewIntended, StrangerIntended: s.StrangerIntended, InsideIntended: s.InsideIntended,
			Features: map[string]float64{}}
		for i, v := range s.Features {
			if v != 0 && i < len(detect.FeatureNames) {
				l.Features[detect.FeatureNames[i]] = v
			}
		}
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("write samples: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write samples: %w", err)
	}
	return nil
}
