package eval

import (
	"time"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/mail"
)

// DetectorScorer scores with misend's detector, the way check does.
type DetectorScorer struct{ D *detect.Detector }

// Score implements Scorer.
func (s DetectorScorer) Score(msg *mail.Message, now time.Time) (float64, detect.Features) {
	r := s.D.Check(msg, now)
	return r.Score, r.Features
}
