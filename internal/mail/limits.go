package mail

import (
	"errors"
	"fmt"
)

// Limits caps what Parse will read. The defaults mirror Postfix's own limits
// (10 MB message, 100 KB header, MIME nesting 100) so that misend refuses no
// mail that Postfix would have passed, and tightens part count and text size,
// which Postfix does not need to look at.
type Limits struct {
	MaxMessageBytes int // whole message
	MaxHeaderBytes  int // one header block (top-level or part)
	MaxDepth        int // MIME nesting
	MaxParts        int // parts in total
	MaxTextBytes    int // decoded text kept in Message.Text and per attachment
	// MaxAttachmentBytes is how many decoded octets of attachments, in
	// total, are kept in Attachment.Data for package attach to read
	// inside; 0 keeps none. Past it, later attachments keep none.
	MaxAttachmentBytes int
}

// DefaultLimits are used when Parse is given a zero Limits.
var DefaultLimits = Limits{
	MaxMessageBytes: 10 << 20,
	MaxHeaderBytes:  100 << 10,
	MaxDepth:        100,
	MaxParts:        1000,
	MaxTextBytes:    1 << 20,
	// The whole message: every attachment of mail Postfix passes.
	MaxAttachmentBytes: 10 << 20,
}

// HistoryLimits are DefaultLimits for mail read as history (import, eval):
// its attachments' contents are never read, and a corpus held in memory
// must not hold them either.
var HistoryLimits = func() Limits {
	l := DefaultLimits
	l.MaxAttachmentBytes = 0
	return l
}()

// Why Parse refuses a message, for callers that count refusals by kind
// (errors.Is); the error text adds the detail.
var (
	ErrNotMessage     = errors.New("not a message")
	ErrTooLarge       = errors.New("message too large")
	ErrHeaderTooLarge = errors.New("header too large")
	ErrTooDeep        = errors.New("MIME nesting too deep")
	ErrTooManyParts   = errors.New("too many MIME parts")
)

// refusal is an error of one of the kinds above with its own text.
type refusal struct {
	kind error
	text string
}

func (r *refusal) Error() string { return r.text }
func (r *refusal) Unwrap() error { return r.kind }

func refuse(kind error, format string, args ...any) error {
	return &refusal{kind: kind, text: "mail: " + fmt.Sprintf(format, args...)}
}
