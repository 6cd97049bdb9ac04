package mail

import "bytes"

// BareCROrNUL reports whether raw has a NUL octet or a CR that does not
// end a line (CR LF). RFC 5322 section 2.3 allows neither in a message;
// MTAs disagree on what they mean (some see a line end where others see
// none, which is how SMTP smuggling starts), so misend refuses such mail
// rather than relay octets it may have read differently from the next hop.
func BareCROrNUL(raw []byte) bool {
	if bytes.IndexByte(raw, 0) >= 0 {
		return true
	}
	for off := 0; ; {
		i := bytes.IndexByte(raw[off:], '\r')
		if i < 0 {
			return false
		}
		off += i + 1
		if off >= len(raw) || raw[off] != '\n' {
			return true
		}
	}
}
