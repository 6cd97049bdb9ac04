// Package label finds the classification labels a message carries and
// reports those its recipients take out of the scope their level allows
// (CLASSIFICATION_LABEL findings). Labels come from four places: the
// Microsoft Purview sensitivity labels of the message (the msip_labels
// header) and of its Office documents (custom properties, read by package
// attach), and tags written in the subject or in attachment file names,
// those of the files and folders inside archives included, such as
// 【社外秘】, [Confidential], (極秘), ＜機密＞, or a leading "社内限定_" or
// "公開 ". What a label means (its level, and how far mail of that level
// may go) is the policy's classification.
//
// It deliberately does not decide verdicts (the policy does, per level
// and department), read documents, or look for labels in running text:
// "機密保持契約" in a body is a word, not a label, and taking it for one
// would stop every NDA sent to a partner.
package label

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/misend/misend/internal/attach"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
)

// brackets are the pairs a tag is written between, after NFKC (which
// turns ［］（）＜＞ into their ASCII forms).
var brackets = map[rune]rune{'【': '】', '[': ']', '(': ')', '<': '>', '〔': '〕', '《': '》', '〈': '〉', '≪': '≫', '〖': '〗'}

// maxTag bounds the runes between a tag's brackets: tags are a word or
// two, and a long bracketed aside is not one.
const maxTag = 30

// maxTags bounds the tags read from one subject or file name.
const maxTags = 8

// Tags returns the candidate tags of a subject or file name: the text of
// each bracketed run (and its parts split at ・ or /), and the word it
// starts with when a separator follows it ("社外秘_見積.docx"). They are
// candidates: only those the classification knows are labels.
func Tags(s string) []string {
	s = norm.NFKC.String(s)
	var out []string
	add := func(t string) {
		t = strings.TrimSpace(t)
		if t != "" && len(out) < maxTags {
			out = append(out, t)
		}
	}
	for i, r := range s {
		closer, ok := brackets[r]
		if !ok {
			continue
		}
		inner := s[i+utf8.RuneLen(r):]
		end := strings.IndexRune(inner, closer)
		if end < 0 || utf8.RuneCountInString(inner[:end]) > maxTag {
			continue
		}
		inner = inner[:end]
		add(inner)
		if strings.ContainsAny(inner, "・/,、") {
			for part := range strings.FieldsFuncSeq(inner, func(r rune) bool { return strings.ContainsRune("・/,、", r) }) {
				add(part)
			}
		}
	}
	base, _ := mail.BaseSubject(s)
	if end := strings.IndexFunc(base, separator); end > 0 && utf8.RuneCountInString(base[:end]) <= maxTag {
		add(base[:end])
	} else if end < 0 && utf8.RuneCountInString(base) <= maxTag {
		add(base)
	}
	return out
}

// separator ends a leading tag: "社外秘 見積", "社外秘_見積.docx",
// "Confidential-plan.pptx", "社内限定：議事録".
func separator(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("_-:.・|", r)
}

// Found is one label on a message, and what it means.
type Found struct {
	Label string // as the sender sees it: the tag, the Purview label's name
	Level string
	Scope string // policy.ScopeOrganization, policy.ScopeDepartment or "" (anywhere)
	File  string // the attachment it is on; "" for the message itself
}

// Find returns the labels of msg (its attachments filled by package
// attach) that the policy's classification knows, each once.
func Find(msg *mail.Message, pol *policy.Config) []Found {
	var out []Found
	add := func(label, key, file string) {
		level, scope, ok := pol.Classify(key)
		if !ok {
			return
		}
		if f := (Found{Label: label, Level: level, Scope: scope, File: file}); !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	purview := func(ls []mail.SensitivityLabel, file string) {
		for _, l := range ls {
			if level, _, ok := pol.Classify(l.ID); ok {
				name := l.Name
				if name == "" {
					name = level // a GUID means nothing to a person
				}
				add(name, l.ID, file)
			} else if l.Name != "" {
				add(l.Name, l.Name, file)
			}
		}
	}
	purview(msg.Labels, "")
	// A reply keeps the subject it answers: "Re: [Confidential] ご提案"
	// back to the partner who marked it is their label, not ours. A
	// forward sends the marked mail on, and counts.
	if _, reply := mail.BaseSubject(msg.Subject); !reply || mail.IsForward(msg.Subject) {
		for _, t := range Tags(msg.Subject) {
			add(t, t, "")
		}
	}
	for _, a := range msg.Attachments {
		purview(a.Labels, attach.Name(a))
		if a.Filename != "" {
			for _, t := range Tags(a.Filename) {
				add(t, t, attach.Name(a))
			}
		}
		entryTags(a, add)
	}
	return out
}

// entryTags adds the tags in the names of the files inside archive a, and
// of the folders they are in: "a.zip/【社外秘】見積.xlsx" is labelled as an
// attachment named 【社外秘】見積.xlsx would be, and so is every file of a
// folder "社外秘/". Each tag is added once, with the first file it is on.
func entryTags(a mail.Attachment, add func(label, key, file string)) {
	var seen map[string]bool
	for _, e := range a.Entries {
		for el := range strings.SplitSeq(e, "/") {
			if el == "" {
				continue
			}
			for _, t := range Tags(el) {
				if seen[t] {
					continue
				}
				if seen == nil {
					seen = map[string]bool{}
				}
				seen[t] = true
				add(t, t, attach.Where(a, e))
			}
		}
	}
}

// Recipients is what Findings needs to know of the recipients.
type Recipients interface {
	// Outside returns the first recipient of msg outside scope (the
	// organisation, or the department dept), "" when none is.
	Outside(msg *mail.Message, scope, dept string) string
}

// maxFindings bounds the findings of one message: past a few labels,
// more say nothing new.
const maxFindings = 5

// Findings reports each label of msg whose scope a recipient is outside:
// mail of a department-scoped level from dept (the sender's department;
// "" when unknown, and then the organisation is the scope) to anyone
// outside dept, or of an organisation-scoped level to anyone outside the
// organisation.
func Findings(msg *mail.Message, pol *policy.Config, dept string, rcpts Recipients) []finding.Finding {
	var fs []finding.Finding
	for _, l := range Find(msg, pol) {
		if len(fs) >= maxFindings {
			break
		}
		if l.Scope == "" {
			continue
		}
		scope, d := l.Scope, ""
		if scope == policy.ScopeDepartment {
			if dept == "" {
				scope = policy.ScopeOrganization
			} else {
				d = dept
			}
		}
		r := rcpts.Outside(msg, scope, d)
		if r == "" {
			continue
		}
		args := finding.Args{"label": l.Label, "level": l.Level, "recipient": r, "scope": "scope.organization"}
		f := finding.Finding{Code: finding.ClassificationLabel, Severity: finding.High, Recipient: r, Scope: policy.ScopeOrganization}
		if d != "" {
			args["scope"], args["scope_name"] = "scope.department", d
			f.Scope = "department:" + d
		}
		key := "classification_label"
		if l.File != "" {
			key, args["file"] = "classification_label.attachment", l.File
		}
		fs = append(fs, f.Say(key, args).Suggest("suggest.classification_label"))
	}
	return fs
}
