package mail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

// decodeTransfer undoes a Content-Transfer-Encoding into dst[:0]. Damage is
// worked around (bad base64 keeps what decoded before it, a bad
// quoted-printable escape is kept literally) and reported in problem.
func decodeTransfer(dst, body []byte, cte string) (out []byte, problem string) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return decodeBase64(dst[:0], body)
	case "quoted-printable":
		return decodeQP(dst[:0], body)
	case "", "7bit", "8bit", "binary":
		return body, ""
	}
	return body, fmt.Sprintf("unknown transfer encoding %q, kept as is", truncate(cte, 40))
}

func decodeBase64(dst, body []byte) ([]byte, string) {
	clean := dst
	for _, c := range body {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			clean = append(clean, c)
		}
	}
	// Decoding in place is safe: output is never longer than input.
	trimmed := bytes.TrimRight(clean, "=")
	n, err := base64.RawStdEncoding.Decode(clean, trimmed)
	if err != nil {
		return clean[:n], "bad base64, decoded up to the damage"
	}
	return clean[:n], ""
}

// decodeQP decodes quoted-printable (RFC 2045 section 6.7), keeping line
// ends as they are and dropping the blanks transport adds at line ends.
func decodeQP(dst, body []byte) ([]byte, string) {
	out := dst
	bad := false
	for len(body) > 0 {
		k := bytes.IndexByte(body, '\n')
		var line, eol []byte
		if k < 0 {
			line, body = body, nil
		} else {
			line, eol, body = body[:k], body[k:k+1], body[k+1:]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line, eol = line[:n-1], []byte("\r\n")
			}
		}
		line = bytes.TrimRight(line, " \t")
		soft := false
		if n := len(line); n > 0 && line[n-1] == '=' {
			line, soft = line[:n-1], true
		}
		for len(line) > 0 {
			i := bytes.IndexByte(line, '=')
			if i < 0 {
				out = append(out, line...)
				break
			}
			out = append(out, line[:i]...)
			if i+2 < len(line) {
				if hi, ok1 := unhex(line[i+1]); ok1 {
					if lo, ok2 := unhex(line[i+2]); ok2 {
						out = append(out, hi<<4|lo)
						line = line[i+3:]
						continue
					}
				}
			}
			bad = true
			out = append(out, '=')
			line = line[i+1:]
		}
		if !soft {
			out = append(out, eol...)
		}
	}
	if bad {
		return out, "bad quoted-printable escape, kept literally"
	}
	return out, ""
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// Labels Japanese mail carries that the IANA and WHATWG indexes miss.
var charsetAliases = map[string]encoding.Encoding{
	"x-sjis":           japanese.ShiftJIS,
	"sjis":             japanese.ShiftJIS,
	"shift-jis":        japanese.ShiftJIS,
	"cp932":            japanese.ShiftJIS,
	"ms932":            japanese.ShiftJIS,
	"x-ms-cp932":       japanese.ShiftJIS,
	"x-euc-jp":         japanese.EUCJP,
	"eucjp":            japanese.EUCJP,
	"euc-jp-ms":        japanese.EUCJP,
	"iso-2022-jp-1":    japanese.ISO2022JP,
	"iso-2022-jp-2":    japanese.ISO2022JP,
	"iso-2022-jp-3":    japanese.ISO2022JP,
	"iso-2022-jp-ms":   japanese.ISO2022JP,
	"x-utf_8j":         unicode.UTF8,
	"utf8":             unicode.UTF8,
	"ansi_x3.4-1968":   nil, // US-ASCII: kept as is
	"ansi_x3.110-1983": nil,
}

// charsets caches lookups by lower-cased label; a nil value in a found entry
// means "treat as UTF-8".
var charsets sync.Map // string → charsetEntry

type charsetEntry struct {
	enc   encoding.Encoding
	known bool
}

// lookupCharset finds the decoder for a MIME charset label. known is false
// for a label no index recognises; enc is nil for UTF-8 and US-ASCII, which
// need no conversion.
func lookupCharset(label string) (enc encoding.Encoding, known bool) {
	label = strings.ToLower(strings.Trim(label, " \t\"'"))
	switch label {
	case "", "utf-8", "us-ascii", "ascii":
		return nil, true
	}
	if e, ok := charsets.Load(label); ok {
		ce := e.(charsetEntry)
		return ce.enc, ce.known
	}
	ce := charsetEntry{}
	if e, ok := charsetAliases[label]; ok {
		ce = charsetEntry{enc: e, known: true}
	} else if e, err := ianaindex.MIME.Encoding(label); err == nil && e != nil {
		ce = charsetEntry{enc: e, known: true}
	} else if e, err := ianaindex.MIME.Encoding("cs" + label); err == nil && e != nil {
		ce = charsetEntry{enc: e, known: true}
	} else if e, err := htmlindex.Get(label); err == nil && e != nil {
		ce = charsetEntry{enc: e, known: true}
	}
	if ce.enc == unicode.UTF8 {
		ce.enc = nil
	}
	// Labels come from hostile mail: cache only a bounded number.
	if charsetsCached.Add(1) <= 256 {
		charsets.Store(label, ce)
	}
	return ce.enc, ce.known
}

var charsetsCached atomic.Int32

// charsetReader serves mime.WordDecoder for encoded words in headers.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	if strings.TrimSpace(label) == "" {
		// "=??B?…?=" is not an encoded word (RFC 2047 wants a charset);
		// mime.WordDecoder.DecodeHeader would otherwise read it as UTF-8.
		return nil, errors.New("encoded word without a charset")
	}
	enc, known := lookupCharset(label)
	if !known {
		return nil, fmt.Errorf("unknown charset %q", truncate(label, 40))
	}
	if enc == nil {
		return r, nil
	}
	// An encoded word is a few dozen octets: decoding it at once and
	// handing back a bytes.Reader (a WriterTo) spares the 4 KB buffers of
	// a transform.Reader and io.Copy's 32 KB one, per word.
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return nil, fmt.Errorf("charset %q: %w", truncate(label, 40), err)
	}
	return bytes.NewReader(out), nil
}

// toUTF8 converts text in charset label to valid UTF-8. An unknown label
// or undecodable octets are reported in problem; what cannot be decoded
// becomes U+FFFD rather than passing through as raw octets.
func toUTF8(b []byte, label string) (string, string) {
	enc, known := lookupCharset(label)
	if !known {
		return strings.ToValidUTF8(string(b), "\uFFFD"), fmt.Sprintf("unknown charset %q, text kept where it is valid UTF-8", truncate(label, 40))
	}
	if enc == nil {
		return validUTF8(b), ""
	}
	if plainASCII(b) {
		// ASCII without escapes (ISO-2022-JP) or NULs (UTF-16) reads the
		// same in every charset mail uses.
		return string(b), ""
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD"), fmt.Sprintf("charset %q: %v", truncate(label, 40), err)
	}
	return validUTF8(out), ""
}

// validUTF8 is b as a string with invalid octets replaced; utf8.Valid is
// the fast check for the usual case of nothing to replace.
func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func plainASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 || c == 0x1b || c == 0 {
			return false
		}
	}
	return true
}
