package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
)

// SetWeights replaces the weights d scores with, while it checks mail:
// serve does so after refitting them on what people answered. Checks
// already running finish with the weights they started with.
func (d *Detector) SetWeights(w *Weights) {
	if w != nil {
		d.refitted.Store(w)
	}
}

// weights returns the weights in force: the latest SetWeights, else the
// Weights set up with, else the built-in ones.
func (d *Detector) weights() *Weights {
	if w := d.refitted.Load(); w != nil {
		return w
	}
	if d.Weights != nil {
		return d.Weights
	}
	return DefaultWeights()
}

// FeatureSet names this build's feature vector: a stored vector is fitted
// on only by a build whose features mean the same (same names, same order).
var FeatureSet = sync.OnceValue(func() string {
	h := sha256.Sum256([]byte(strings.Join(FeatureNames, "\n")))
	return hex.EncodeToString(h[:6])
})
