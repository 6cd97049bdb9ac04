package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// topic is what a conversation is about: a subject and the sentences its
// body is made of. Attach names a file that may go with it; {p} in it is the
// partner's short name.
type topic struct {
	Subject string
	Lines   []string
	Attach  string
}

var jaInternal = []topic{
	{"定例会議の資料について", []string{"明日の定例会議の資料を共有します。", "議題は先週の進捗確認と来月の予定です。", "事前にご確認いただき、ご意見があればお知らせください。", "会議室は3階の第2会議室です。"}, "定例会議資料.pptx"},
	{"週報", []string{"今週の業務報告です。", "案件Aは予定どおり進んでいます。", "案件Bは先方の回答待ちのため、来週に持ち越しとなります。", "特記事項はありません。"}, ""},
	{"出張申請の件", []string{"来月の大阪出張について申請いたします。", "日程は二日間を予定しております。", "交通費の見積もりを添付しますので、ご承認をお願いいたします。"}, "出張申請書.xlsx"},
	{"稟議書のご確認のお願い", []string{"稟議書を回付しましたので、ご確認をお願いいたします。", "期限は今週金曜日です。", "不明点があればご連絡ください。"}, "稟議書.pdf"},
	{"打ち合わせ日程の調整", []string{"来週の打ち合わせの日程を調整させてください。", "火曜日の午後か、木曜日の午前はいかがでしょうか。", "ご都合の良い時間帯を教えてください。"}, ""},
	{"システムメンテナンスのお知らせ", []string{"今週末にシステムメンテナンスを実施します。", "土曜日の22時から翌朝6時まで、社内システムが利用できません。", "ご不便をおかけしますが、よろしくお願いします。"}, ""},
	{"資料のレビュー依頼", []string{"作成した資料のレビューをお願いできますでしょうか。", "特に第3章の数値に誤りがないか見ていただけると助かります。", "急ぎではありませんので、今週中にいただければ大丈夫です。"}, "レビュー依頼資料.docx"},
	{"勤怠の件", []string{"来週月曜日は午前休を取得します。", "急ぎの件があれば携帯までご連絡ください。", "引き継ぎは済ませてあります。"}, ""},
	{"議事録の共有", []string{"本日の会議の議事録を共有します。", "決定事項と宿題を末尾にまとめました。", "修正があればご指摘ください。"}, "議事録.docx"},
	{"予算実績の確認", []string{"今月の予算実績をまとめました。", "一部の経費が予算を超過していますので、理由を確認させてください。", "来週の会議で報告予定です。"}, "予算実績.xlsx"},
}

var jaExternal = []topic{
	{"お見積りの件", []string{"先日ご依頼いただいた件につきまして、お見積書を送付いたします。", "ご不明な点がございましたら、お気軽にお問い合わせください。", "有効期限は発行日より30日間となっております。"}, "見積書_{p}.pdf"},
	{"納期のご確認", []string{"ご注文いただいた製品の納期についてご連絡いたします。", "現在の予定では来月中旬の出荷となります。", "前倒しのご要望がございましたらご相談ください。"}, ""},
	{"お打ち合わせのお願い", []string{"次回のお打ち合わせの日程についてご相談させてください。", "来週のご都合のよろしい日時をいくつかお知らせいただけますでしょうか。", "弊社からは担当の二名で伺う予定です。"}, ""},
	{"契約書の件", []string{"契約書の案文を送付いたします。", "内容をご確認のうえ、修正点がございましたらお知らせください。", "問題がなければ、押印した原本を郵送いたします。"}, "契約書案_{p}.docx"},
	{"請求書送付のご案内", []string{"今月分の請求書を送付いたします。", "お支払期日は翌月末となっております。", "ご確認のほど、よろしくお願いいたします。"}, "請求書_{p}.pdf"},
	{"発注のお願い", []string{"下記のとおり発注いたします。", "数量と納品先は添付の注文書をご参照ください。", "納期につきましてご回答をお願いいたします。"}, "注文書_{p}.pdf"},
	{"ご訪問のお礼", []string{"本日はお忙しい中、お時間をいただきありがとうございました。", "いただいたご要望は社内で検討し、改めてご提案いたします。", "引き続きよろしくお願いいたします。"}, ""},
	{"資料送付のご連絡", []string{"先日お話しした製品の資料をお送りいたします。", "仕様の詳細は添付資料の5ページ目をご覧ください。", "ご検討のほど、よろしくお願いいたします。"}, "製品資料_{p}.pdf"},
}

var enInternal = []topic{
	{"Weekly update", []string{"Here is my update for this week.", "The migration is on track and testing starts on Monday.", "No blockers at the moment."}, ""},
	{"Meeting notes", []string{"Please find the notes from today's meeting below.", "Action items are listed at the end.", "Let me know if I missed anything."}, "meeting-notes.docx"},
	{"Quick question", []string{"Do you have a minute to go over the figures for the quarterly report?", "I think two of the numbers in section 2 do not add up."}, ""},
}

var enExternal = []topic{
	{"Quotation", []string{"Thank you for your inquiry.", "Please find our quotation attached.", "The prices are valid for 30 days from the date of issue."}, "Quotation_{p}.pdf"},
	{"Shipment schedule", []string{"I am writing to confirm the shipment schedule for your order.", "The goods are expected to leave our warehouse next Tuesday.", "Tracking details will follow once the shipment is booked."}, ""},
	{"Meeting request", []string{"Would you be available for a call next week?", "We would like to discuss the renewal of our agreement.", "Tuesday or Thursday afternoon Japan time would suit us best."}, ""},
	{"Invoice", []string{"Please find attached our invoice for this month.", "Payment is due by the end of next month.", "Do not hesitate to contact me if you have any questions."}, "Invoice_{p}.pdf"},
	{"Contract draft", []string{"Attached is the revised draft of the agreement.", "We have reflected your comments on clauses 4 and 7.", "Please let us know if you have further comments."}, "Agreement_{p}.docx"},
}

// filler lengthens bodies to what real business mail weighs: pleasantries,
// details and postscripts.
var jaFiller = []string{
	"なお、詳細につきましては別途ご連絡いたします。",
	"お手数をおかけしますが、ご確認をお願いいたします。",
	"前回のお打ち合わせでいただいたご意見も反映しております。",
	"スケジュールに変更がございましたら、早めにお知らせいただけますと幸いです。",
	"担当者が不在の場合は、代表番号までお電話ください。",
	"何卒よろしくお願い申し上げます。",
	"関係者にも共有しておりますので、ご安心ください。",
	"念のため、前回の資料も再送いたします。",
}

var enFiller = []string{
	"Please let me know if anything is unclear.",
	"I have copied my colleague who is also working on this.",
	"We appreciate your continued support.",
	"I will follow up once I hear back from the team.",
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// body composes the text of a new message.
func (g *gen) body(e *event) string {
	r := g.text
	var b strings.Builder
	o := g.org
	from, to := e.from, e.firstTo()
	external := from.kind == pContact || to.kind == pContact
	if e.lang == langEN {
		b.WriteString(g.enGreeting(e))
		if e.first {
			b.WriteString("My name is " + g.fullName(from) + " from " + o.Company + ". ")
		}
		for _, l := range e.topic.Lines {
			b.WriteString(l + " ")
		}
		b.WriteString("\n\n")
		for range 1 + r.IntN(3) {
			b.WriteString(pick(r, enFiller) + " ")
		}
		b.WriteString("\n")
		if e.secret != "" {
			b.WriteString("\nCONFIDENTIAL: " + e.secret + " is attached for your eyes only.\n")
		}
		b.WriteString("\nBest regards,\n" + g.fullName(from) + "\n" + g.signatureOrg(from) + "\n")
		return b.String()
	}
	switch {
	case to.kind == pContact:
		b.WriteString(g.jaExternalGreeting(e) + "\n")
		if e.first {
			b.WriteString("はじめてご連絡いたします。\n" + o.Company + " " + o.Departments[o.People[from.id].Dept].Name + "の" + g.fullName(from) + "と申します。\n\n")
		} else {
			b.WriteString("いつもお世話になっております。\n" + o.Company + "の" + g.surname(from) + "です。\n\n")
		}
	case from.kind == pContact:
		// Partners greet us by surname, some with the department first.
		name := g.surname(to) + "様"
		if to.kind == pPerson && g.text.IntN(4) == 0 {
			name = o.Departments[o.People[to.id].Dept].Name + " " + name
		}
		b.WriteString(o.Company + "\n" + name + "\n\n")
		c := o.Contacts[from.id]
		b.WriteString("いつもお世話になっております。\n" + o.Partners[c.Partner].Name + "の" + c.Surname + "です。\n\n")
	default:
		b.WriteString(g.jaInternalGreeting(e) + "お疲れさまです。")
		if e.forBoss {
			b.WriteString(o.Departments[o.People[from.id].Dept].Name + "の")
		}
		b.WriteString(g.surname(from) + "です。\n\n")
	}
	for _, l := range e.topic.Lines {
		b.WriteString(l + "\n")
	}
	b.WriteString("\n")
	if external && r.IntN(2) == 0 {
		// Business mail spells the particulars out in a 記 block.
		due := e.at.AddDate(0, 0, 7+r.IntN(40))
		fmt.Fprintf(&b, "\n記\n1. 件名：%s\n2. 数量：%d個\n3. 単価：%d円（税別）\n4. 納期：%d月%d日\n5. 納品先：弊社%s倉庫\n以上\n\n",
			e.topic.Subject, 10*(1+r.IntN(50)), 100*(5+r.IntN(300)), due.Month(), due.Day(), pick(r, []string{"川崎", "厚木", "大阪", "名古屋"}))
	}
	for _, k := range r.Perm(len(jaFiller))[:2+r.IntN(5)] {
		b.WriteString(jaFiller[k] + "\n")
	}
	if e.secret != "" {
		b.WriteString("\n【" + pick(r, []string{"社外秘", "厳秘", "取扱注意"}) + "】" + e.secret + "の最新版を添付します。取り扱いにご注意ください。\n")
	}
	if external {
		b.WriteString("\n以上、よろしくお願いいたします。\n")
	} else {
		b.WriteString("\nよろしくお願いします。\n")
	}
	b.WriteString("\n--\n" + g.fullName(from) + "\n" + g.signatureOrg(from) + "\n")
	return b.String()
}

// replyBody answers and quotes the parent, as mail clients do.
func (g *gen) replyBody(e *event, parent *event) string {
	r := g.text
	var b strings.Builder
	to := e.firstTo()
	if e.lang == langEN {
		// Quick replies often skip the greeting.
		if r.IntN(5) != 0 {
			b.WriteString("Dear " + g.enName(to) + ",\n\n")
		}
		b.WriteString(pick(r, []string{"Thank you for your email.", "Thanks, noted.", "Thank you for the quick reply."}) + " ")
		b.WriteString(g.addedNote(e))
		b.WriteString(pick(r, enFiller) + "\n\nBest regards,\n" + g.fullName(e.from) + "\n")
	} else {
		if to.kind == pContact || e.from.kind == pContact {
			b.WriteString(g.surname(to) + "様\n")
			if e.from.kind == pPerson {
				b.WriteString(g.ccLine(e, "様", "弊社 "))
			}
			b.WriteString("\nいつもお世話になっております。" + g.surname(e.from) + "です。\n\n")
			b.WriteString(pick(r, []string{"ご連絡ありがとうございます。", "早速のご対応ありがとうございます。", "承知いたしました。"}) + "\n")
			b.WriteString(g.addedNote(e))
			b.WriteString(pick(r, jaFiller) + "\n\n引き続きよろしくお願いいたします。\n")
		} else {
			// A quarter of internal replies go straight to the point.
			if r.IntN(4) != 0 {
				b.WriteString(g.surname(to) + "さん\n\n")
			}
			b.WriteString(pick(r, []string{"確認しました。", "ありがとうございます。対応します。", "了解です。"}) + "\n")
			b.WriteString(g.addedNote(e))
			b.WriteString(pick(r, jaFiller) + "\n\nよろしくお願いします。\n")
		}
		b.WriteString("\n--\n" + g.fullName(e.from) + "\n")
	}
	// Quote the parent's text, itself possibly quoting; cap it so long
	// threads stay the size of real ones.
	b.WriteString("\n")
	if e.lang == langEN {
		b.WriteString("On " + parent.at.Format("Mon, Jan 2, 2006 at 15:04") + ", " + g.fullName(parent.from) + " wrote:\n")
	} else {
		b.WriteString(parent.at.Format("2006/01/02 15:04") + " " + g.fullName(parent.from) + " のメッセージ:\n")
	}
	lines := strings.Split(strings.TrimRight(parent.text, "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[:40]
	}
	for _, l := range lines {
		if strings.HasPrefix(l, ">") {
			b.WriteString(">" + l + "\n")
		} else {
			b.WriteString("> " + l + "\n")
		}
	}
	return b.String()
}

func (g *gen) surname(p party) string {
	switch p.kind {
	case pPerson:
		return g.org.People[p.id].Surname
	case pContact:
		return g.org.Contacts[p.id].Surname
	}
	return "各位"
}

// internalSalutation is how a colleague is addressed: by surname, and to
// someone in another department, often with their department first
// ("経理部 石川"), as Japanese business mail does.
func (g *gen) internalSalutation(from, to party) string {
	if from.kind == pPerson && to.kind == pPerson {
		if d := g.org.People[to.id].Dept; d != g.org.People[from.id].Dept && g.text.IntN(2) == 0 {
			return g.org.Departments[d].Name + " " + g.surname(to)
		}
	}
	return g.surname(to)
}

func (g *gen) fullName(p party) string {
	switch p.kind {
	case pPerson:
		return g.org.People[p.id].Name
	case pContact:
		return g.org.Contacts[p.id].Name
	}
	return g.listName(p)
}

func (g *gen) signatureOrg(p party) string {
	switch p.kind {
	case pPerson:
		pp := g.org.People[p.id]
		d := g.org.Departments[pp.Dept]
		// Real signatures carry the office address and numbers; they are
		// also a good part of what mail weighs.
		return g.org.Company + " " + d.Name + " (" + d.Alias + ")\n" +
			"〒100-0005 東京都千代田区丸の内1-1-1 みらいビル" + fmt.Sprint(3+pp.Dept%12) + "階\n" +
			fmt.Sprintf("TEL: 03-5555-%04d  FAX: 03-5555-%04d\n", 1000+pp.ID%9000, 9000+pp.Dept) + pp.Address
	case pContact:
		c := g.org.Contacts[p.id]
		pt := g.org.Partners[c.Partner]
		if pt.InEnglish {
			return pt.Name + fmt.Sprintf("\nTel: +1-555-%03d-%04d\n", 100+c.Partner, 1000+c.ID) + c.Address
		}
		return pt.Name + fmt.Sprintf("\nTEL: 0%d-%04d-%04d\n", 3+c.Partner%4, 2000+c.Partner*37, 1000+c.ID) + c.Address
	}
	return ""
}

func trimRe(s string) string {
	for len(s) >= 4 && (s[:4] == "Re: " || s[:4] == "RE: ") {
		s = s[4:]
	}
	return s
}

// shortName drops the legal form: 山田商事株式会社 → 山田商事.
func shortName(s string) string {
	for _, f := range []string{"株式会社", "有限会社"} {
		s = strings.ReplaceAll(s, f, "")
	}
	return strings.TrimSpace(s)
}

func replaceP(s, p string) string { return strings.ReplaceAll(s, "{p}", p) }
