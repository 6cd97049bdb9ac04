package web

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"

	"github.com/misend/misend/internal/directory"
)

// Why a directory file was refused is told in the reader's language, row
// by row; what comes from the file, and the spellings the file must use,
// stand as code, and nothing else on a Japanese page is English.
func TestImportProblemsInWords(t *testing.T) {
	const head = "address,name,department,groups,roles\n"
	euc, err := japanese.EUCJP.NewEncoder().String(head + "sato@corp.example,佐藤,営業部,,sender\n")
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`<code>[^<]*</code>`)
	raw := regexp.MustCompile(`(?i)[a-z]{3,}`)
	for _, tc := range []struct {
		name, file string
		ja, en     []string
	}{
		{"rows", head +
			"not-an-address,X,A,,sender\n" +
			"b@corp.example,B,A,,sender;boss\n" +
			"b@corp.example,Y,A,,sender\n" +
			"d@corp.example,D\n" +
			"e@corp.example,E,,,sender\n" +
			"g@corp.example,G,A,x:y,sender\n" +
			"<h@corp.example>,H,A,,sender\n",
			[]string{"ファイルに 7 件の問題があります。", "2 行目の <code>address</code> 列：<code>not-an-address</code> はメールアドレスの形式",
				"3 行目の <code>roles</code> 列：役割 <code>boss</code> は使えません。使える役割は <code>sender</code>、<code>approver</code>",
				"4 行目の <code>address</code> 列：このアドレスは 3 行目にもあります", "5 行目：列の数（2 列）が見出し行と合いません",
				"6 行目の <code>department</code> 列：値が空です", "7 行目の <code>groups</code> 列：グループ名 <code>x:y</code> に「:」は使えません"},
			[]string{"7 problem(s)", "line 3, column <code>roles</code>: unknown role <code>boss</code>"}},
		{"header", "address,name,dept,groups,roles,roles\n",
			[]string{"1 行目の <code>dept</code> 列：この列名は使えません。使える列名は <code>address</code>、", "同じ列名が 2 回あります",
				"1 行目の <code>department</code> 列：この列は必須です"},
			[]string{"column <code>dept</code>: unknown column"}},
		{"encoding", euc, []string{"2 行目：文字コードを判別できません。Excel で「CSV UTF-8」または「CSV」形式で保存し直してください"}, []string{"line 2: this line is neither UTF-8 nor Shift_JIS"}},
		{"no people", head, []string{"見出し行のほかに、人の行がありません。"}, []string{"The file has a header but nobody in it."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, perr := directory.ParseCSV(strings.NewReader(tc.file))
			if perr == nil {
				t.Fatal("accepted")
			}
			for _, lang := range []string{"ja", "en"} {
				head, rows := importProblems(lang, perr)
				all := head
				for _, r := range rows {
					all += "\n" + string(r)
				}
				want := tc.ja
				if lang == "en" {
					want = tc.en
				}
				for _, w := range want {
					if !strings.Contains(all, w) {
						t.Errorf("%s lacks %q:\n%s", lang, w, all)
					}
				}
				if lang != "ja" {
					continue
				}
				// Outside code, only Japanese, the format names Excel shows
				// (CSV, UTF-8, Shift_JIS) and addresses' examples.
				rest := code.ReplaceAllString(all, "")
				rest = strings.NewReplacer("CSV", "", "UTF-8", "", "Excel", "", "name@example.co.jp", "").Replace(rest)
				if m := raw.FindString(rest); m != "" {
					t.Errorf("Japanese problems show %q:\n%s", m, all)
				}
			}
		})
	}
}
