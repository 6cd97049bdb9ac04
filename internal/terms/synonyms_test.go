package terms

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

func TestParseSudachi(t *testing.T) {
	in := `000001,1,0,1,0,0,0,(),曖昧,,
000001,1,0,1,0,0,2,(),あいまい,,
000001,1,0,2,0,0,0,(),不明確,,

000002,1,0,1,0,0,0,(),宛て先,,
000002,1,2,1,0,0,3,(),宛さき,,
000002,1,0,1,0,0,2,(),宛先,,
000003,1,0,1,0,0,0,(ビジネス),機密,,
000003,1,0,2,0,0,0,(),秘密,,
`
	groups, err := ParseSudachi(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"曖昧", "あいまい", "不明確"}, {"宛て先", "宛先"}, {"機密", "秘密"}}
	if !slices.EqualFunc(groups, want, slices.Equal) {
		t.Fatalf("groups = %v, want %v", groups, want)
	}
	for _, bad := range []string{"", "a,b,c\n", "x,1,0,1,0,0,0,(),w,,\n", "1,1,0,1,0,0,0,(),,,\n"} {
		if _, err := ParseSudachi(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseSudachi(%q) accepted", bad)
		}
	}
	if !LooksLikeSudachi([]byte(in)) || LooksLikeSudachi([]byte("機密,秘密\n")) {
		t.Error("format detection")
	}
}

// The real SudachiDict file, when this machine has it.
func TestParseSudachiRealFile(t *testing.T) {
	f, err := os.Open("/work/shared/data/sudachi-synonyms/synonyms.txt")
	if err != nil {
		t.Skip("SudachiDict synonyms not available")
	}
	defer f.Close()
	groups, err := ParseSudachi(f)
	if err != nil {
		t.Fatal(err)
	}
	th := NewThesaurus(groups)
	if got := th.Synonyms("宛先", 3, nil); !slices.Equal(got, []string{"宛て先", "あて先", "送り先"}) {
		t.Errorf("synonyms of 宛先 = %v", got)
	}
	if len(groups) < 10000 {
		t.Errorf("only %d groups", len(groups))
	}
}

func TestThesaurusStore(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	groups, err := ParseGroupsCSV(strings.NewReader("# project words\nファルコン計画,F計画,隼プロジェクト\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ImportSynonyms(ctx, "projects", groups); err != nil {
		t.Fatal(err)
	}
	th, err := s.Thesaurus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := th.Synonyms("ファルコン計画", 2, nil); !slices.Equal(got, []string{"F計画", "隼プロジェクト"}) {
		t.Errorf("imported synonyms = %v", got)
	}
	if got := th.Synonyms("厳秘", 2, nil); !slices.Equal(got, []string{"秘密", "極秘"}) {
		t.Errorf("built-in synonyms = %v", got)
	}
	// Re-importing under the same name replaces, not appends.
	if err := s.ImportSynonyms(ctx, "projects", [][]string{{"ファルコン計画", "新F計画"}}); err != nil {
		t.Fatal(err)
	}
	th, _ = s.Thesaurus(ctx)
	if got := th.Synonyms("ファルコン計画", 5, nil); !slices.Equal(got, []string{"新F計画"}) {
		t.Errorf("after re-import = %v", got)
	}
	if got := th.Synonyms("厳秘", 2, map[string]bool{"秘密": true}); !slices.Equal(got, []string{"極秘", "機密"}) {
		t.Errorf("excluding listed terms = %v", got)
	}
}

// A word list saved from Excel on a Japanese Windows is Shift_JIS; one in
// another encoding is refused with the line, not imported as mojibake.
func TestParseGroupsCSVEncodings(t *testing.T) {
	sjis, err := japanese.ShiftJIS.NewEncoder().String("# 社内用語\n髙機能計画,Ｔ計画,隼プロジェクト\n")
	if err != nil {
		t.Fatal(err)
	}
	groups, err := ParseGroupsCSV(strings.NewReader(sjis))
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || !slices.Equal(groups[0], []string{"髙機能計画", "Ｔ計画", "隼プロジェクト"}) {
		t.Errorf("groups %q", groups)
	}
	euc, err := japanese.EUCJP.NewEncoder().String("a,b\n隼計画,ファルコン\n")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseGroupsCSV(strings.NewReader(euc)); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("EUC-JP: err %v, want one naming line 2", err)
	}
}
