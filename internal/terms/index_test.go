package terms

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/store"
)

// weekMessages is the test week as parsed messages from one sender of
// department A, a day apart in groups, plus mail of another department
// using the same framework name.
func weekMessages(seed uint64) []*mail.Message {
	var out []*mail.Message
	start := time.Date(2013, 3, 11, 9, 0, 0, 0, time.UTC)
	for i, m := range weekOfMail(seed) {
		out = append(out, &mail.Message{
			MessageID: fmt.Sprintf("w%d-%d@corp.example", seed, i),
			Date:      start.Add(time.Duration(i%5) * 24 * time.Hour),
			From:      mail.Address{Addr: "Miura@corp.example"},
			To:        []mail.Address{{Addr: "sankaku@corp.example"}},
			Subject:   m.Subject,
			Text:      m.Body,
		})
	}
	for i := range 10 {
		out = append(out, &mail.Message{
			MessageID: fmt.Sprintf("b%d@corp.example", i),
			Date:      start,
			From:      mail.Address{Addr: "dev@corp.example"},
			To:        []mail.Address{{Addr: "x@partner.example"}},
			Subject:   "診断",
			Text:      "A-ORIGINAL-FRAMEWORKで脆弱性診断をします。",
		})
	}
	return out
}

func indexAll(t *testing.T, s *Store, msgs []*mail.Message) IndexStats {
	t.Helper()
	w, err := s.IndexWriter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		w.Add(m)
	}
	st, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func inDeptA(sc Scope, sender string) bool { return sender == "miura@corp.example" }

// TestIndexRecommendsAsText: recommending from the term index gives the
// same two rounds of the paper's week as recommending from the mail text —
// same mails, same confidential mails, same terms and weights — and keeps
// department B's mail out of department A's corpus.
func TestIndexRecommendsAsText(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	msgs := weekMessages(1)
	st := indexAll(t, s, msgs)
	if st.Indexed != len(msgs) || st.Known != 0 || st.NewWords == 0 {
		t.Fatalf("stats %+v, want %d indexed", st, len(msgs))
	}
	if st := indexAll(t, s, msgs); st.Indexed != 0 || st.Known != len(msgs) {
		t.Fatalf("second run %+v: want every message known", st)
	}

	scope := DepartmentScope("部署A")
	list := []Term{{Scope: scope, Text: "A-ORIGINAL-FRAMEWORK", Weight: 0.83}, {Scope: scope, Text: "厳秘", Weight: 0.5}}
	for round := 1; round <= 2; round++ {
		var names []string
		for _, l := range list {
			names = append(names, l.Text)
		}
		corpora, err := s.IndexedCorpora(ctx, IndexQuery{Lists: map[Scope][]string{scope: names}, Belongs: inDeptA})
		if err != nil {
			t.Fatal(err)
		}
		fromIndex := Recommend(corpora[scope], list, DefaultParams, nil)
		fromText := Recommend(weekCorpus(t, names), list, DefaultParams, nil)
		if fromIndex.Mails != 130 {
			t.Errorf("round %d: %d mails from the index, want department A's 130", round, fromIndex.Mails)
		}
		if d := cmp.Diff(fromText, fromIndex); d != "" {
			t.Fatalf("round %d: index and text differ (-text +index):\n%s", round, d)
		}
		t.Logf("round %d from the index\n%s", round, dump(fromIndex))
		want := "取り扱い"
		if round == 2 {
			want = "注意"
		}
		if !slices.ContainsFunc(fromIndex.Recommended, func(r Recommendation) bool { return r.Term == want }) {
			t.Errorf("round %d: %s not recommended", round, want)
		}
		if round == 1 {
			for _, r := range fromIndex.Recommended {
				if r.Term == "取り扱い" {
					list = append(list, Term{Scope: scope, Text: r.Term, Weight: r.Weight})
				}
			}
		}
	}
}

// TestIndexKeepsNoText looks at the database files after indexing: no
// sentence, subject, recipient or quoted text of the mail is in them.
func TestIndexKeepsNoText(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, db := openStoreAt(t, filepath.Join(dir, "t.db"))
	msgs := weekMessages(2)
	msgs = append(msgs, &mail.Message{MessageID: "q@corp.example", From: mail.Address{Addr: "miura@corp.example"},
		To: []mail.Address{{Addr: "secret-recipient@partner.example"}}, Subject: "Re: 見積",
		Text: "了解です。\n> 引用された見積金額は八百万円です\n", Attachments: []mail.Attachment{{Filename: "x.txt", Text: "添付の極秘ロードマップ"}}})
	indexAll(t, s, msgs)
	info, err := s.IndexInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Messages != len(msgs) || info.First != "2013-03-11" || info.Last != "2013-03-15" {
		t.Errorf("info %+v", info)
	}
	db.Close()
	var all []byte
	files, _ := filepath.Glob(filepath.Join(dir, "t.db*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	for _, secret := range []string{"具体的な方法は外に出ないように", "お疲れ様です。", "secret-recipient", "sankaku@", "Re: 見積", "八百万円", "引用"} {
		if bytes.Contains(all, []byte(secret)) {
			t.Errorf("database holds %q", secret)
		}
	}
	// What the model needs is there: nouns of the sender's own text and attachments.
	for _, want := range []string{"リスク分析", "ロードマップ"} {
		if !bytes.Contains(all, []byte(want)) {
			t.Errorf("database lacks the term %q", want)
		}
	}
}

func openStoreAt(t *testing.T, path string) (*Store, *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

func TestIndexDaysAndPrune(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	msgs := weekMessages(3)
	undated := &mail.Message{MessageID: "nodate@corp.example", From: mail.Address{Addr: "miura@corp.example"}, Text: "厳秘の資料です。"}
	indexAll(t, s, append(msgs, undated))
	count := func(q IndexQuery) int {
		t.Helper()
		q.Lists = map[Scope][]string{"organization": {"厳秘"}}
		c, err := s.IndexedCorpora(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return c["organization"].Len()
	}
	perDay := map[string]int{}
	for _, m := range msgs {
		perDay[m.Date.Format(time.DateOnly)]++
	}
	tests := []struct {
		q    IndexQuery
		want int
	}{
		{IndexQuery{}, len(msgs) + 1},
		{IndexQuery{Since: "2013-03-15"}, perDay["2013-03-15"]},
		{IndexQuery{Until: "2013-03-11"}, perDay["2013-03-11"]},
		{IndexQuery{Since: "2013-03-12", Until: "2013-03-13"}, perDay["2013-03-12"] + perDay["2013-03-13"]},
		{IndexQuery{Since: "2014-01-01"}, 0},
	}
	for _, tt := range tests {
		if got := count(tt.q); got != tt.want {
			t.Errorf("%+v: %d messages, want %d", tt.q, got, tt.want)
		}
	}
	before, _ := s.IndexInfo(ctx)
	n, err := s.PruneIndex(ctx, "2013-03-15")
	if err != nil {
		t.Fatal(err)
	}
	if want := len(msgs) - perDay["2013-03-15"] + 1; n != int64(want) {
		t.Errorf("pruned %d, want %d (undated mail has day '' and goes too)", n, want)
	}
	after, _ := s.IndexInfo(ctx)
	if after.Messages != perDay["2013-03-15"] || after.Words >= before.Words || after.First != "2013-03-15" {
		t.Errorf("after pruning: %+v (before %+v)", after, before)
	}
	// The remaining messages still decode against the remaining words.
	if got := count(IndexQuery{}); got != after.Messages {
		t.Errorf("after pruning %d messages readable, want %d", got, after.Messages)
	}
	if _, err := s.PruneIndex(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if info, _ := s.IndexInfo(ctx); info.Messages != 0 || info.Words != 0 {
		t.Errorf("after dropping: %+v", info)
	}
}

func TestIndexIDsRoundTrip(t *testing.T) {
	for _, ids := range [][]int64{nil, {1}, {5, 3, 3, 1 << 35, 0, 128}} {
		got, err := decodeIDs(nil, encodeIDs(slices.Clone(ids)))
		want := slices.Compact(slices.Sorted(slices.Values(ids)))
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%v: got %v, %v", ids, got, err)
		}
	}
	if _, err := decodeIDs(nil, []byte{0x80}); err == nil {
		t.Error("truncated varint accepted")
	}
	if !strings.Contains(errBadIDs.Error(), "corrupt") {
		t.Error(errBadIDs)
	}
}

// TestIndexPersonNames: by default the index keeps no person names (the
// recommendation drops them anyway); with the setting on it keeps them
// marked, for --keep-person-names.
func TestIndexPersonNames(t *testing.T) {
	ctx := context.Background()
	words := func(s *Store) map[string]bool {
		t.Helper()
		rows, err := s.db.QueryContext(ctx, `SELECT word, person FROM terms_index_words`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]bool{}
		for rows.Next() {
			var w string
			var p bool
			rows.Scan(&w, &p)
			out[w] = p
		}
		return out
	}
	names := func(ws map[string]bool) (found []string) {
		for w := range ws {
			for _, n := range surnames {
				if strings.Contains(w, n) {
					found = append(found, w)
				}
			}
		}
		return found
	}
	s, _ := openStore(t)
	indexAll(t, s, weekMessages(1))
	if found := names(words(s)); len(found) > 0 {
		t.Errorf("person names indexed by default: %v", found)
	}
	s2, _ := openStore(t)
	if err := s2.SetSetting(ctx, IndexPersonNamesKey, "true"); err != nil {
		t.Fatal(err)
	}
	indexAll(t, s2, weekMessages(1))
	ws := words(s2)
	found := names(ws)
	if len(found) == 0 {
		t.Fatal("no person names kept with the setting on")
	}
	for _, w := range found {
		if !ws[w] {
			t.Errorf("%s kept but not marked a person", w)
		}
	}
}
