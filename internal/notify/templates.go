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

Without your confirmation it is not sent. The links work until {{when .Expires}}.
`,
		kindDelay: `Your message leaves at {{when .ReleaseAt}}: {{.Subject}}
Your message "{{.Subject}}" will be sent at {{when .ReleaseAt}}.
{{template "reasons" .}}
If it should not go, cancel it before then:
{{link . "cancel"}}
`,
		kindHeldSender: `Your message waits for approval: {{.Subject}}
Your message "{{.Subject}}" has not been sent: it is held for your department's approver.
{{template "reasons" .}}
You will hear when it is released or refused. Until an approver decides, you can still cancel it:
{{link . "cancel"}}

The link works until {{when .Expires}}.
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

The links work until {{when .Expires}}. The message itself can be read on misend's approvals page.
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

確認いただくまで送信されません。リンクの有効期限: {{when .Expires}}
`,
		kindDelay: `{{when .ReleaseAt}}に送信します: {{.Subject}}
メール「{{.Subject}}」は{{when .ReleaseAt}}に送信されます。
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

リンクの有効期限: {{when .Expires}}
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

リンクの有効期限: {{when .Expires}}。本文は misend の承認画面でご覧いただけます。
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
				"when": func(t time.Time) string {
					if lang == "ja" {
						return t.In(jst).Format("2006年1月2日 15:04 (JST)")
					}
					return t.UTC().Format("2 Jan 2006 15:04 UTC")
				},
			}
			t := template.Must(template.New(string(kind)).Funcs(funcs).Parse(src))
			template.Must(t.Parse(reasonsTmpl[lang]))
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
