package attach

import (
	"context"
	"strings"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
)

// noContent are MIME types that carry no document: signatures and the
// control part of PGP/MIME. Reading them would only report them unreadable.
var noContent = map[string]bool{
	"application/pkcs7-signature":   true,
	"application/x-pkcs7-signature": true,
	"application/pgp-signature":     true,
	"application/pgp-encrypted":     true,
	"application/pgp-keys":          true,
}

// Fill returns a copy of atts with what is inside each attachment read:
// Text, Lead, Encrypted, Labels, Entries and Unreadable set, Data dropped. Text attachments
// that package mail decoded cleanly from a declared charset keep their
// text. All attachments of one message share lim.Timeout and the
// deadline of ctx. atts itself is left alone.
func Fill(ctx context.Context, atts []mail.Attachment, lim Limits) []mail.Attachment {
	if len(atts) == 0 {
		return atts
	}
	lim = lim.withDefaults()
	deadline := time.Now().Add(lim.Timeout)
	out := make([]mail.Attachment, len(atts))
	for i, a := range atts {
		a.Data = nil
		out[i] = a
		orig := atts[i]
		switch {
		case noContent[orig.ContentType]:
			continue
		case orig.Data == nil:
			if orig.Size > 0 && orig.Text == "" && !media(orig.ContentType) {
				out[i].Unreadable, out[i].UnreadablePath = string(TooLarge), "."
			}
			continue
		case readAlready(orig):
			continue
		}
		r := newReader(ctx, lim, deadline)
		res := r.result(orig.Filename, orig.ContentType, orig.Data)
		if res.Text != "" || orig.Text == "" {
			out[i].Text = res.Text
		}
		out[i].Lead = res.Lead
		out[i].Encrypted = res.Encrypted
		out[i].Labels = res.Labels
		out[i].Entries = res.Entries
		if len(res.Problems) > 0 {
			out[i].Unreadable, out[i].UnreadablePath = string(res.Problems[0].Reason), res.Problems[0].Path
		}
	}
	return out
}

func media(ctype string) bool {
	return strings.HasPrefix(ctype, "image/") || strings.HasPrefix(ctype, "audio/") || strings.HasPrefix(ctype, "video/")
}

// readAlready reports a text attachment that package mail decoded without
// damage: its declared charset is worth more than a guess. HTML is read
// again, to reduce it to text.
func readAlready(a mail.Attachment) bool {
	return strings.HasPrefix(a.ContentType, "text/") && a.ContentType != "text/html" &&
		a.Text != "" && !strings.ContainsRune(a.Text, '\uFFFD')
}

// maxFindings bounds the findings of one message's attachments: past a
// few, more of the same say nothing new.
const maxFindings = 5

// Findings reports the attachments, filled by Fill, that could not be read
// (ATTACHMENT_UNREADABLE) or need a password (ENCRYPTED_ATTACHMENT), for
// mail to recipient, the first recipient outside the organisation. Policy
// decides what they mean (by default a warning).
func Findings(atts []mail.Attachment, recipient string) []finding.Finding {
	var fs []finding.Finding
	for _, a := range atts {
		if len(fs) >= maxFindings {
			break
		}
		if len(a.Encrypted) > 0 {
			fs = append(fs, finding.Finding{Code: finding.EncryptedAttachment, Severity: finding.Medium, Recipient: recipient}.
				Say("encrypted_attachment", finding.Args{"file": Where(a, a.Encrypted[0])}).
				Suggest("suggest.encrypted_attachment"))
		}
		if a.Unreadable != "" {
			sev := finding.Medium
			if a.Unreadable == string(Unsupported) {
				sev = finding.Info
			}
			fs = append(fs, finding.Finding{Code: finding.AttachmentUnreadable, Severity: sev, Recipient: recipient}.
				Say("attachment_unreadable", finding.Args{"file": Where(a, a.UnreadablePath), "reason": "attachment.reason." + a.Unreadable}).
				Suggest("suggest.attachment_unreadable"))
		}
	}
	return fs
}

// Name is how an attachment is named to people: its file name, else its
// type (a forwarded message shown inline has no name).
func Name(a mail.Attachment) string {
	if a.Filename != "" {
		return a.Filename
	}
	return "(" + a.ContentType + ")"
}

// Where names the part at path inside attachment a ("." for a itself).
func Where(a mail.Attachment, path string) string {
	if path == "" || path == "." {
		return Name(a)
	}
	return Name(a) + "/" + path
}
