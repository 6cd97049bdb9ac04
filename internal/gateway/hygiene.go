package gateway

import (
	"bytes"

	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/stamp"
)

// errBareCRorNUL refuses a message with a CR that does not end a line or a
// NUL octet. RFC 5322 section 2.3 allows neither in a message, and misend
// does not offer BINARYMIME. Refusing is chosen over rewriting: what
// misend checked is what leaves, byte for byte (a rewritten message would
// also break the sender's DKIM signature), and the receiving MTAs
// downstream treat such octets differently (some see a line end where
// misend saw none, which is how SMTP smuggling begins). Mail clients and
// MTAs encode such content (quoted-printable, base64), so only a broken or
// hostile client is refused.
var errBareCRorNUL = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
	Message: "Message contains a bare CR or a NUL octet, which RFC 5322 does not allow; encode it (quoted-printable or base64)"}

// ourPrefix starts the names of the headers misend adds.
const ourPrefix = "x-misend-"

// stripOurs removes every header field named X-Misend-* (with its folded
// continuation lines) from the header section of raw: only misend writes
// them, so a client's copy is a forged verdict. The one such field a
// client may bring is a confirmation stamp: its values are returned, read
// in the same pass, for the decision to verify; stripped, it never leaves
// and a held message is released without it. raw is returned unchanged
// (not copied) when it has no X-Misend-* field.
func stripOurs(raw []byte) ([]byte, []string) {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(raw)
	} else {
		end += 2
	}
	if !bytes.Contains(bytes.ToLower(raw[:end]), []byte(ourPrefix)) {
		return raw, nil
	}
	out := make([]byte, 0, len(raw))
	var stamps stamp.Collector
	dropping := false
	for off := 0; off < end; {
		n := bytes.IndexByte(raw[off:end], '\n')
		next := end
		if n >= 0 {
			next = off + n + 1
		}
		line := raw[off:next]
		stamps.Line(line)
		folded := len(line) > 0 && (line[0] == ' ' || line[0] == '\t')
		if !folded {
			dropping = len(line) >= len(ourPrefix) && bytes.EqualFold(line[:len(ourPrefix)], []byte(ourPrefix))
		}
		if !dropping {
			out = append(out, line...)
		}
		off = next
	}
	return append(out, raw[end:]...), stamps.Values()
}
