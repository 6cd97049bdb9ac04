package synth

// Name tables. Surnames are listed by how common they are in Japan, so
// that drawing with a falling weight gives the many Tanakas and Satos a real
// organisation has; that is what makes "wrong Tanaka" mistakes possible.
// population.go draws from them, and from the rarer names most people bear.

type romanised struct{ Kanji, Roman string }

var surnames = []romanised{
	{"佐藤", "sato"}, {"鈴木", "suzuki"}, {"高橋", "takahashi"}, {"田中", "tanaka"}, {"伊藤", "ito"},
	{"渡辺", "watanabe"}, {"山本", "yamamoto"}, {"中村", "nakamura"}, {"小林", "kobayashi"}, {"加藤", "kato"},
	{"吉田", "yoshida"}, {"山田", "yamada"}, {"佐々木", "sasaki"}, {"山口", "yamaguchi"}, {"松本", "matsumoto"},
	{"井上", "inoue"}, {"木村", "kimura"}, {"林", "hayashi"}, {"斎藤", "saito"}, {"清水", "shimizu"},
	{"山崎", "yamazaki"}, {"森", "mori"}, {"池田", "ikeda"}, {"橋本", "hashimoto"}, {"阿部", "abe"},
	{"石川", "ishikawa"}, {"山下", "yamashita"}, {"中島", "nakajima"}, {"石井", "ishii"}, {"小川", "ogawa"},
	{"前田", "maeda"}, {"岡田", "okada"}, {"長谷川", "hasegawa"}, {"藤田", "fujita"}, {"後藤", "goto"},
	{"近藤", "kondo"}, {"村上", "murakami"}, {"遠藤", "endo"}, {"青木", "aoki"}, {"坂本", "sakamoto"},
	{"斉藤", "saito"}, {"福田", "fukuda"}, {"太田", "ota"}, {"西村", "nishimura"}, {"藤井", "fujii"},
	{"金子", "kaneko"}, {"岡本", "okamoto"}, {"藤原", "fujiwara"}, {"中野", "nakano"}, {"三浦", "miura"},
	{"原田", "harada"}, {"松田", "matsuda"}, {"竹内", "takeuchi"}, {"小野", "ono"}, {"田村", "tamura"},
	{"中山", "nakayama"}, {"和田", "wada"}, {"石田", "ishida"}, {"森田", "morita"}, {"上田", "ueda"},
	{"原", "hara"}, {"内田", "uchida"}, {"柴田", "shibata"}, {"酒井", "sakai"}, {"宮崎", "miyazaki"},
	{"横山", "yokoyama"}, {"高木", "takagi"}, {"安藤", "ando"}, {"宮本", "miyamoto"}, {"大野", "ono"},
	{"小島", "kojima"}, {"谷口", "taniguchi"}, {"今井", "imai"}, {"工藤", "kudo"}, {"高田", "takada"},
	{"増田", "masuda"}, {"丸山", "maruyama"}, {"杉山", "sugiyama"}, {"村田", "murata"}, {"大塚", "otsuka"},
	{"新井", "arai"}, {"小山", "koyama"}, {"平野", "hirano"}, {"藤本", "fujimoto"}, {"河野", "kono"},
	{"上野", "ueno"}, {"野口", "noguchi"}, {"武田", "takeda"}, {"松井", "matsui"}, {"千葉", "chiba"},
	{"岩崎", "iwasaki"}, {"菅原", "sugawara"}, {"木下", "kinoshita"}, {"久保", "kubo"}, {"佐野", "sano"},
	{"野村", "nomura"}, {"松尾", "matsuo"}, {"市川", "ichikawa"}, {"菊地", "kikuchi"}, {"杉本", "sugimoto"},
	{"古川", "furukawa"}, {"大西", "onishi"}, {"島田", "shimada"}, {"水野", "mizuno"}, {"桜井", "sakurai"},
	{"高野", "takano"}, {"渡部", "watanabe"}, {"吉川", "yoshikawa"}, {"山内", "yamauchi"}, {"西田", "nishida"},
	{"飯田", "iida"}, {"菊池", "kikuchi"}, {"西川", "nishikawa"}, {"小松", "komatsu"}, {"北村", "kitamura"},
	{"安田", "yasuda"}, {"五十嵐", "igarashi"}, {"川口", "kawaguchi"}, {"平田", "hirata"}, {"関", "seki"},
	{"中川", "nakagawa"}, {"久保田", "kubota"}, {"服部", "hattori"}, {"東", "higashi"}, {"岩田", "iwata"},
	{"土屋", "tsuchiya"}, {"川崎", "kawasaki"}, {"福島", "fukushima"}, {"本田", "honda"}, {"辻", "tsuji"},
}

// givenNames are the classic given names; population.go mixes them with
// the many others made from common parts.
var givenNames = []romanised{
	{"太郎", "taro"}, {"健太", "kenta"}, {"翔太", "shota"}, {"大輔", "daisuke"}, {"拓也", "takuya"},
	{"直樹", "naoki"}, {"和也", "kazuya"}, {"誠", "makoto"}, {"浩", "hiroshi"}, {"剛", "tsuyoshi"},
	{"隆", "takashi"}, {"修", "osamu"}, {"学", "manabu"}, {"亮", "ryo"}, {"大樹", "daiki"},
	{"裕介", "yusuke"}, {"雄一", "yuichi"}, {"健一", "kenichi"}, {"俊介", "shunsuke"}, {"悠斗", "yuto"},
	{"一郎", "ichiro"}, {"茂", "shigeru"}, {"勝", "masaru"}, {"博之", "hiroyuki"}, {"智也", "tomoya"},
	{"花子", "hanako"}, {"陽子", "yoko"}, {"恵子", "keiko"}, {"由美", "yumi"}, {"美穂", "miho"},
	{"愛", "ai"}, {"彩", "aya"}, {"麻衣", "mai"}, {"真由美", "mayumi"}, {"直美", "naomi"},
	{"裕子", "yuko"}, {"智子", "tomoko"}, {"明美", "akemi"}, {"さくら", "sakura"}, {"美咲", "misaki"},
	{"優子", "yuko"}, {"久美子", "kumiko"}, {"香織", "kaori"}, {"沙織", "saori"}, {"千尋", "chihiro"},
	{"奈々", "nana"}, {"舞", "mai"}, {"理恵", "rie"}, {"綾", "aya"}, {"典子", "noriko"},
}

// English names are few; they give the organisation its expatriate staff and
// its foreign partners' contacts.
var englishGiven = []string{
	"John", "Michael", "David", "James", "Robert", "William", "Daniel", "Thomas", "Mark", "Paul",
	"Mary", "Jennifer", "Sarah", "Emily", "Jessica", "Laura", "Emma", "Olivia", "Anna", "Rachel",
}

var englishSurnames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
	"Thomas", "Moore", "Martin", "Jackson", "White", "Harris", "Clark", "Lewis", "Walker", "Young",
}

type deptSpec struct {
	Name, Alias, List string
	Weight            int      // relative size
	External          float64  // share of new mail that goes to partners
	Kinds             []string // partner kinds the department deals with
	Terms             []string // department-confidential vocabulary
}

var deptSpecs = []deptSpec{
	{"営業第一部", "Sales 1", "eigyo1-all", 9, 0.45, []string{"customer"}, []string{"値引き上限表", "重点顧客リスト"}},
	{"営業第二部", "Sales 2", "eigyo2-all", 8, 0.45, []string{"customer"}, []string{"値引き上限表", "受注見込み一覧"}},
	{"海外事業部", "International", "kaigai-all", 5, 0.40, []string{"customer", "logistics"}, []string{"現地法人再編案"}},
	{"マーケティング部", "Marketing", "marketing-all", 4, 0.25, []string{"agency", "customer"}, []string{"新製品発表日程"}},
	{"開発部", "Development", "kaihatsu-all", 10, 0.12, []string{"supplier", "it"}, []string{"プロジェクト・オリオン", "ORION-7 仕様書"}},
	{"研究所", "R&D", "kenkyu-all", 5, 0.10, []string{"supplier"}, []string{"特許出願前資料", "試作ロットK2"}},
	{"製造部", "Manufacturing", "seizo-all", 8, 0.20, []string{"supplier", "logistics"}, []string{"原価計算表"}},
	{"品質保証部", "Quality Assurance", "hinsho-all", 4, 0.15, []string{"supplier", "customer"}, []string{"不具合解析報告"}},
	{"購買部", "Procurement", "kobai-all", 4, 0.45, []string{"supplier"}, []string{"仕入単価一覧"}},
	{"物流部", "Logistics", "butsuryu-all", 4, 0.40, []string{"logistics"}, []string{"配送委託単価"}},
	{"カスタマーサポート部", "Customer Support", "support-all", 6, 0.35, []string{"customer"}, []string{"障害顧客一覧"}},
	{"情報システム部", "IT", "joho-all", 4, 0.15, []string{"it"}, []string{"管理者パスワード台帳"}},
	{"経理部", "Accounting", "keiri-all", 4, 0.20, []string{"bank", "audit"}, []string{"決算速報", "月次損益"}},
	{"財務部", "Finance", "zaimu-all", 3, 0.25, []string{"bank"}, []string{"資金繰り表", "借入条件"}},
	{"人事部", "Human Resources", "jinji-all", 4, 0.10, []string{"agency"}, []string{"人事評価結果", "給与改定案"}},
	{"総務部", "General Affairs", "somu-all", 3, 0.15, []string{"supplier"}, []string{"役員会議事録"}},
	{"法務部", "Legal", "homu-all", 2, 0.35, []string{"law"}, []string{"訴訟対応方針", "和解条件案"}},
	{"経営企画部", "Corporate Planning", "keiki-all", 2, 0.15, []string{"bank", "audit"}, []string{"中期経営計画案", "M&A候補リスト"}},
	{"広報部", "Public Relations", "koho-all", 2, 0.30, []string{"agency"}, []string{"未公表決算"}},
	{"内部監査室", "Internal Audit", "kansa-all", 1, 0.15, []string{"audit"}, []string{"監査指摘事項"}},
}

type groupSpec struct{ Name, List string }

// Cross-department projects; their code names are confidential vocabulary.
var groupSpecs = []groupSpec{
	{"プロジェクト・オリオン", "orion-pj"},
	{"基幹システム刷新", "erp-renewal"},
	{"新工場立ち上げ", "newplant-pj"},
	{"コンプライアンス委員会", "compliance"},
	{"DX推進チーム", "dx-team"},
}

type partnerSpec struct {
	Name, English, Domain, Kind string
	InEnglish                   bool // the company writes English
}

// Some partners look alike on purpose (山田商事/山田商会, 東洋電機/東洋電気,
// Northwind Traders/Northwind Trading): that is where real mistakes happen.
var partnerSpecs = []partnerSpec{
	{"山田商事株式会社", "Yamada Shoji", "yamada-shoji.co.jp", "customer", false},
	{"株式会社山田商会", "Yamada Shokai", "yamada-shokai.co.jp", "customer", false},
	{"東洋電機株式会社", "Toyo Denki", "toyo-denki.co.jp", "customer", false},
	{"東洋電気工業株式会社", "Toyo Electric", "toyo-denki.jp", "supplier", false},
	{"大和物産株式会社", "Daiwa Bussan", "daiwa-bussan.co.jp", "customer", false},
	{"大和産業株式会社", "Daiwa Sangyo", "daiwa-sangyo.co.jp", "supplier", false},
	{"株式会社さくら精機", "Sakura Seiki", "sakura-seiki.co.jp", "supplier", false},
	{"株式会社みどり化学", "Midori Chemical", "midori-chem.co.jp", "supplier", false},
	{"富士見建設株式会社", "Fujimi Kensetsu", "fujimi-kensetsu.co.jp", "customer", false},
	{"株式会社北斗システム", "Hokuto System", "hokuto-sys.co.jp", "it", false},
	{"日進ソフトウェア株式会社", "Nisshin Software", "nisshin-soft.jp", "it", false},
	{"株式会社青葉食品", "Aoba Foods", "aoba-foods.co.jp", "customer", false},
	{"丸紅商店株式会社", "Marubeni Shoten", "marubeni-shoten.co.jp", "customer", false},
	{"株式会社中央物流", "Chuo Logistics", "chuo-butsuryu.co.jp", "logistics", false},
	{"関東運輸株式会社", "Kanto Unyu", "kanto-unyu.co.jp", "logistics", false},
	{"西日本運送株式会社", "Nishinihon Unso", "nishinihon-unso.co.jp", "logistics", false},
	{"株式会社ひかり印刷", "Hikari Printing", "hikari-print.co.jp", "supplier", false},
	{"朝日電子株式会社", "Asahi Denshi", "asahi-denshi.co.jp", "supplier", false},
	{"旭電子工業株式会社", "Asahi Electronics", "asahi-denshi.com", "supplier", false},
	{"株式会社三和製作所", "Sanwa Seisakusho", "sanwa-ss.co.jp", "supplier", false},
	{"株式会社東京メディカル", "Tokyo Medical", "tokyo-medical.co.jp", "customer", false},
	{"株式会社ナカヤマ", "Nakayama", "nakayama-corp.co.jp", "customer", false},
	{"株式会社オオシマ", "Oshima", "oshima.co.jp", "customer", false},
	{"森田工業株式会社", "Morita Kogyo", "morita-kogyo.co.jp", "supplier", false},
	{"株式会社ミナト商事", "Minato Shoji", "minato-shoji.co.jp", "customer", false},
	{"港商事株式会社", "Minato Trading", "minato-trading.jp", "customer", false},
	{"株式会社グリーンフィールド", "Greenfield", "greenfield.co.jp", "customer", false},
	{"株式会社エムズ広告", "M's Advertising", "ms-ad.co.jp", "agency", false},
	{"株式会社リクルートパートナーズ", "Recruit Partners", "rc-partners.jp", "agency", false},
	{"株式会社ブライトPR", "Bright PR", "bright-pr.jp", "agency", false},
	{"中央法律事務所", "Chuo Law Office", "chuo-law.jp", "law", false},
	{"さくら総合法律事務所", "Sakura Law", "sakura-law.jp", "law", false},
	{"株式会社みずなみ銀行", "Mizunami Bank", "mizunami-bank.co.jp", "bank", false},
	{"第一つばさ銀行", "Tsubasa Bank", "tsubasa-bank.co.jp", "bank", false},
	{"あおぞら監査法人", "Aozora Audit", "aozora-audit.jp", "audit", false},
	{"東都税理士法人", "Toto Tax", "toto-tax.jp", "audit", false},
	{"株式会社ソフトクラウド", "SoftCloud", "softcloud.jp", "it", false},
	{"株式会社日本データサービス", "Nihon Data Service", "nds.co.jp", "it", false},
	{"株式会社ユニオンパーツ", "Union Parts", "union-parts.co.jp", "supplier", false},
	{"株式会社ハヤシ金属", "Hayashi Metal", "hayashi-kinzoku.co.jp", "supplier", false},
	{"Northwind Traders", "Northwind Traders", "northwind.com", "customer", true},
	{"Northwind Trading Co.", "Northwind Trading", "northwind-trading.com", "customer", true},
	{"Contoso Ltd.", "Contoso", "contoso.com", "customer", true},
	{"Fabrikam Inc.", "Fabrikam", "fabrikam.com", "supplier", true},
	{"Pacific Freight Lines", "Pacific Freight", "pacificfreight.com", "logistics", true},
	{"Harbor & Hale LLP", "Harbor & Hale", "harborhale.com", "law", true},
	{"Lakeside Components", "Lakeside Components", "lakeside-components.com", "supplier", true},
	{"Summit Analytics", "Summit Analytics", "summit-analytics.com", "it", true},
	{"Blue River Foods", "Blue River Foods", "blueriverfoods.com", "customer", true},
	{"Crestline Bank", "Crestline Bank", "crestlinebank.com", "bank", true},
}
