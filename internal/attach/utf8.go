package attach

import (
	"encoding/binary"
	"unicode/utf8"
)

// validUTF8 is utf8.Valid, about twice as fast on Japanese text: eight
// octets at a time while they are ASCII or three-octet sequences led by
// E1–EC, EE or EF (kana, kanji, full-width forms: every continuation
// octet allowed), checked with word arithmetic and no branch per
// character; other sequences are decoded one by one.
func validUTF8(s []byte) bool {
	const (
		c80 = 0x8080808080808080
		c7F = 0x7F7F7F7F7F7F7F7F
		cC0 = 0xC0C0C0C0C0C0C0C0
		cF0 = 0xF0F0F0F0F0F0F0F0
		cE0 = 0xE0E0E0E0E0E0E0E0
		cED = 0xEDEDEDEDEDEDEDED
	)
	// zeros marks (0x80) exactly the zero octets of x.
	zeros := func(x uint64) uint64 { return ^(((x & c7F) + c7F) | x) & c80 }
	i, n := 0, len(s)
	// carry marks the octets of the word at i that must continue a
	// sequence led in the word before; lead is where that lead was.
	var carry uint64
	lead := 0
	for i+8 <= n {
		w := binary.LittleEndian.Uint64(s[i:])
		hi := w & c80
		if hi == 0 && carry == 0 {
			i += 8
			continue
		}
		cont := zeros((w & cC0) ^ c80)
		leads := zeros((w & cF0) ^ cE0)
		bad := zeros(w^cE0) | zeros(w^cED)
		if bad == 0 && hi == cont|leads && cont == leads<<8|leads<<16|carry {
			carry = leads>>56 | leads>>48
			lead = i + 8 - 1
			if leads>>56 == 0 {
				lead--
			}
			i += 8
			continue
		}
		// This word one character at a time, from where the character
		// under way began.
		end := i + 8
		if carry != 0 {
			i, carry = lead, 0
		}
		for i < end {
			if s[i] < utf8.RuneSelf {
				i++
				continue
			}
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				return false
			}
			i += size
		}
	}
	if carry != 0 {
		i = lead
	}
	return utf8.Valid(s[i:])
}
