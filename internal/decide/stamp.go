package decide

import (
	"slices"
	"strings"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/stamp"
)

// What a valid confirmation stamp may lower, and what it never does.
//
// A stamp says one thing: before sending, the sender looked at these
// recipients in the add-in's checklist and said they are the ones meant.
// That answers the findings that ask exactly that question of a recipient
// (waivable below), and nothing else. So:
//
//   - Findings of a waivable code about a confirmed recipient are taken
//     out of the decision. When no recipient is left in question, the
//     score no longer counts either (it measures how likely the message
//     is misdirected, which the sender just answered); the code minimums
//     of the findings that remain still apply.
//   - Only a decision of confirm, delay or warn is lowered: those are the
//     sender's to answer. Hold and reject are an approver's or the
//     organisation's; a stamp never lowers them, so confidential terms
//     going outside, personal data, encrypted or unreadable attachments
//     and mail sent in another's name are decided as without a stamp.
//   - Findings about other recipients, and about the message as a whole,
//     are decided as without a stamp: a recipient added after confirming
//     is asked about as usual.
//   - A fail-safe decision is never lowered.
//
// The decision keeps a CONFIRMED_IN_ADDIN finding naming the confirmed
// recipients, so an approver and an operator see what the sender already
// said. A stamp that does not verify is ignored and leaves a STAMP_INVALID
// finding with the reason (operators only).
var waivable = map[finding.Code]bool{
	finding.NewRecipient:             true,
	finding.NewDomain:                true,
	finding.SimilarContact:           true,
	finding.LookalikeDomain:          true,
	finding.UnusualCombination:       true,
	finding.ExternalInInternalThread: true,
	finding.CrossCompany:             true,
	finding.FreemailRecipient:        true,
	finding.GreetingMismatch:         true,
	finding.ReplyAuthorMissing:       true,
}

// answered reports whether the sender's confirmation of recipients
// answers f. Two companies never mailed together is one question about a
// pair: which of the two the finding names depends on what misend knows
// at that moment (a confirmation just taught it one of them), so
// confirming a recipient at either company answers it.
func answered(f finding.Finding, confirmed []string) bool {
	if !waivable[f.Code] || f.Recipient == "" {
		return false
	}
	if slices.Contains(confirmed, strings.ToLower(f.Recipient)) {
		return true
	}
	if f.Code != finding.CrossCompany {
		return false
	}
	for _, c := range confirmed {
		_, dom, _ := strings.Cut(c, "@")
		if dom != "" && (strings.EqualFold(dom, f.Args["domain"]) || strings.EqualFold(dom, f.Args["other"])) {
			return true
		}
	}
	return false
}

// lowerable are the verdicts a stamp may lower.
var lowerable = map[policy.Verdict]bool{policy.Warn: true, policy.Delay: true, policy.Confirm: true}

// stamps verifies env's stamps against msg: it returns the recipients
// they confirm, what became of each stamp, and fs with a STAMP_INVALID
// finding for each one that did not verify.
func (p *Path) stamps(values []string, who identity, msg *mail.Message, now time.Time, fs []finding.Finding) ([]string, []string, []finding.Finding) {
	if p.Stamps == nil || len(values) == 0 {
		return nil, nil, fs
	}
	facts := stamp.Facts{Sender: who.sender, MessageID: msg.MessageID, Date: msg.Date}
	for _, r := range msg.Recipients() {
		facts.Recipients = append(facts.Recipients, r.Addr)
	}
	var confirmed, checks []string
	for _, v := range values {
		got, err := p.Stamps.Verify(v, facts, now)
		if err == nil && !who.person {
			// Stamps are issued to people of the directory only; a sender
			// nobody knows cannot have earned one.
			err = stamp.ErrOtherSender
		}
		reason := stamp.Reason(err)
		checks = append(checks, reason)
		if err != nil {
			fs = append(fs, finding.Finding{Code: finding.StampInvalid, Severity: finding.Info}.
				Say("stamp_invalid", finding.Args{"why": "stamp." + reason, "reason": reason}))
			continue
		}
		for _, r := range got {
			if !slices.Contains(confirmed, r) {
				confirmed = append(confirmed, r)
			}
		}
	}
	return confirmed, checks, fs
}

// waive applies what the sender confirmed (see waivable): it returns the
// findings and the decision as they stand with the confirmation.
func waive(confirmed []string, score float64, fs []finding.Finding, decision policy.Decision, dept string,
	evaluate func(float64, []finding.Finding) (policy.Decision, string)) ([]finding.Finding, policy.Decision, string) {
	note := finding.Finding{Code: finding.ConfirmedInAddin, Severity: finding.Info}.
		Say("confirmed_in_addin", finding.Args{"recipients": strings.Join(confirmed, ", ")})
	decided := decision.Decided
	if decided == "" {
		decided = decision.Verdict
	}
	if !lowerable[decided] || decision.Rule == "fail-safe" {
		return append(fs, note), decision, dept
	}
	var rest []finding.Finding
	open := false // a recipient is still in question
	for _, f := range fs {
		if answered(f, confirmed) {
			continue
		}
		open = open || waivable[f.Code] && f.Recipient != ""
		rest = append(rest, f)
	}
	rest = append(rest, note)
	if !open {
		score = 0
	}
	lowered, d := evaluate(score, rest)
	if !decided.Stricter(lowered.Decided) {
		return rest, decision, dept
	}
	if lowered.Rule == "default" {
		lowered.Rule = "confirmed-in-addin"
	}
	return rest, lowered, d
}
