// Package finding defines what a detector reports about one message: a stable
// code, a severity, the recipient it concerns, a sentence for a person and, where
// one exists, a suggested fix; and the catalogue those sentences come from, in
// English and Japanese (Say, Localize).
//
// It is a leaf package so that every detector (behavioural, confidential terms,
// personal data) and every consumer (check output, gateway, web UI) agree on one
// shape without importing each other. It holds no logic beyond that shape and
// filling in its sentences; it does not choose a reader's language.
package finding

// Code names a kind of finding. Codes are part of the public contract: they
// appear in `misend check --json`, the HTTP API, the UI, logs and metrics.
type Code string

const (
	NewRecipient             Code = "NEW_RECIPIENT"
	NewDomain                Code = "NEW_DOMAIN"
	SimilarContact           Code = "SIMILAR_CONTACT"
	LookalikeDomain          Code = "LOOKALIKE_DOMAIN"
	UnusualCombination       Code = "UNUSUAL_COMBINATION"
	ExternalInInternalThread Code = "EXTERNAL_IN_INTERNAL_THREAD"
	CrossCompany             Code = "CROSS_COMPANY"
	BccRecommended           Code = "BCC_RECOMMENDED"
	GreetingMismatch         Code = "GREETING_MISMATCH"
	FreemailRecipient        Code = "FREEMAIL_RECIPIENT"
	UnusualVolume            Code = "UNUSUAL_VOLUME"
	UnusualTime              Code = "UNUSUAL_TIME"
	ConfidentialTerms        Code = "CONFIDENTIAL_TERMS"
	PersonalData             Code = "PERSONAL_DATA"
	ParseProblem             Code = "PARSE_PROBLEM"
	// SentAs: one insider sent mail in another's name (envelope sender
	// and From differ). The one who sent it answers for it.
	SentAs Code = "SENT_AS"
	// AttachmentUnreadable: an attachment going outside could not be read
	// (damaged, too large, an archive bomb, a kind misend does not read),
	// so nothing in it was checked.
	AttachmentUnreadable Code = "ATTACHMENT_UNREADABLE"
	// EncryptedAttachment: an attachment going outside needs a password
	// (a ZIP, Office or PDF file): the PPAP pattern, whose password
	// usually follows to the same recipients.
	EncryptedAttachment Code = "ENCRYPTED_ATTACHMENT"
	// ConfirmedInAddin: the sender confirmed recipients in a mail-client
	// add-in and the message carries misend's valid stamp saying so
	// (package stamp). About the message, never one recipient: a finding
	// naming a recipient would flag it to be confirmed again.
	ConfirmedInAddin Code = "CONFIRMED_IN_ADDIN"
	// StampInvalid: the message carries a confirmation stamp that does not
	// verify (forged, expired, another sender's or message's). It is
	// ignored; operators see why, senders do not (SenderView).
	StampInvalid Code = "STAMP_INVALID"
	// ClassificationLabel: the message, or an attachment, carries a
	// classification label (a Purview sensitivity label, a 【社外秘】-style
	// tag) whose level must not leave a scope a recipient is outside of.
	// Args name the label and its level; Scope is the scope left.
	ClassificationLabel Code = "CLASSIFICATION_LABEL"
	// ReplyAuthorMissing: a reply does not go to the author of the
	// message it quotes: meant for another conversation, or the author
	// replaced by someone else. Recipient is the first recipient the
	// quoted headers do not name.
	ReplyAuthorMissing Code = "REPLY_AUTHOR_MISSING"
)

// Severity orders findings for people; the score, not the severity, drives policy.
type Severity string

const (
	Info   Severity = "info"
	Low    Severity = "low"
	Medium Severity = "medium"
	High   Severity = "high"
)

// Finding is one reason a message may be misdirected.
//
// Message and Suggestion are shown to the sender and must never contain
// confidential-list terms; Terms is operator-only and is dropped by
// SenderView.
type Finding struct {
	Code       Code     `json:"code"`
	Severity   Severity `json:"severity"`
	Recipient  string   `json:"recipient,omitempty"`
	Message    string   `json:"message"`
	Suggestion string   `json:"suggestion,omitempty"`

	// Scope and Weight are set for CONFIDENTIAL_TERMS: the scope the message
	// leaves (e.g. "department:営業部") and the mean weight of matched terms.
	Scope  string   `json:"scope,omitempty"`
	Weight *float64 `json:"weight,omitempty"`
	// Terms are the matched list terms: operator- and approver-facing only.
	Terms []string `json:"terms,omitempty"`

	// Key and Args name Message's catalogue sentence and its arguments, and
	// SuggestionKey a suggested action's, so that the sentences can be
	// written in the reader's language (Localize). Findings stored before
	// the catalogue have none and are shown as they are.
	Key           string `json:"key,omitempty"`
	SuggestionKey string `json:"suggestion_key,omitempty"`
	Args          Args   `json:"args,omitempty"`
}

// SenderView returns copies of fs with every operator-only field removed, for
// anything a sender (or an SMTP reply) may see.
func SenderView(fs []Finding) []Finding {
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		if f.Code == StampInvalid {
			// Which check a forged stamp failed is for operators: told to
			// the one who forged it, it would say what to try next.
			continue
		}
		// The terms, and their mean weight, would let a sender learn the
		// list by trying drafts: a sender hears only that confidential
		// terms of a scope are there.
		f.Terms, f.Weight = nil, nil
		if f.Code == ClassificationLabel {
			f = levelOnly(f)
		}
		out = append(out, f)
	}
	return out
}

// levelOnly says a classification-label finding by its level alone: an
// organisation may list a label's words (社外秘) among its confidential
// terms too, and a term is never shown to a sender, whatever found it.
func levelOnly(f Finding) Finding {
	if f.Args["label"] == "" {
		return f
	}
	args := make(Args, len(f.Args))
	for k, v := range f.Args {
		if k != "label" {
			args[k] = v
		}
	}
	key := "classification_label.level"
	if f.Args["file"] != "" {
		key += ".attachment"
	}
	sk := f.SuggestionKey
	f = f.Say(key, args)
	if sk != "" {
		f = f.Suggest(sk)
	}
	return f
}
