package ingest

import (
	"errors"

	"github.com/misend/misend/internal/mail"
)

// Reasons a message or file is skipped. They are stable keys, fit for
// counting and for scripts; Describe gives the sentence for each.
const (
	SkipNotMail          = "not-mail"
	SkipMaildirMetadata  = "maildir-metadata"
	SkipTooLarge         = "too-large"
	SkipHeaderTooLarge   = "header-too-large"
	SkipMIMETooDeep      = "mime-too-deep"
	SkipMIMETooManyParts = "mime-too-many-parts"
	SkipUnreadable       = "unreadable-file"
	SkipUnparseable      = "unparseable"
	SkipCSVColumns       = "csv-unknown-columns"
	SkipCSVBadRow        = "csv-unreadable-row"
	SkipCSVNoAddress     = "csv-row-without-address"
	SkipCSVLateRow       = "csv-late-recipient-row"
	SkipCSVBadDate       = "csv-bad-date"
)

var reasons = map[string]string{
	SkipNotMail:          "not mail: the file does not start with a mail header (or holds binary data)",
	SkipMaildirMetadata:  "mail server bookkeeping in a Maildir (maildirsize, dovecot-*, courierimap*)",
	SkipTooLarge:         "message larger than the size limit",
	SkipHeaderTooLarge:   "header larger than the header size limit",
	SkipMIMETooDeep:      "MIME parts nested deeper than the limit",
	SkipMIMETooManyParts: "more MIME parts than the limit",
	SkipUnreadable:       "file could not be read",
	SkipUnparseable:      "message could not be parsed",
	SkipCSVColumns:       "CSV file without sender and recipient address columns",
	SkipCSVBadRow:        "CSV row that is not valid CSV",
	SkipCSVNoAddress:     "CSV row without a sender or recipient address",
	SkipCSVLateRow:       "CSV recipient row far from its message's other rows, after the message was passed on",
	SkipCSVBadDate:       "CSV row whose date is not a valid date and time (the line is in the example)",
}

// Describe explains a skip reason key in a sentence.
func Describe(reason string) string {
	if d, ok := reasons[reason]; ok {
		return d
	}
	return reason
}

// reasonOf maps a Parse error to its skip key.
func reasonOf(err error) string {
	for _, k := range []struct {
		err    error
		reason string
	}{
		{mail.ErrNotMessage, SkipNotMail},
		{mail.ErrTooLarge, SkipTooLarge},
		{mail.ErrHeaderTooLarge, SkipHeaderTooLarge},
		{mail.ErrTooDeep, SkipMIMETooDeep},
		{mail.ErrTooManyParts, SkipMIMETooManyParts},
	} {
		if errors.Is(err, k.err) {
			return k.reason
		}
	}
	return SkipUnparseable
}
