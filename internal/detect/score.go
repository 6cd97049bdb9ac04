package detect

// Features is the numeric description of one message that the score is
// computed from; FeatureNames gives the meaning of each position.
type Features []float64

// Weights are a fitted scoring model (see Fit). The zero value is unusable;
// use DefaultWeights when none were fitted.
type Weights struct {
	Names     []string  `json:"names"`
	Coef      []float64 `json:"coef"`
	Intercept float64   `json:"intercept"`
}

// Score maps features to [0,1].
func (w *Weights) Score(f Features) float64 { panic("detect.Weights.Score: not implemented") }

// Fit fits weights on labelled feature vectors (true = misdirected).
func Fit(x []Features, y []bool) (*Weights, error) { panic("detect.Fit: not implemented") }
