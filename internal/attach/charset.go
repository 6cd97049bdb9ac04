package attach

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

var (
	bomUTF8    = []byte("\xEF\xBB\xBF")
	bomUTF16LE = []byte("\xFF\xFE")
	bomUTF16BE = []byte("\xFE\xFF")
)

// decodeText turns a text file into UTF-8, telling its charset by its
// octets, since a file carries no label: a byte order mark (UTF-8,
// UTF-16), valid UTF-8, ISO-2022-JP's escapes, UTF-16 without a mark by its
// NULs, then Shift_JIS or EUC-JP, whichever decodes with fewer errors and
// more kana (the commonest Japanese letters). What is left is taken as
// Windows-1252. It returns the text and the charset's name.
func decodeText(b []byte) (string, string) {
	switch {
	case bytes.HasPrefix(b, bomUTF8):
		return strings.ToValidUTF8(string(b[3:]), "\uFFFD"), "UTF-8"
	case bytes.HasPrefix(b, bomUTF16LE):
		return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), b), "UTF-16LE"
	case bytes.HasPrefix(b, bomUTF16BE):
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.UseBOM), b), "UTF-16BE"
	case utf8.Valid(b) && !bytes.Contains(b, []byte("\x1b$")) && bytes.IndexByte(b, 0) < 0:
		return string(b), "UTF-8"
	case bytes.Contains(b, []byte("\x1b$B")) || bytes.Contains(b, []byte("\x1b$@")):
		return decodeWith(japanese.ISO2022JP, b), "ISO-2022-JP"
	}
	if le, be := nulParity(b); le+be > len(b)/8 {
		if le > be {
			return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), b), "UTF-16LE"
		}
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), b), "UTF-16BE"
	}
	sjis := decodeWith(japanese.ShiftJIS, b)
	euc := decodeWith(japanese.EUCJP, b)
	if s, e := japaneseScore(sjis), japaneseScore(euc); s > 0 || e > 0 {
		if e > s {
			return euc, "EUC-JP"
		}
		return sjis, "Shift_JIS"
	}
	return decodeWith(charmap.Windows1252, b), "Windows-1252"
}

func decodeWith(e encoding.Encoding, b []byte) string {
	out, err := e.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// nulParity counts NULs at odd offsets (UTF-16LE ASCII) and even ones
// (UTF-16BE) in the first 4 KB.
func nulParity(b []byte) (le, be int) {
	for i, c := range b[:min(len(b), 4096)] {
		if c == 0 {
			if i%2 == 1 {
				le++
			} else {
				be++
			}
		}
	}
	return le, be
}

// japaneseScore counts kana and common kanji and takes off heavily for
// replacement characters and half-width katakana, which a wrong guess
// between Shift_JIS and EUC-JP produces.
func japaneseScore(s string) int {
	score := 0
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			score -= 10
		case r >= 0x3040 && r <= 0x30FF: // hiragana, katakana
			score += 2
		case r >= 0x4E00 && r <= 0x9FFF: // kanji
			score++
		case r >= 0xFF61 && r <= 0xFF9F: // half-width katakana
			score--
		}
	}
	return score
}
