package model

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"
)

// The words of a message as terms: 32-bit keyed hashes (content.go keeps
// what each address's mail is about as terms).

const (
	termTextMax = 4096 // octets of subject and text read for terms
	termWordMax = 24   // longer tokens are codes or base64, not words
)

// termCipher returns the keyed permutation that turns a word hash into a
// term: AES under a key derived from the model's topic key (from no key,
// a fixed one).
func termCipher(key []byte) cipher.Block {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("terms"))
	b, err := aes.NewCipher(mac.Sum(nil)[:16])
	if err != nil {
		panic(err) // a 16-byte key is always valid
	}
	return b
}

// Terms returns the distinct terms of a message's subject and text, keyed
// with the model's key.
func (m *Model) Terms(subject, text string) []uint32 {
	var w words
	w.read(subject, termTextMax)
	w.read(text, termTextMax-len(subject))
	out := make([]uint32, 0, w.n)
	var blk [16]byte
	for _, h := range w.set {
		if h == 0 {
			continue
		}
		binary.LittleEndian.PutUint64(blk[:8], h)
		clear(blk[8:])
		m.terms.Encrypt(blk[:], blk[:])
		out = append(out, binary.LittleEndian.Uint32(blk[:4]))
	}
	// Sorted, the same words give the same terms in the same order; two
	// words' terms are one in a few billion pairs.
	slices.Sort(out)
	return slices.Compact(out)
}

// words hashes the words of text (FNV-1a): runs of ASCII letters and
// digits, lower-cased, and pairs of adjacent kanji or katakana, since
// Japanese puts no spaces between words. Hiragana, mostly particles and
// endings, only separates.
type words struct {
	// set holds the distinct hashes, open addressing (0 is free): a text
	// repeats its words, and sorting them all to find the distinct ones
	// cost more than the rest of reading it.
	set  [wordSlots]uint64
	n    int    // distinct hashes in set
	h    uint64 // of the word read so far
	size int    // its length
}

// wordSlots bounds the distinct words read: termTextMax octets hold about
// 700 at most, and a term needs only a few of the rarest.
const (
	wordSlots = 1024
	wordsMax  = wordSlots * 3 / 4
)

// add puts hash h in the set.
func (w *words) add(h uint64) {
	if w.n == wordsMax {
		return
	}
	if h == 0 {
		h = 1
	}
	for i := h % wordSlots; ; i = (i + 1) % wordSlots {
		switch w.set[i] {
		case h:
			return
		case 0:
			w.set[i] = h
			w.n++
			return
		}
	}
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// read adds the words of the first max octets of s.
func (w *words) read(s string, max int) {
	if max <= 0 {
		return
	}
	if len(s) > max {
		s = s[:max]
	}
	w.h, w.size = fnvOffset, 0
	var prev rune
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
				w.h = (w.h ^ uint64(c)) * fnvPrime
				w.size++
			} else {
				w.end()
			}
			prev = 0
			continue
		}
		w.end()
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if !ideographic(r) {
			prev = 0
			continue
		}
		if prev != 0 {
			h := uint64(fnvOffset)
			for _, x := range [2]rune{prev, r} {
				for k := 0; k < 24; k += 8 {
					h = (h ^ uint64(byte(x>>k))) * fnvPrime
				}
			}
			w.add(h)
		}
		prev = r
	}
	w.end()
}

// end closes the word read so far: one of three to termWordMax octets
// counts (longer ones are codes or base64, not words).
func (w *words) end() {
	if w.size >= 3 && w.size <= termWordMax {
		w.add(w.h)
	}
	w.h, w.size = fnvOffset, 0
}

// ideographic reports kanji and katakana (full and half width).
func ideographic(r rune) bool {
	return 0x3400 <= r && r <= 0x9fff && (r < 0x4dc0 || r > 0x4dff) || // kanji, without the hexagram symbols
		0x30a1 <= r && r <= 0x30fa || r == 0x30fc || // katakana and the long vowel mark
		0xf900 <= r && r <= 0xfaff || 0xff66 <= r && r <= 0xff9f
}

// TermList is a message's terms as an Observation carries them: in JSON,
// the base64 of their little-endian octets, half the size of a list of
// numbers in the replicas' journal.
type TermList []uint32

// MarshalJSON implements json.Marshaler.
func (l TermList) MarshalJSON() ([]byte, error) {
	b := make([]byte, 4*len(l))
	for i, t := range l {
		binary.LittleEndian.PutUint32(b[4*i:], t)
	}
	return json.Marshal(b)
}

// UnmarshalJSON implements json.Unmarshaler.
func (l *TermList) UnmarshalJSON(data []byte) error {
	var b []byte
	if err := json.Unmarshal(data, &b); err != nil {
		return fmt.Errorf("terms: %w", err)
	}
	if len(b)%4 != 0 {
		return fmt.Errorf("terms: %d octets, not a multiple of 4", len(b))
	}
	out := make(TermList, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	*l = out
	return nil
}
