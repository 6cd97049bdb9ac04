package decisions

import (
	"encoding/binary"
	"errors"
	"hash/fnv"
	"math"

	"github.com/misend/misend/internal/policy"
)

// KeepPassEvery is how many passed decisions there are for one whose
// feature vector is kept: every flagged decision keeps it (people answer
// about those), and a sample of the rest shows what honest mail looks like
// now, at an eighth of the space.
const KeepPassEvery = 8

// KeepsFeatures tells whether r's feature vector is stored.
func (r Record) KeepsFeatures() bool {
	if len(r.Features) == 0 {
		return false
	}
	if r.Decision.Decided != policy.Pass && r.Decision.Decided != "" {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(r.Sender))
	h.Write([]byte{0})
	h.Write([]byte(r.MessageID))
	return h.Sum32()%KeepPassEvery == 0
}

// EncodeFeatures packs a feature vector as little-endian float32s: four
// bytes a feature is precision enough for features that are counts,
// shares and flags.
func EncodeFeatures(f []float64) []byte {
	b := make([]byte, 4*len(f))
	for i, v := range f {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(v)))
	}
	return b
}

// DecodeFeatures unpacks what EncodeFeatures packed.
func DecodeFeatures(b []byte) ([]float64, error) {
	if len(b)%4 != 0 {
		return nil, errors.New("decisions: feature vector of odd length")
	}
	f := make([]float64, len(b)/4)
	for i := range f {
		v := float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("decisions: feature vector holds a non-finite value")
		}
		f[i] = v
	}
	return f, nil
}
