package terms

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
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
