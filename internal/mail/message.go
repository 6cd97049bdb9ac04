// Package mail parses RFC 5322 / MIME messages into the few facts misend needs:
// who sent to whom, when, in which thread, with what subject, text and
// attachment names, and the sensitivity labels Outlook stamps on it
// (msip_labels, label.go).
//
// It decodes encoded-word headers, quoted-printable and base64, and the
// charsets Japanese mail uses (ISO-2022-JP, Shift_JIS, EUC-JP) besides UTF-8.
// Hostile input never panics: header size, MIME depth, part count and decoded
// text are capped (Limits), and a message that breaks a cap yields a clear
// error. Damage that can be worked around (a bad charset, a broken part) is
// recorded in Message.Problems and parsing goes on.
//
// It works on the message held in memory: headers and MIME parts are
// slices of the raw octets, decoded through one reused scratch buffer, so a
// typical message costs a few dozen small allocations (see bench_test.go).
// Files are split by job: header.go (fields), address.go, mime.go (the
// part tree), decode.go (transfer encodings, charsets), html.go, label.go.
//
// It deliberately does not keep bodies around, render HTML, or decompress
// archives: callers get plain text, capped, and nothing else.
package mail

import (
	"slices"
	"strings"
	"time"
)

// Address is one mailbox. Addr is the lower-cased addr-spec; Name is the
// decoded display name (may be empty).
type Address struct {
	Name string `json:"name,omitempty"`
	Addr string `json:"addr"`
}

// Domain returns the part after the last '@', lower-cased; "" if none.
func (a Address) Domain() string {
	i := strings.LastIndexByte(a.Addr, '@')
	if i < 0 {
		return ""
	}
	return a.Addr[i+1:]
}

// Local returns the part before the last '@'.
func (a Address) Local() string {
	i := strings.LastIndexByte(a.Addr, '@')
	if i < 0 {
		return a.Addr
	}
	return a.Addr[:i]
}

// Attachment is a non-inline part, or any part with a file name.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	// Text is the decoded text of text/* attachments (capped); empty
	// otherwise until package attach reads the attachment's contents.
	Text string `json:"-"`
	// Data is the decoded content (Limits.MaxAttachmentBytes), for package
	// attach to read; nil when over the limit or not asked for.
	Data []byte `json:"-"`

	// Set by package attach, which reads inside documents, archives and
	// forwarded messages:
	//
	// Lead is the text of the first page, sheet or slide (the start of
	// Text for kinds without pages), where a document names whom it is for.
	Lead string `json:"-"`
	// Encrypted names the parts that need a password to open: "." for
	// the attachment itself, else paths inside it ("a.zip/b.docx").
	Encrypted []string `json:"encrypted,omitempty"`
	// Unreadable says why (part of) the attachment could not be read: a
	// reason word of package attach ("damaged", "too_large", "bomb",
	// "too_deep", "unsupported", "timeout"); "" when all was read.
	Unreadable string `json:"unreadable,omitempty"`
	// UnreadablePath is where inside the attachment the first unreadable
	// part is ("." for the attachment itself).
	UnreadablePath string `json:"unreadable_path,omitempty"`
	// Labels are the sensitivity labels of the documents in the
	// attachment (their custom properties).
	Labels []SensitivityLabel `json:"labels,omitempty"`
	// Entries are the paths of the files inside an archive ("b.xlsx",
	// "b.zip/c.xlsx"), whose names may carry classification tags.
	Entries []string `json:"-"`
}

// Message is a parsed message. Bodies are reduced to Text.
type Message struct {
	MessageID  string // without angle brackets
	InReplyTo  string // without angle brackets
	References []string
	Date       time.Time // zero if missing or unparseable

	From    Address
	Sender  Address // the Sender: header, if any
	ReplyTo []Address
	To      []Address
	Cc      []Address
	Bcc     []Address

	Subject string
	// Labels are the sensitivity labels of the msip_labels header.
	Labels      []SensitivityLabel
	Text        string // text of the text/plain parts (or text/html reduced to text), capped
	Attachments []Attachment
	Size        int // octets of the raw message

	// Problems lists non-fatal damage seen while parsing, in plain words.
	Problems []string
}

// Recipients returns To, Cc and Bcc in that order, without duplicates.
func (m *Message) Recipients() []Address { return Recipients(m.To, m.Cc, m.Bcc) }

// Recipients is To, Cc and Bcc as Message.Recipients merges them, for
// callers that hold the lists without a message.
func Recipients(to, cc, bcc []Address) []Address {
	n := len(to) + len(cc) + len(bcc)
	if n == 0 {
		return nil
	}
	out := make([]Address, 0, n)
	// Duplicates are looked for in out itself while it is short, as it
	// nearly always is: a set for every call was a fifth of what importing
	// a history allocated.
	var seen map[string]bool
	for _, l := range [][]Address{to, cc, bcc} {
		for _, a := range l {
			switch {
			case a.Addr == "":
				continue
			case seen != nil:
				if seen[a.Addr] {
					continue
				}
				seen[a.Addr] = true
			case slices.ContainsFunc(out, func(b Address) bool { return b.Addr == a.Addr }):
				continue
			case len(out) == maxScannedRecipients:
				seen = make(map[string]bool, n)
				for _, b := range out {
					seen[b.Addr] = true
				}
				seen[a.Addr] = true
			}
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// maxScannedRecipients is how many recipients Recipients compares each
// new one with before it keeps a set of them instead.
const maxScannedRecipients = 16
