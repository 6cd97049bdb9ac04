package terms

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// A week of one department's mail in the spirit of the paper's evaluation
// (§4.2–4.3: 130 mails, 30 of them confidential, including its figures 8
// and 9). Department A owns A-ORIGINAL-FRAMEWORK, an unpublished security
// risk-analysis framework; its confidential mail talks about risk analysis
// with the department's own method, and some of it asks for careful
// handling. Non-confidential mail is the rest of office life — meetings,
// expenses, visits, maintenance — and a few mails that hand round the
// department's own material with a request to handle it with care, which
// the list does not catch yet (figure 9). Greetings and sign-offs
// (お疲れ様です, よろしくお願いいたします) are everywhere, confidential mail
// included, as in real mail.

type testMail struct {
	Subject, Body string
	Confidential  bool // contains A-ORIGINAL-FRAMEWORK or 厳秘
}

const figure8 = `○○くん
△△です。お疲れ様です。
□□さんから指示があった通り、
A-ORIGINAL-FRAMEWORKでリスク分析を行いましょう。
知ってのとおり、この方法はうちの部署独自のもので厳秘なので、
具体的な方法は外に出ないようにしましょう。
よろしくお願いいたします。`

const figure9 = `○○課長
△△です。
金融分野決算シートを添付します。
部署独自の情報ですので、取り扱いに注意願います。
よろしくお願いいたします。`

var (
	surnames = []string{"田中", "佐藤", "鈴木", "高橋", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"}
	titles   = []string{"さん", "さん", "さん", "課長", "部長", "くん"}
	days     = []string{"月曜", "火曜", "水曜", "木曜", "金曜"}
	clients  = []string{"金融系", "製造業", "物流", "小売", "官公庁向け", "医療機関"}
	systems  = []string{"顧客管理システム", "受発注システム", "社内ポータル", "決済基盤", "会計システム"}
)

func pick[T any](r *rand.Rand, l []T) T { return l[r.IntN(len(l))] }

func opening(r *rand.Rand) string {
	to := pick(r, surnames) + pick(r, titles)
	me := pick(r, surnames)
	switch r.IntN(4) {
	case 0:
		return fmt.Sprintf("%s\n%sです。お疲れ様です。\n", to, me)
	case 1:
		return fmt.Sprintf("%s\nお疲れ様です。%sです。\n", to, me)
	case 2:
		return fmt.Sprintf("各位\n\nお疲れ様です。%sです。\n", me)
	default:
		return fmt.Sprintf("%s\n%sです。\n", to, me)
	}
}

func closing(r *rand.Rand) string {
	switch r.IntN(10) {
	case 0:
		return "以上です。\n"
	case 1:
		return "ご確認ください。\n"
	case 2, 3:
		return "以上、よろしくお願いします。\n"
	default:
		return "よろしくお願いいたします。\n"
	}
}

// confidentialSentences talk about the framework's risk analysis; each
// names what it needs with fmt verbs filled from the pools above.
var confidentialCore = []string{
	"A-ORIGINAL-FRAMEWORKでリスク分析を行いましょう。",
	"A-ORIGINAL-FRAMEWORKによる%sのリスク分析の結果を送ります。",
	"%sのリスク分析はA-ORIGINAL-FRAMEWORKの手順で進めてください。",
	"A-ORIGINAL-FRAMEWORKの評価シートを更新しました。",
	"来週の%s案件もA-ORIGINAL-FRAMEWORKで評価します。",
}

// ownMethod sentences say the method is the department's own: the paper's
// figure 8 does, and its table 10 weight for 部署独自 (0.684 against 0.83
// for A-ORIGINAL-FRAMEWORK) says most confidential mail did.
var ownMethod = []string{
	"この方法は部署独自のものなので、外部には説明しないでください。",
	"部署独自の手法なので、他部署への説明は控えてください。",
	"今回のリスク分析は部署独自の観点を重視しています。",
	"部署独自の評価基準を一部変更しています。",
	"この分析は部署独自のやり方で行います。",
}

var confidentialMore = []string{
	"脅威の洗い出しを%sまでにお願いします。",
	"%sのリスク分析が終わりました。",
	"評価項目の重み付けを見直しました。",
	"前回の分析結果との差分をまとめました。",
	"資料はいつもの場所に置きました。",
	"%sに打ち合わせで方針を確認しましょう。",
	"残りの課題は次回の定例で議論します。",
	"想定される攻撃経路を三つに絞りました。",
	"影響度と発生可能性の評価をやり直してください。",
	"対策案のたたき台を作りました。",
	"前提条件に漏れがないか見てもらえますか。",
	"%sの担当者へのヒアリングは済んでいます。",
	"スコアの算出方法に誤りがありました。",
}

var handleWithCare = []string{
	"資料の取り扱いには十分気をつけてください。",
	"取り扱いに注意願います。",
	"印刷物の取り扱いは部内限定でお願いします。",
	"ファイルの取り扱いは慎重にお願いします。",
	"取り扱いに注意してください。",
}

var secretMark = []string{
	"内容は厳秘でお願いします。",
	"この件は厳秘です。",
	"厳秘扱いとします。",
	"本メールは厳秘です。",
}

// fillers fill %s in a sentence from the right pool.
func fill(r *rand.Rand, s string) string {
	if !strings.Contains(s, "%s") {
		return s
	}
	switch {
	case strings.Contains(s, "までに"), strings.HasPrefix(s, "%sに打ち合わせ"):
		return fmt.Sprintf(s, pick(r, days))
	case strings.Contains(s, "案件"):
		return fmt.Sprintf(s, pick(r, clients))
	}
	return fmt.Sprintf(s, pick(r, systems))
}

var confidentialSubjects = []string{"リスク分析の件", "評価結果の共有", "分析手順について", "【厳秘】", "次回分析の進め方"}

func confidentialMail(r *rand.Rand, i int) testMail {
	var b strings.Builder
	b.WriteString(opening(r))
	// Most confidential mail names the framework; some only marks itself 厳秘.
	if i%4 != 3 {
		b.WriteString(fill(r, pick(r, confidentialCore)) + "\n")
	}
	if r.IntN(10) < 7 {
		b.WriteString(pick(r, ownMethod) + "\n")
	}
	for _, k := range r.Perm(len(confidentialMore))[:1+r.IntN(3)] {
		b.WriteString(fill(r, confidentialMore[k]) + "\n")
	}
	if i%4 == 3 || r.IntN(3) == 0 {
		b.WriteString(pick(r, secretMark) + "\n")
	}
	if r.IntN(9) < 4 {
		b.WriteString(pick(r, handleWithCare) + "\n")
	}
	b.WriteString(closing(r))
	return testMail{Subject: pick(r, confidentialSubjects), Body: b.String(), Confidential: true}
}

// Everyday mail: each topic a subject and a few sentences.
var everyday = []struct {
	subject   string
	sentences []string
}{
	{"会議室の予約", []string{"%sの定例会議の会議室を予約しました。", "議題があれば事前に送ってください。", "場所は3階の第2会議室です。", "オンライン参加の方はリンクを確認してください。"}},
	{"経費精算のお願い", []string{"今月の経費精算の締め切りは%sです。", "領収書の原本を総務に提出してください。", "交通費の申請もお忘れなく。", "不明点は経理担当まで確認してください。"}},
	{"顧客訪問の日程", []string{"%sに顧客訪問の予定です。", "訪問資料の準備をお願いします。", "見積書の最新版を確認してください。", "先方の担当者は営業部経由で調整済みです。"}},
	{"システムメンテナンスのお知らせ", []string{"%sの夜間にサーバのメンテナンスを行います。", "作業中はメールが一時的に使えません。", "作業の影響範囲は添付の通りです。", "問題があれば情報システム部へ連絡してください。"}},
	{"歓迎会の出欠", []string{"新メンバーの歓迎会を%sに開催します。", "出欠を今週中に返信してください。", "会費は当日集めます。", "お店は駅前の居酒屋です。"}},
	{"研修の案内", []string{"情報セキュリティ研修の受講をお願いします。", "受講期限は%sです。", "研修資料はポータルにあります。", "受講後にアンケートへの回答をお願いします。"}},
	{"週報", []string{"今週の進捗を報告します。", "%sに顧客との打ち合わせがありました。", "来週は資料作成を中心に進めます。", "課題は特にありません。"}},
	{"勤怠の確認", []string{"勤怠の入力漏れがないか確認してください。", "休暇の申請は%sまでにお願いします。", "残業申請も忘れずに提出してください。"}},
	{"資料送付", []string{"先日の打ち合わせ資料を送ります。", "修正点があれば%sまでにご連絡ください。", "議事録も合わせて確認してください。"}},
	{"了解しました", []string{"了解しました。", "%sまでに対応します。", "進捗はまた報告します。"}},
}

// shareOwnMaterial mails hand round the department's own material and ask
// for care, without any list term yet (figure 9's kind).
var shareOwnMaterial = []string{
	"金融分野決算シートを添付します。",
	"顧客アンケートの集計表を送ります。",
	"部内の作業手順書を更新しました。",
	"来期の予算案を共有します。",
	"評価テンプレートの改訂版を送ります。",
}

var ownNote = []string{
	"部署独自の情報ですので、取り扱いに注意願います。",
	"部署独自の資料なので、取り扱いに注意してください。",
	"取り扱いに注意願います。",
	"社外への転送はしないよう、取り扱いに注意してください。",
	"取り扱いには注意をお願いします。",
}

func everydayMail(r *rand.Rand, i int) testMail {
	var b strings.Builder
	b.WriteString(opening(r))
	subject := ""
	switch {
	case i%7 == 0:
		subject = "資料の共有"
		b.WriteString(pick(r, shareOwnMaterial) + "\n")
		b.WriteString(pick(r, ownNote) + "\n")
	case i%23 == 5:
		subject = "台風の接近について"
		b.WriteString("台風が接近しています。\n帰宅時は足元に注意してください。\n")
	default:
		t := pick(r, everyday)
		subject = t.subject
		for _, k := range r.Perm(len(t.sentences))[:2+r.IntN(len(t.sentences)-1)] {
			b.WriteString(fill(r, t.sentences[k]) + "\n")
		}
	}
	// Most everyday mail ends with the customary request, some not.
	if r.IntN(8) != 0 {
		b.WriteString(closing(r))
	}
	return testMail{Subject: subject, Body: b.String()}
}

// weekOfMail returns the department's week: figures 8 and 9, 29 more
// confidential mails and 99 more everyday ones, shuffled.
func weekOfMail(seed uint64) []testMail {
	r := rand.New(rand.NewPCG(seed, 0x6d697365))
	mails := []testMail{
		{Subject: "リスク分析の進め方", Body: figure8, Confidential: true},
		{Subject: "決算シート送付", Body: figure9},
	}
	for i := range 29 {
		mails = append(mails, confidentialMail(r, i))
	}
	for i := range 99 {
		mails = append(mails, everydayMail(r, i))
	}
	r.Shuffle(len(mails), func(i, j int) { mails[i], mails[j] = mails[j], mails[i] })
	return mails
}
