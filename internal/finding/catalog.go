package finding

// catalog holds every sentence a detector can say, by key, in each language.
//
// Templates name their arguments: {name} is replaced by the argument's value
// as it is; {@name} takes the argument's value as one or more catalogue keys
// (space-separated) and puts in their sentences in the same language, joined
// as a list. That is how a sentence carries a localized fragment (the reason
// two addresses look alike, the scope a term belongs to) without the
// detector composing language itself.
//
// The English templates reproduce, byte for byte, the sentences misend wrote
// before there was a catalogue: check output, stored held mail and logs
// keep reading the same. The Japanese ones are written for the sender's
// office: polite, short, and without a closing 。 (they stand as list items).
//
// Arguments never carry confidential-list terms: a CONFIDENTIAL_TERMS
// sentence names the scope and the recipient only.
var catalog = map[string]entry{
	// NEW_RECIPIENT
	"new_recipient": {
		"you have never mailed this address",
		"このアドレスに送信したことはありません"},
	"new_recipient.team": {
		"you have never mailed this address; others in your team have",
		"このアドレスに送信したことはありません。同じ部署の方は送信しています"},
	"new_recipient.org": {
		"you have never mailed this address; others in the organisation have",
		"このアドレスに送信したことはありません。社内の他の方は送信しています"},
	"new_recipient.colleague": {
		"you have never mailed this colleague",
		"社内のこの方に送信したことはありません"},
	"new_recipient.unfamiliar": {
		"you have never mailed this address; {@why}",
		"このアドレスに送信したことはありません（{@why}）"},
	"new_recipient.colleague_unfamiliar": {
		"you have never mailed this colleague; {@why}",
		"社内のこの方に送信したことはありません（{@why}）"},
	"unfamiliar.long_ago": {
		"the organisation last exchanged mail with them {months} months ago",
		"社内で最後にやり取りがあったのは約{months}か月前"},
	"unfamiliar.other_circle": {
		"the people who mail them work apart from everyone on this message",
		"この宛先とやり取りしている人たちは、このメールの送信者や宛先の方とふだん関わりがありません"},

	// NEW_DOMAIN
	"new_domain.team": {
		"you have never mailed {domain}; others in your team have",
		"{domain} に送信したことはありません。同じ部署の方は送信しています"},
	"new_domain.team_neither": {
		"you have never mailed {domain}; your team neither",
		"{domain} に送信したことはありません。同じ部署の方も送信していません"},
	"new_domain.org": {
		"you have never mailed {domain}; others in the organisation have",
		"{domain} に送信したことはありません。社内の他の方は送信しています"},
	"new_domain.nobody": {
		"you have never mailed {domain}; nobody in the organisation has",
		"{domain} に送信したことはありません。社内でも送信した方はいません"},

	// SIMILAR_CONTACT and the reasons the intended contact looks alike.
	"similar_contact": {
		"you rarely or never mailed this address; you often mail {best}, {@why}",
		"このアドレスへの送信はほとんどありません。いつもの宛先 {best}（{@why}）とよく似ています"},
	"similar_recipient": {
		"this address and {other}, {@why}, are both recipients, and you have never mailed them together",
		"このアドレスと宛先の {other}（{@why}）はよく似ていますが、一緒に送信したことはありません"},
	"similar.other_domain": {
		"the same name at another domain",
		"ドメインだけが違うアドレス"},
	"similar.numbered": {
		"the same name with another number",
		"番号だけが違うアドレス"},
	"similar.one_letter": {
		"an address that differs by one letter",
		"1文字違いのアドレス"},
	"similar.two_letters": {
		"an address that differs by two letters",
		"2文字違いのアドレス"},
	"similar.family": {
		"who has the same family name",
		"姓が同じ方"},
	"similar.given": {
		"who has the same given name",
		"下の名前が同じ方"},
	"similar.prefix": {
		"whose address starts the same way",
		"先頭が同じアドレス"},

	// LOOKALIKE_DOMAIN and how the domain imitates a known one.
	"lookalike_domain": {
		"{domain} {@why}, which you know",
		"{domain} は{@why}"},
	"lookalike.homoglyph": {
		"looks the same as {known} but uses different characters",
		"送信実績のある {known} と見た目は同じですが、別の文字が使われています"},
	"lookalike.ending": {
		"has the same name as {known} under a different ending",
		"送信実績のある {known} と名前が同じで、末尾だけが異なります"},
	"lookalike.one_letter": {
		"differs by one letter from {known}",
		"送信実績のある {known} と1文字違いです"},
	"lookalike.two_letters": {
		"differs by two letters from {known}",
		"送信実績のある {known} と2文字違いです"},

	"unusual_combination": {
		"you have never mailed this address together with the other recipients",
		"このアドレスと他の宛先に一緒に送信したことはありません"},
	"external_in_internal_thread": {
		"this conversation was internal so far; this recipient is outside the organisation",
		"これまで社内だけのやり取りでしたが、この宛先は社外です"},
	"cross_company": {
		"you have never mailed {domain} and {other} in one message",
		"{domain} と {other} を同じメールの宛先にしたことはありません"},
	"bcc_recommended": {
		"many outside addresses of different organisations can all see each other",
		"複数の会社の社外宛先が、互いに見える状態です"},
	"suggest.bcc": {
		"put the outside recipients in Bcc",
		"社外の宛先は Bcc に入れてください"},
	"freemail_recipient": {
		"this is a personal webmail address you have never mailed",
		"送信したことのない個人のフリーメールアドレスです"},
	"unusual_time": {
		"you do not usually send mail at this hour",
		"普段はメールを送信しない時間帯です"},
	"unusual_volume": {
		"you have sent far more mail today than usual",
		"本日はいつもよりかなり多くのメールを送信しています"},
	"confirmed_in_addin": {
		"you confirmed {recipients} in your mail client before sending",
		"{recipients} は送信前にメールソフトで確認済みです"},
	"stamp_invalid": {
		"a recipient confirmation from the mail client was not used: {@why}",
		"メールソフトでの宛先確認は使用しませんでした（{@why}）"},
	"stamp.forged": {
		"its signature does not verify",
		"署名を検証できません"},
	"stamp.expired": {
		"it has expired",
		"有効期限が切れています"},
	"stamp.sender": {
		"it was made for another sender",
		"別の送信者のものです"},
	"stamp.message": {
		"it was made for another message",
		"別のメールのものです"},
	"stamp.date": {
		"the message's date is outside its validity",
		"メールの日付が有効期間外です"},
	"stamp.malformed": {
		"it cannot be read",
		"形式が正しくありません"},
	"sent_as": {
		"sent by {submitter} in the name of {from}",
		"{submitter} が {from} の名前で送信したメールです"},
	// PARSE_PROBLEM: {problem} is the parser's own words, for logs; people
	// read {@kind}, derived from it (parseKind).
	"parse_problem": {
		"not all of the message could be checked: {@kind}",
		"メールの内容をすべては確認できませんでした（{@kind}）"},
	"parse.encoding": {
		"part of the text is wrongly encoded",
		"本文の一部の符号化や文字コードが壊れています"},
	"parse.structure": {
		"its parts (text and attachments) are not put together correctly",
		"本文と添付ファイルの区切りなど、メールの構成が壊れています"},
	"parse.header": {
		"some header lines, such as the addresses, are malformed",
		"宛先などのヘッダーの一部が正しい形式ではありません"},
	"parse.too_large": {
		"it is too long to check in full",
		"長すぎるため全体を確認できませんでした"},
	"parse.other": {
		"part of it could not be read",
		"一部を読み取れませんでした"},

	// REPLY_AUTHOR_MISSING
	"reply_author": {
		"this reply does not go to {author}, who wrote the message it answers",
		"返信元のメールの差出人（{author}）が宛先に含まれていません"},

	// GREETING_MISMATCH
	"greeting.person": {
		"the greeting names {person}, who is not among the recipients; you know {addr} by that name",
		"書き出しの宛名「{person}」の方は宛先に含まれていません。この名前の方とは {addr} でやり取りしています"},
	"greeting.nobody": {
		"the greeting names {person}, who is not among the recipients",
		"書き出しの宛名「{person}」の方は宛先に含まれていません"},
	"greeting.department": {
		"the greeting addresses {person} of {department}, but {addr} is in {actual}",
		"書き出しは{department}の{person}さん宛てですが、{addr} は{actual}の方です"},
	"greeting.outside": {
		"the greeting addresses someone at {company}, but every recipient is inside the organisation",
		"書き出しは{company}の方宛てですが、宛先はすべて社内の方です"},
	"greeting.company": {
		"the greeting names {domain}, but no recipient is at {domain}",
		"書き出しの会社名は {domain} の会社を指していますが、宛先に {domain} の方はいません"},
	"greeting.company_named": {
		"the greeting names {company}, whose mail goes to {domain}, but no recipient is at {domain}",
		"書き出しに「{company}」とありますが、{company}宛てのメールの送信先である {domain} の方は宛先にいません"},
	"greeting.attachment": {
		"the attachment {file} names {domain}, but no recipient is at {domain}",
		"添付ファイル {file} に {domain} の会社名がありますが、宛先に {domain} の方はいません"},

	// ATTACHMENT_UNREADABLE and why.
	"attachment_unreadable": {
		"the attachment {file} could not be checked: {@reason}",
		"添付ファイル {file} の内容を確認できませんでした（{@reason}）"},
	"suggest.attachment_unreadable": {
		"check the attachment's contents and recipients before sending",
		"送信前に添付ファイルの内容と宛先をご確認ください"},
	"attachment.reason.damaged": {
		"the file is damaged",
		"ファイルが破損しています"},
	"attachment.reason.too_large": {
		"it is too large to read",
		"サイズが大きすぎるため読み取れません"},
	"attachment.reason.bomb": {
		"it expands far beyond its size, as an archive bomb does",
		"展開後のサイズが異常に大きく、圧縮爆弾の疑いがあります"},
	"attachment.reason.too_deep": {
		"archives or forwarded messages are nested too deep",
		"圧縮ファイルや転送メールの入れ子が深すぎます"},
	"attachment.reason.unsupported": {
		"this file type cannot be read",
		"このファイル形式は読み取りに対応していません"},
	"attachment.reason.timeout": {
		"reading it took too long",
		"読み取りに時間がかかりすぎました"},

	// ENCRYPTED_ATTACHMENT: the PPAP pattern.
	"encrypted_attachment": {
		"the attachment {file} is protected by a password, so its contents cannot be checked; a password sent in a later mail reaches the same recipients",
		"添付ファイル {file} はパスワード付きのため内容を確認できません。パスワードを後から別のメールで送っても、同じ宛先に届きます"},
	"suggest.encrypted_attachment": {
		"share the file through the approved file-sharing service instead",
		"パスワード付きファイルではなく、所定のファイル共有サービスをご利用ください"},

	"greeting.attachment_company": {
		"the attachment {file} names {company}, whose mail goes to {domain}, but no recipient is at {domain}",
		"添付ファイル {file} に「{company}」とありますが、{company}宛てのメールの送信先である {domain} の方は宛先にいません"},

	// CLASSIFICATION_LABEL: labels are not secret; the sender is told
	// which one, and which scope it keeps the mail in.
	"classification_label": {
		"the message is labelled {label} ({level}), and {recipient} is outside {@scope}",
		"このメールには「{label}」（{level}）の表示がありますが、{recipient} は{@scope}以外の宛先です"},
	"classification_label.attachment": {
		"the attachment {file} is labelled {label} ({level}), and {recipient} is outside {@scope}",
		"添付ファイル {file} には「{label}」（{level}）の表示がありますが、{recipient} は{@scope}以外の宛先です"},
	// The sender's view: the level alone (finding.SenderView).
	"classification_label.level": {
		"the message is marked {level}, and {recipient} is outside {@scope}",
		"このメールは取り扱い区分「{level}」ですが、{recipient} は{@scope}以外の宛先です"},
	"classification_label.level.attachment": {
		"the attachment {file} is marked {level}, and {recipient} is outside {@scope}",
		"添付ファイル {file} は取り扱い区分「{level}」ですが、{recipient} は{@scope}以外の宛先です"},
	"suggest.classification_label": {
		"make sure it may go outside {@scope}; if not, remove the recipients outside it",
		"{@scope}以外に送付してよいかご確認ください。送付できない場合は{@scope}以外の宛先を外してください"},

	// CONFIDENTIAL_TERMS: the scope, never a term.
	"confidential_terms": {
		"the message contains terms confidential to {@scope}, and {recipient} is outside it",
		"このメールには{@scope}限りの情報が含まれていますが、{recipient} は{@scope}以外の宛先です"},
	"confidential_terms.attachment": {
		"the attachment {file} contains terms confidential to {@scope}, and {recipient} is outside it",
		"添付ファイル {file} には{@scope}限りの情報が含まれていますが、{recipient} は{@scope}以外の宛先です"},
	"suggest.confidential": {
		"remove the confidential content or the recipients outside {@scope}",
		"{@scope}限りの情報を削除するか、{@scope}以外の宛先を外してください"},
	"scope.department": {
		"department {scope_name}",
		"{scope_name}"},
	"scope.group": {
		"group {scope_name}",
		"「{scope_name}」"},
	"scope.organization": {
		"the organisation",
		"社内"},

	// PERSONAL_DATA: kinds and counts, never values.
	"personal_data": {
		"the message contains {@found} and goes outside the organisation",
		"このメールには{@found}が含まれており、社外に送信されます"},
	"personal_data.attachment": {
		"the attachment {file} contains {@found} and goes outside the organisation",
		"添付ファイル {file} には{@found}が含まれており、社外に送信されます"},
	"suggest.personal_data": {
		"remove the personal data or send it through the approved channel",
		"個人情報を削除するか、所定の方法で送付してください"},
	"pd.my_number": {
		"a My Number (individual number)",
		"マイナンバー（個人番号）"},
	"pd.my_numbers": {
		"{my_numbers} My Numbers (individual numbers)",
		"マイナンバー（個人番号）{my_numbers}件"},
	"pd.card": {
		"a payment card number",
		"クレジットカード番号"},
	"pd.cards": {
		"{cards} payment card numbers",
		"クレジットカード番号{cards}件"},
	"pd.phone": {
		"a phone number",
		"電話番号"},
	"pd.phones": {
		"{phones} phone numbers",
		"電話番号{phones}件"},
	"pd.postal_address": {
		"a postal address",
		"住所"},
	"pd.postal_addresses": {
		"{postal_addresses} postal addresses",
		"住所{postal_addresses}件"},
}

// entry is one key's templates: English, then Japanese.
type entry struct{ en, ja string }

func (e entry) in(lang string) string {
	if lang == "ja" {
		return e.ja
	}
	return e.en
}

// listSep joins the sentences of a {@name} argument with several keys.
var listSep = map[string]string{"en": ", ", "ja": "、"}

// aboutCatalog words, for an approver or auditor, the sentences that speak
// to the sender ("you have never mailed…") as sentences about the sender.
// Keys are catalog's; fragments ({@why}) come from catalog.
var aboutCatalog = map[string]entry{
	"new_recipient": {
		"the sender has never mailed this address",
		"送信者はこのアドレスに送信したことがありません"},
	"new_recipient.team": {
		"the sender has never mailed this address; others in their team have",
		"送信者はこのアドレスに送信したことがありません。同じ部署の方は送信しています"},
	"new_recipient.org": {
		"the sender has never mailed this address; others in the organisation have",
		"送信者はこのアドレスに送信したことがありません。社内の他の方は送信しています"},
	"new_recipient.colleague": {
		"the sender has never mailed this colleague",
		"送信者は社内のこの方に送信したことがありません"},
	"new_recipient.unfamiliar": {
		"the sender has never mailed this address; {@why}",
		"送信者はこのアドレスに送信したことがありません（{@why}）"},
	"new_recipient.colleague_unfamiliar": {
		"the sender has never mailed this colleague; {@why}",
		"送信者は社内のこの方に送信したことがありません（{@why}）"},
	"new_domain.team": {
		"the sender has never mailed {domain}; others in their team have",
		"送信者は {domain} に送信したことがありません。同じ部署の方は送信しています"},
	"new_domain.team_neither": {
		"the sender has never mailed {domain}; their team neither",
		"送信者は {domain} に送信したことがありません。同じ部署の方も送信していません"},
	"new_domain.org": {
		"the sender has never mailed {domain}; others in the organisation have",
		"送信者は {domain} に送信したことがありません。社内の他の方は送信しています"},
	"new_domain.nobody": {
		"the sender has never mailed {domain}; nobody in the organisation has",
		"送信者は {domain} に送信したことがありません。社内でも送信した方はいません"},
	"similar_contact": {
		"the sender rarely or never mailed this address; they often mail {best}, {@why}",
		"送信者はこのアドレスにほとんど送信していません。送信者がよく送る {best}（{@why}）とよく似ています"},
	"similar_recipient": {
		"this address and {other}, {@why}, are both recipients, and the sender has never mailed them together",
		"このアドレスと宛先の {other}（{@why}）はよく似ていますが、送信者は一緒に送信したことがありません"},
	"lookalike_domain": {
		"{domain} {@why}, which the sender knows",
		"{domain} は{@why}"},
	"unusual_combination": {
		"the sender has never mailed this address together with the other recipients",
		"送信者はこのアドレスと他の宛先に一緒に送信したことがありません"},
	"cross_company": {
		"the sender has never mailed {domain} and {other} in one message",
		"送信者は {domain} と {other} を同じメールの宛先にしたことがありません"},
	"freemail_recipient": {
		"this is a personal webmail address the sender has never mailed",
		"送信者が送信したことのない個人のフリーメールアドレスです"},
	"unusual_time": {
		"the sender does not usually send mail at this hour",
		"送信者が普段はメールを送信しない時間帯です"},
	"unusual_volume": {
		"the sender has sent far more mail today than usual",
		"送信者は本日、いつもよりかなり多くのメールを送信しています"},
	"greeting.person": {
		"the greeting names {person}, who is not among the recipients; the sender knows {addr} by that name",
		"書き出しの宛名「{person}」の方は宛先に含まれていません。送信者はこの名前の方と {addr} でやり取りしています"},
}

// codeCatalog holds a general sentence for each code, said for a finding
// whose own sentence cannot be written in the reader's language (stored
// before the catalogue). Merged into catalog as "code.<CODE>".
var codeCatalog = map[Code]entry{
	NewRecipient:             {"you have never mailed this recipient", "送信したことのない宛先です"},
	NewDomain:                {"you have never mailed this recipient's domain", "送信したことのないドメインの宛先です"},
	SimilarContact:           {"this address looks like one you usually mail, but is another", "いつもの宛先とよく似た、別のアドレスです"},
	LookalikeDomain:          {"this domain looks like one you know, but is another", "送信実績のあるドメインとよく似た、別のドメインです"},
	UnusualCombination:       {"you do not usually mail these recipients together", "普段は一緒に送信しない宛先の組み合わせです"},
	ExternalInInternalThread: {"this conversation was internal so far; this recipient is outside the organisation", "これまで社内だけのやり取りでしたが、この宛先は社外です"},
	CrossCompany:             {"you do not usually mail these companies in one message", "普段は同じメールで送信しない会社どうしが宛先に含まれています"},
	BccRecommended:           {"many outside addresses of different organisations can all see each other", "複数の会社の社外宛先が、互いに見える状態です"},
	GreetingMismatch:         {"the greeting does not match the recipients", "書き出しの宛名と宛先が一致しません"},
	ReplyAuthorMissing:       {"this reply does not go to the person who wrote the message it answers", "返信元のメールの差出人が宛先に含まれていません"},
	FreemailRecipient:        {"this is a personal webmail address", "個人のフリーメールアドレスです"},
	UnusualVolume:            {"you have sent far more mail today than usual", "本日はいつもよりかなり多くのメールを送信しています"},
	UnusualTime:              {"you do not usually send mail at this hour", "普段はメールを送信しない時間帯です"},
	ConfidentialTerms:        {"the message contains confidential information and a recipient is outside its scope", "このメールには取り扱いの限られた情報が含まれていますが、その範囲外の宛先があります"},
	PersonalData:             {"the message contains personal data and goes outside the organisation", "このメールには個人情報が含まれており、社外に送信されます"},
	ParseProblem:             {"the message is damaged, so part of it could not be checked", "メールの形式に問題があるため、内容の一部を確認できませんでした"},
	SentAs:                   {"sent in another person's name", "別の方の名前で送信されたメールです"},
	ConfirmedInAddin:         {"the sender confirmed recipients in the mail client", "送信者がメールソフトで宛先を確認済みです"},
	StampInvalid:             {"a recipient confirmation from the mail client was not used", "メールソフトでの宛先確認は使用しませんでした"},
	AttachmentUnreadable:     {"an attachment could not be checked", "内容を確認できない添付ファイルがあります"},
	EncryptedAttachment:      {"an attachment is protected by a password, so its contents cannot be checked", "パスワード付きの添付ファイルがあるため、内容を確認できません"},
	ClassificationLabel:      {"the message carries a classification label, and a recipient is outside the scope it allows", "取り扱い区分の表示があるメールですが、その区分で認められた範囲外の宛先があります"},
}

func init() {
	for c, e := range codeCatalog {
		catalog["code."+string(c)] = e
	}
}
