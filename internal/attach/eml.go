package attach

import (
	"github.com/misend/misend/internal/mail"
)

// message reads a forwarded message (message/rfc822, .eml) through package
// mail: its subject and text, then each of its attachments, recursively.
func (r *reader) message(at string, data []byte, depth int) {
	lim := mail.DefaultLimits
	lim.MaxTextBytes = r.lim.MaxTextBytes
	m, err := mail.ParseBytes(data, lim)
	if err != nil {
		r.problem(at, Damaged, "forwarded message: %v", err)
		return
	}
	r.writeString(m.Subject)
	r.newline()
	r.writeString(m.Text)
	r.newline()
	r.endLead()
	for _, a := range m.Attachments {
		if r.timeUp(at) || r.full {
			return
		}
		name := a.Filename
		if name == "" {
			name = "(" + a.ContentType + ")"
		}
		p := join(at, name)
		r.writeString(name)
		r.newline()
		switch {
		case a.Data != nil:
			r.read(p, a.Filename, a.ContentType, a.Data, depth+1)
		case a.Text != "":
			r.writeString(a.Text)
			r.newline()
		case a.Size > 0:
			r.problem(p, TooLarge, "attachment of the forwarded message too large to read")
		}
	}
}
