package relay

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/misend/misend/internal/queue"
)

// maxReturnedHeader bounds how much of the original message a bounce carries:
// its header only, so a bounce never sends the body (which may be the very
// confidential text that went wrong) back around the mail system.
const maxReturnedHeader = 64 << 10

// DSN builds an RFC 3464 delivery status notification telling the envelope
// sender of it that the upstream refused the message for good. It returns
// nil for a message with the null sender: a bounce is never bounced.
func DSN(reportingMTA string, it queue.Item, raw []byte, reason error, now time.Time) (queue.Envelope, []byte) {
	if it.Envelope.From == "" {
		return queue.Envelope{}, nil
	}
	var rb [12]byte
	rand.Read(rb[:])
	boundary := "misend-" + hex.EncodeToString(rb[:])
	diag := "refused"
	if reason != nil {
		diag = oneLine(reason.Error())
	}
	hdr := raw
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		hdr = raw[:i+2]
	}
	if len(hdr) > maxReturnedHeader {
		hdr = hdr[:maxReturnedHeader]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n", reportingMTA)
	fmt.Fprintf(&b, "To: <%s>\r\n", it.Envelope.From)
	b.WriteString("Subject: Undelivered Mail Returned to Sender\r\n")
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(rb[:]), reportingMTA)
	b.WriteString("Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n")
	fmt.Fprintf(&b, "Content-Type: multipart/report; report-type=delivery-status; boundary=\"%s\"\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n", boundary)
	b.WriteString("Your message could not be delivered to the recipients below.\r\n\r\n")
	for _, r := range it.Envelope.To {
		fmt.Fprintf(&b, "  <%s>\r\n", r)
	}
	fmt.Fprintf(&b, "\r\n--%s\r\nContent-Type: message/delivery-status\r\n\r\n", boundary)
	fmt.Fprintf(&b, "Reporting-MTA: dns; %s\r\nArrival-Date: %s\r\n", reportingMTA, it.Created.Format(time.RFC1123Z))
	for _, r := range it.Envelope.To {
		fmt.Fprintf(&b, "\r\nFinal-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: 5.0.0\r\nDiagnostic-Code: smtp; %s\r\n", r, diag)
	}
	fmt.Fprintf(&b, "\r\n--%s\r\nContent-Type: text/rfc822-headers\r\n\r\n", boundary)
	b.Write(hdr)
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return queue.Envelope{From: "", To: []string{it.Envelope.From}}, []byte(b.String())
}

func oneLine(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	if len(s) > 400 {
		s = s[:400]
	}
	return s
}
