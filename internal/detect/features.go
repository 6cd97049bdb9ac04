package detect

// Feature positions. FeatureNames gives their names, which fitted Weights
// carry so a weights file stays meaningful if positions ever change.
const (
	fNovelty = iota
	fHistory
	fNewExternal
	fNewDomain
	fDeptUnknown
	fOrgUnknown
	fOrgDomainUnknown
	fWroteBefore
	fInThread
	fSimilarContact
	fLookalike
	fNoCooccur
	fNoCooccurKnown
	fExternalInInternal
	fCrossCompany
	fBcc
	fGreeting
	fFreemailNew
	fUnusualTime
	fUnusualVolume
	fLogRecipients
	fLogHistory
	fContent
	fThreadNewcomer
	fRarestInternal
	fSimilarFreq
	fSimilarSameOrg
	fFirstRate
	fNoveltyFirstRate
	fSimilarFit
	fGreetOutside
	fGreetRarest
	fStrangerToOthers
	fOthersKnowRarest
	fThreadOutsider
	fSimilarGivenOnly
	fSimilarAddress
	fGreetNobody
	fGreetNamesake
	fNamesakePair
	fSimilarKnown
	fGreetDepartment
	fQuoted
	fQuotedOutsider
	fForward
	fAttachCount
	fAttachKinds
	fAttachArchive
	fAttachEncrypted
	fAttachLabelled
	fAttachNewKind
	fTextNamesRarest
	fOrgStale
	fOtherCircle
	fReplyAuthorGone
	fTopicKnown
	fTopicForeign
	fTopicRarest
	fTopicSpread
	fSimilarTopic
	numFeatures
)

// FeatureNames names each position of Features.
var FeatureNames = []string{
	fNovelty:            "novelty",                     // 1/(1+exchanged) of the rarest recipient outside the thread
	fHistory:            "history_confidence",          // min(1, sent/50): novelty features are scaled by it
	fNewExternal:        "new_external",                // an outside recipient never exchanged with
	fNewDomain:          "new_domain",                  // an outside domain never exchanged with
	fDeptUnknown:        "dept_unknown",                // 1/(1+team members who exchanged mail with the rarest recipient)
	fOrgUnknown:         "org_unknown",                 // 1/(1+insiders who mailed the rarest recipient)
	fOrgDomainUnknown:   "org_domain_unknown",          // 1/(1+insiders who mailed the newest domain)
	fWroteBefore:        "wrote_before",                // the rarest recipient wrote to the sender before
	fInThread:           "in_thread",                   // share of recipients already in the thread answered
	fSimilarContact:     "similar_contact",             // strength of the best "did you mean" contact
	fLookalike:          "lookalike_domain",            // a recipient domain imitates a known one
	fNoCooccur:          "no_cooccur",                  // 1/(1+exchanged) of the rarest recipient never seen with the others
	fNoCooccurKnown:     "no_cooccur_known",            // same, for a recipient the sender knows
	fExternalInInternal: "external_in_internal_thread", // an outsider added to an insiders-only thread
	fCrossCompany:       "cross_company",               // two outside organisations never mailed together
	fBcc:                "bcc_recommended",             // many outside organisations in To/Cc
	fGreeting:           "greeting_mismatch",           // greeting or attachment names someone else
	fFreemailNew:        "freemail_new",                // a new personal-webmail recipient
	fUnusualTime:        "unusual_time",                // an hour the sender never sends at
	fUnusualVolume:      "unusual_volume",              // far more mail today than usual
	fLogRecipients:      "log_recipients",              // log(1+recipients)
	fLogHistory:         "log_history",                 // log(1+messages the sender sent, decayed)
	fContent:            "content",                     // a content checker reported medium or high
	fThreadNewcomer:     "thread_newcomer",             // a reply in a known thread adds someone never mailed
	fRarestInternal:     "rarest_internal",             // the rarest recipient is inside the organisation
	fSimilarFreq:        "similar_contact_freq",        // log(1+messages exchanged with the suggested contact)
	fSimilarSameOrg:     "similar_contact_same_org",    // the suggested contact is at the recipient's organisation
	fFirstRate:          "first_contact_rate",          // share of the sender's mail that reaches someone new
	fNoveltyFirstRate:   "novelty_x_first_rate",        // novelty, times that share: novelty is normal for some
	fSimilarFit:         "similar_contact_fit",         // log(1+how much better the suggested contact fits the others)
	fGreetOutside:       "greeting_outside_company",    // the greeting addresses another company; every recipient is inside
	fGreetRarest:        "greeting_names_rarest",       // the greeting names the rarest recipient: novelty of that recipient
	fStrangerToOthers:   "stranger_to_others",          // no other recipient ever exchanged mail with the sender's new recipient
	fOthersKnowRarest:   "others_know_rarest",          // share of the other recipients who exchanged mail with it
	fThreadOutsider:     "thread_outsider",             // a reply names someone outside the thread: 1/(1+exchanged) of the rarest such
	fSimilarGivenOnly:   "similar_contact_given_name",  // the suggested contact shares only a given name, a weak likeness
	fSimilarAddress:     "similar_contact_address",     // the suggested contact's address differs by one letter or a number
	fGreetNobody:        "greeting_names_nobody",       // the greeting names a person who is no recipient
	fGreetNamesake:      "greeting_fits_namesake",      // the greeting's name fits the rarest recipient and a better-known namesake: greeting_names_rarest times the namesake's strength
	fNamesakePair:       "namesake_pair",               // two recipients never mailed together look alike: 1/(1+exchanged) of the rarer
	fSimilarKnown:       "similar_contact_rare",        // a rare contact resembles one mailed far more who fits the others better: likeness times 1/(1+exchanged)
	fGreetDepartment:    "greeting_other_department",   // the greeting names a colleague's department, and the colleague it fits sits in another
	fQuoted:             "quoted_headers",              // the text quotes a message's headers (a reply or forward); recipients they name count as in the thread
	fQuotedOutsider:     "quoted_outsider",             // the text quotes headers, and a recipient they do not name: 1/(1+exchanged) of the rarest such
	fForward:            "forward",                     // the subject says the message is forwarded: new people are its point
	fAttachCount:        "attachments",                 // log(1+attachments a person chose: signatures left out)
	fAttachKinds:        "attachment_kinds",            // how many kinds of attachment (PDF, Word, spreadsheet, archive, image, …)
	fAttachArchive:      "attachment_archive",          // an archive (ZIP, 7z, …) is attached
	fAttachEncrypted:    "attachment_encrypted",        // an attachment, or a file inside one, needs a password
	fAttachLabelled:     "attachment_labelled",         // a Purview sensitivity label on the message or a document
	fAttachNewKind:      "attachment_new_kind",         // an outside recipient's domain never got this kind of attachment from the sender
	fTextNamesRarest:    "text_names_rarest",           // the text names every least known recipient by a token no other contact bears: their novelty
	fOrgStale:           "org_stale",                   // the organisation last exchanged mail with the rarest recipient long ago: 1-2^(-age/60 days)
	fOtherCircle:        "other_circle",                // the rarest recipient is in another circle of the mail graph than the sender and every other recipient
	fReplyAuthorGone:    "reply_author_missing",        // a reply quotes a message whose author is neither the sender nor a recipient
	fTopicKnown:         "topic_known",                 // the words of the message and of a recipient's mail are enough to compare
	fTopicForeign:       "topic_foreign",               // 1 - how well the message fits the least fitting recipient's mail
	fTopicRarest:        "topic_rarest_foreign",        // 1 - how well it fits the rarest recipient's mail
	fTopicSpread:        "topic_spread",                // how much better it fits the best fitting recipient than the least
	fSimilarTopic:       "similar_contact_topic",       // how much better the message fits the suggested contact's mail than the recipient's
}
