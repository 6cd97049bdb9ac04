package notify

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/misend/misend/internal/finding"
)

type noticeKind string

const (
	kindWarn           noticeKind = "warn"            // sender: sent, but look again
	kindConfirm        noticeKind = "confirm"         // sender: confirm or cancel
	kindDelay          noticeKind = "delay"           // sender: leaves at ReleaseAt unless cancelled
	kindHeldSender     noticeKind = "held-sender"     // sender: waits for an approver; can still cancel
	kindApprove        noticeKind = "approve"         // approver: release or reject
	kindReleased       noticeKind = "released"        // sender: an approver let it go
	kindRefused        noticeKind = "refused"         // sender: an approver refused it
	kindOthersReleased noticeKind = "others-released" // other approvers: someone released it
	kindOthersRefused  noticeKind = "others-refused"  // other approvers: someone refused it
	kindPurged         noticeKind = "purged"          // sender: nobody decided in time; deleted, not sent
	kindHeldSelf       noticeKind = "held-self"       // sender: held without an approver; release after a delay
	kindEscalate       noticeKind = "escalate"        // deputy or next level: nobody decided; release or reject
	kindReturned       noticeKind = "returned"        // sender: nobody decided; returned unsent
	kindExpired        noticeKind = "expired"         // sender: nobody decided; refused
	kindTimedOut       noticeKind = "timed-out"       // approvers: nobody decided; what happened
)

type link struct {
	Action Action
	URL    string
}

type view struct {
	Waiting
	Comment     string            // an approver's reason for a refusal
	Reasons     []finding.Finding // sender view only
	Links       []link
	Expires     time.Time
	SenderName  string // the sender's name in the directory, "" when unknown
	Decider     string // the approver who decided (others-* notices)
	DeciderName string
	// ApprovalsURL is the web UI's approvals page, where mail with
	// confidential information is released with a comment.
	ApprovalsURL string
	// WaitedDays is how long a purged message waited; ForApprover that
	// it waited for an approver rather than its sender.
	WaitedDays  int
	ForApprover bool
	// Loc is the reader's time zone; nil: JST for Japanese, else UTC.
	Loc *time.Location
	// Deputy: an escalated request goes to the approvers' deputies, not
	// the next level.
	Deputy bool
}

// Templates are plain text; the first line is the subject. Japanese
// notices to senders are in polite business Japanese (敬語); every notice
// says what happened, what the reader can still do, and gives the link
// that does it.
var templates = map[string]map[noticeKind]string{
	"en": {
		kindPurged: `Your message was not sent and has been deleted: {{.Subject}}
Your message "{{.Subject}}" waited {{.WaitedDays}} days for {{if .ForApprover}}an approver's decision{{else}}your confirmation{{end}} without one. Under your organisation's retention policy, mail that waits this long is deleted: it has not been sent.

If it should still go, check the recipients and send it again.
`,
		kindReleased: `Your message was approved and sent: {{.Subject}}
Your message "{{.Subject}}" was released by an approver and has been sent.
`,
		kindRefused: `Your message was not approved: {{.Subject}}
Your message "{{.Subject}}" was refused by an approver and has not been sent.
{{if .Comment}}
Comment: {{.Comment}}
{{end}}
If it should still go, correct the recipients and send it again, or ask your approver.
`,
		kindWarn: `Please check the message you sent: {{.Subject}}
Your message "{{.Subject}}" has been sent, but something about it looks unusual.
{{template "reasons" .}}
If it went to the wrong person, contact them and your administrator now.
`,
		kindConfirm: `Please confirm your message: {{.Subject}}
Your message "{{.Subject}}" has not been sent yet.
{{template "reasons" .}}
If it is right, confirm it and it leaves at once:
{{link . "confirm"}}

If not, cancel it:
{{link . "cancel"}}

Without your confirmation it is not sent. The links work until {{when .Loc .Expires}}.
`,
		kindDelay: `Your message leaves at {{when .Loc .ReleaseAt}}: {{.Subject}}
Your message "{{.Subject}}" will be sent at {{when .Loc .ReleaseAt}}.
{{template "reasons" .}}
If it should not go, cancel it before then:
{{link . "cancel"}}
`,
		kindHeldSender: `Your message waits for approval: {{.Subject}}
Your message "{{.Subject}}" has not been sent: it is held for your department's approver.
{{template "reasons" .}}
You will hear when it is released or refused. Until an approver decides, you can still cancel it:
{{link . "cancel"}}
{{template "senderdeadline" .}}
The link works until {{when .Loc .Expires}}.
`,
		kindApprove: `Approval needed: message from {{who .}}
A message from {{who .}} is held for your approval. Please release it or refuse it.

From: {{who .}}
{{if .Department}}Department: {{.Department}}
{{end}}Subject: {{.Subject}}
Recipients: {{join .Recipients ", "}}
{{template "reasons" .}}
{{if link . "release"}}Release it:
{{link . "release"}}{{else}}It contains confidential information: to release it, give your reason on the approvals page:
{{.ApprovalsURL}}{{end}}

Refuse it:
{{link . "reject"}}
{{template "deadline" .}}
The links work until {{when .Loc .Expires}}. The message itself can be read on misend's approvals page.
`,
		kindOthersReleased: `Already released by {{decider .}}: {{.Subject}}
The message "{{.Subject}}" from {{who .}} that was waiting for approval was released by {{decider .}} and has been sent.
{{if .Comment}}
Comment: {{.Comment}}
{{end}}
Nothing more needs doing.
`,
		kindOthersRefused: `Already refused by {{decider .}}: {{.Subject}}
The message "{{.Subject}}" from {{who .}} that was waiting for approval was refused by {{decider .}} and has not been sent.
{{if .Comment}}
Comment: {{.Comment}}
{{end}}
Nothing more needs doing.
`,
		kindHeldSelf: `Your message is on hold: {{.Subject}}
Your message "{{.Subject}}" has not been sent yet: it is held for a while so that you can check it once more.
{{template "reasons" .}}
If it is right, you can send it yourself from {{when .Loc .SelfReleaseAt}}:
{{link . "release"}}

If it should not go, cancel it:
{{link . "cancel"}}
{{template "deadline" .}}
The links work until {{when .Loc .Expires}}.
`,
		kindEscalate: `Approval needed, passed on to you: message from {{who .}}
A message from {{who .}} has waited for approval without a decision and is passed on to you{{if .Deputy}} as deputy approver{{else}} as the next approver{{end}}. Please release it or refuse it.

From: {{who .}}
{{if .Department}}Department: {{.Department}}
{{end}}Subject: {{.Subject}}
Recipients: {{join .Recipients ", "}}
{{if not .HeldAt.IsZero}}Held since: {{when .Loc .HeldAt}}
{{end}}{{template "reasons" .}}
{{if link . "release"}}Release it:
{{link . "release"}}{{else}}It contains confidential information: to release it, give your reason on the approvals page:
{{.ApprovalsURL}}{{end}}

Refuse it:
{{link . "reject"}}
{{template "deadline" .}}
The links work until {{when .Loc .Expires}}. The message itself can be read on misend's approvals page.
`,
		kindReturned: `Your message was returned unsent: {{.Subject}}
Your message "{{.Subject}}" was not approved by {{when .Loc .Deadline}}, so it has not been sent to its recipients. It comes back to you as it was, in a separate mail.

If it should still go, check the recipients and send it again, or ask your approver.
`,
		kindExpired: `Your message was not sent: {{.Subject}}
Your message "{{.Subject}}" was not approved by {{when .Loc .Deadline}}, so it has been refused and not sent to its recipients.

If it should still go, send it again, or ask your approver.
`,
		kindTimedOut: `No decision in time: {{.Subject}}
The message "{{.Subject}}" from {{who .}} to {{join .Recipients ", "}} was not decided by {{when .Loc .Deadline}}. {{if eq .FinalAction "reject"}}It has been refused and not sent.{{else}}It has been returned to its sender unsent.{{end}} The sender has been told.

Nothing more needs doing.
`,
	},
	"ja": {
		kindPurged: `送信されずに削除されました: {{.Subject}}
メール「{{.Subject}}」は、{{if .ForApprover}}承認者による判断{{else}}送信のご確認{{end}}がないまま {{.WaitedDays}} 日が経過したため、社内で定めた保存期間に従って削除しました。このメールは送信されていません。

送信が必要な場合は、宛先と内容をご確認のうえ、あらためてお送りください。
`,
		kindReleased: `承認され送信されました: {{.Subject}}
メール「{{.Subject}}」は承認者により送信が許可され、送信されました。
`,
		kindRefused: `承認されませんでした: {{.Subject}}
メール「{{.Subject}}」は承認者により差し戻されたため、送信されていません。
{{if .Comment}}
承認者のコメント: {{.Comment}}
{{end}}
送信が必要な場合は、宛先と内容をご確認のうえ送り直すか、承認者にご相談ください。
`,
		kindWarn: `送信したメールをご確認ください: {{.Subject}}
メール「{{.Subject}}」は送信されましたが、いつもと異なる点があります。
{{template "reasons" .}}
宛先を誤っていた場合は、速やかに相手先と管理者へご連絡ください。
`,
		kindConfirm: `送信確認のお願い: {{.Subject}}
メール「{{.Subject}}」はまだ送信されていません。
{{template "reasons" .}}
このまま送信してよろしければ、次のリンクから送信してください。すぐに送信されます:
{{link . "confirm"}}

送信しない場合は、次のリンクから取り消してください:
{{link . "cancel"}}

確認いただくまで送信されません。リンクの有効期限: {{when .Loc .Expires}}
`,
		kindDelay: `{{when .Loc .ReleaseAt}}に送信します: {{.Subject}}
メール「{{.Subject}}」は{{when .Loc .ReleaseAt}}に送信されます。
{{template "reasons" .}}
送信しない場合は、それまでに次のリンクから取り消してください:
{{link . "cancel"}}
`,
		kindHeldSender: `承認待ちのメール: {{.Subject}}
メール「{{.Subject}}」は、部署の承認者の確認待ちのため、まだ送信されていません。
{{template "reasons" .}}
承認者が送信を許可または差し戻した時点で、あらためてお知らせします。
承認されるまでは、次のリンクから送信を取り消すこともできます:
{{link . "cancel"}}
{{template "senderdeadline" .}}
リンクの有効期限: {{when .Loc .Expires}}
`,
		kindApprove: `承認依頼: {{who .}} からのメール
{{who .}} からのメールが承認待ちです。内容をご確認のうえ、送信を許可するか差し戻してください。

差出人: {{who .}}
{{if .Department}}部署: {{.Department}}
{{end}}件名: {{.Subject}}
宛先: {{join .Recipients ", "}}
{{template "reasons" .}}
{{if link . "release"}}送信を許可する:
{{link . "release"}}{{else}}機密情報を含むため、送信を許可する場合は承認画面で理由を入力してください:
{{.ApprovalsURL}}{{end}}

差し戻す:
{{link . "reject"}}
{{template "deadline" .}}
リンクの有効期限: {{when .Loc .Expires}}。本文は misend の承認画面でご覧いただけます。
`,
		kindOthersReleased: `{{decider .}} が送信を許可しました: {{.Subject}}
承認待ちだった {{who .}} からのメール「{{.Subject}}」は、{{decider .}} が送信を許可し、送信されました。
{{if .Comment}}
コメント: {{.Comment}}
{{end}}
対応は不要です。
`,
		kindOthersRefused: `{{decider .}} が差し戻しました: {{.Subject}}
承認待ちだった {{who .}} からのメール「{{.Subject}}」は、{{decider .}} が差し戻したため、送信されていません。
{{if .Comment}}
コメント: {{.Comment}}
{{end}}
対応は不要です。
`,
		kindHeldSelf: `一時保留中のメール: {{.Subject}}
メール「{{.Subject}}」は、念のため一時保留しているため、まだ送信されていません。
{{template "reasons" .}}
内容に問題がなければ、{{when .Loc .SelfReleaseAt}}以降に次のリンクからご自身で送信してください:
{{link . "release"}}

送信しない場合は、次のリンクから取り消してください:
{{link . "cancel"}}
{{template "deadline" .}}
リンクの有効期限: {{when .Loc .Expires}}
`,
		kindEscalate: `{{if .Deputy}}代理承認のお願い{{else}}承認依頼（上位承認者）{{end}}: {{who .}} からのメール
{{who .}} からのメールが承認待ちのまま判断されていないため、{{if .Deputy}}代理承認者{{else}}上位の承認者{{end}}であるあなたにお送りしています。内容をご確認のうえ、送信を許可するか差し戻してください。

差出人: {{who .}}
{{if .Department}}部署: {{.Department}}
{{end}}件名: {{.Subject}}
宛先: {{join .Recipients ", "}}
{{if not .HeldAt.IsZero}}保留日時: {{when .Loc .HeldAt}}
{{end}}{{template "reasons" .}}
{{if link . "release"}}送信を許可する:
{{link . "release"}}{{else}}機密情報を含むため、送信を許可する場合は承認画面で理由を入力してください:
{{.ApprovalsURL}}{{end}}

差し戻す:
{{link . "reject"}}
{{template "deadline" .}}
リンクの有効期限: {{when .Loc .Expires}}。本文は misend の承認画面でご覧いただけます。
`,
		kindReturned: `承認期限切れのため返送しました: {{.Subject}}
お送りいただいたメール「{{.Subject}}」は、承認期限（{{when .Loc .Deadline}}）までに承認されなかったため、宛先には送信しておりません。メールは元の内容のまま、別便にてお手元へお返ししております。

送信が必要な場合は、お手数ですが宛先と内容をご確認のうえ改めて送信いただくか、承認者にご相談ください。
`,
		kindExpired: `承認期限切れのため送信を中止しました: {{.Subject}}
お送りいただいたメール「{{.Subject}}」は、承認期限（{{when .Loc .Deadline}}）までに承認されなかったため、送信を中止いたしました。宛先には送信されていません。

送信が必要な場合は、お手数ですが改めて送信いただくか、承認者にご相談ください。
`,
		kindTimedOut: `承認期限切れ: {{.Subject}}
{{who .}} からのメール「{{.Subject}}」（宛先: {{join .Recipients ", "}}）は、承認期限（{{when .Loc .Deadline}}）までに判断がなかったため、{{if eq .FinalAction "reject"}}送信を中止しました{{else}}送信せずに差出人へ返送しました{{end}}。差出人にはお知らせ済みです。

対応は不要です。
`,
	},
}

var reasonsTmpl = map[string]string{
	"en": `{{define "reasons"}}{{if .Reasons}}
Why:
{{range .Reasons}}- {{.Message}}{{if .Suggestion}}{{if isaddr .Suggestion}} (did you mean {{.Suggestion}}?){{else}} ({{.Suggestion}}){{end}}{{end}}
{{end}}{{end}}{{end}}`,
	"ja": `{{define "reasons"}}{{if .Reasons}}
理由:
{{range .Reasons}}- {{.Message}}{{if .Suggestion}}{{if isaddr .Suggestion}}（{{.Suggestion}} の間違いではありませんか？）{{else}}（{{.Suggestion}}）{{end}}{{end}}
{{end}}{{end}}{{end}}`,
}

// deadlineTmpl says what happens when nobody decides in time; empty
// without a deadline.
var deadlineTmpl = map[string]string{
	"en": `{{define "deadline"}}{{if not .Deadline.IsZero}}
Without a decision by {{when .Loc .Deadline}}, the message {{if eq .FinalAction "reject"}}is refused and not sent{{else}}is returned to its sender unsent{{end}}.
{{end}}{{end}}`,
	"ja": `{{define "deadline"}}{{if not .Deadline.IsZero}}
{{when .Loc .Deadline}}までに判断がない場合、このメールは{{if eq .FinalAction "reject"}}送信されずに破棄されます{{else}}送信されずに差出人へ返送されます{{end}}。
{{end}}{{end}}`,
}

// senderDeadlineTmpl tells the sender of held mail the same, about their
// own message.
var senderDeadlineTmpl = map[string]string{
	"en": `{{define "senderdeadline"}}{{if not .Deadline.IsZero}}
If no approver decides by {{when .Loc .Deadline}}, {{if eq .FinalAction "reject"}}it will not be sent{{else}}it comes back to you unsent{{end}}.
{{end}}{{end}}`,
	"ja": `{{define "senderdeadline"}}{{if not .Deadline.IsZero}}
{{when .Loc .Deadline}}までに承認されない場合、{{if eq .FinalAction "reject"}}このメールは送信されません{{else}}このメールは送信されずにお手元へ返送されます{{end}}。
{{end}}{{end}}`,
}

var jst = time.FixedZone("JST", 9*3600)

var parsed = func() map[string]map[noticeKind]*template.Template {
	out := map[string]map[noticeKind]*template.Template{}
	for lang, kinds := range templates {
		out[lang] = map[noticeKind]*template.Template{}
		for kind, src := range kinds {
			funcs := template.FuncMap{
				"join": strings.Join,
				// who names the sender as colleagues know them:
				// 山田 太郎 <taro@corp.example>, or the address alone.
				"who":     func(v view) string { return nameAddr(v.SenderName, v.Sender) },
				"decider": func(v view) string { return nameAddr(v.DeciderName, v.Decider) },
				// A suggested address is a question; a suggested action
				// (put them in Bcc) is not.
				"isaddr": func(s string) bool { return strings.Contains(s, "@") && !strings.ContainsAny(s, " 　") },
				"link": func(v view, a string) string {
					for _, l := range v.Links {
						if string(l.Action) == a {
							return l.URL
						}
					}
					return ""
				},
				// when shows a time in the reader's zone, naming the
				// zone; without one, Japanese readers get JST and others
				// UTC, as before zones were configured.
				"when": func(loc *time.Location, t time.Time) string {
					if lang == "ja" {
						if loc == nil {
							loc = jst
						}
						return t.In(loc).Format("2006年1月2日 15:04 (MST)")
					}
					if loc == nil {
						loc = time.UTC
					}
					return t.In(loc).Format("2 Jan 2006 15:04 MST")
				},
			}
			t := template.Must(template.New(string(kind)).Funcs(funcs).Parse(src))
			template.Must(t.Parse(reasonsTmpl[lang]))
			template.Must(t.Parse(deadlineTmpl[lang]))
			template.Must(t.Parse(senderDeadlineTmpl[lang]))
			out[lang][kind] = t
		}
	}
	return out
}()

// render returns subject and body of a notice.
func render(lang string, kind noticeKind, v view) (subject, body string, err error) {
	t := parsed[lang][kind]
	if t == nil {
		return "", "", fmt.Errorf("notify: no %s template for %q", kind, lang)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return "", "", fmt.Errorf("notify: render %s/%s: %w", lang, kind, err)
	}
	subject, body, _ = strings.Cut(b.String(), "\n")
	return subject, body, nil
}

func nameAddr(name, addr string) string {
	if name == "" {
		return addr
	}
	return name + " <" + addr + ">"
}
