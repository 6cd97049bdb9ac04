package terms

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/misend/misend/internal/mail"
)

// buildWeeks reads four weeks of mail (two departments) through a
// CorpusBuilder and returns the JSON of one recommendation round per scope
// and the corpora.
func buildWeeks(t *testing.T, opt BuildOptions) ([]byte, map[Scope]*Corpus, ExtractStats) {
	t.Helper()
	a, org := DepartmentScope("部署A"), Scope(Organization)
	lists := map[Scope][]Term{
		a:   {{Scope: a, Text: "A-ORIGINAL-FRAMEWORK", Weight: 0.83}, {Scope: a, Text: "厳秘", Weight: 0.5}},
		org: {{Scope: org, Text: "厳秘", Weight: 0.5}, {Scope: org, Text: "取り扱い", Weight: 0.481}},
	}
	names := map[Scope][]string{}
	for sc, l := range lists {
		for _, x := range l {
			names[sc] = append(names[sc], x.Text)
		}
	}
	belongs := func(sc Scope, sender string) bool { return sc == org || sender == "a@corp.example" }
	b := NewCorpusBuilder(names, belongs, opt)
	for seed := uint64(1); seed <= 4; seed++ {
		for i, m := range weekOfMail(seed) {
			sender := "a@corp.example"
			if i%3 == 0 {
				sender = "b@corp.example"
			}
			if err := b.Add(context.Background(), sender, m.Subject, m.Body); err != nil {
				t.Fatal(err)
			}
		}
	}
	corpora, err := b.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, sc := range []Scope{a, org} {
		res := Recommend(corpora[sc], lists[sc], DefaultParams, NewThesaurus(BuiltinGroups()))
		j, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, j...), '\n')
	}
	return out, corpora, b.Stats()
}

// TestBuilderDeterministic: the cache and the number of workers change
// neither the recommendation (same JSON bytes) nor the corpora (same term
// ids, same documents in the same order), and the result is what adding
// the same mail one by one to a Corpus gives.
func TestBuilderDeterministic(t *testing.T) {
	want, wantCorpora, _ := buildWeeks(t, BuildOptions{Workers: 1, CacheBytes: -1})
	for _, opt := range []BuildOptions{{Workers: 1}, {Workers: 2}, {Workers: 7}, {Workers: 7, CacheBytes: -1}, {Workers: 3, CacheBytes: 2 << 10}} {
		t.Run(fmt.Sprintf("workers=%d,cache=%d", opt.Workers, opt.CacheBytes), func(t *testing.T) {
			got, corpora, st := buildWeeks(t, opt)
			if string(got) != string(want) {
				t.Fatalf("recommendation differs:\n%s\nwant\n%s", got, want)
			}
			for sc, c := range corpora {
				w := wantCorpora[sc]
				if d := cmp.Diff(w.names, c.names); d != "" {
					t.Fatalf("%s: vocabulary differs:\n%s", sc, d)
				}
				if d := cmp.Diff(w.docs, c.docs); d != "" {
					t.Fatalf("%s: documents differ:\n%s", sc, d)
				}
				if d := cmp.Diff(w.person, c.person); d != "" {
					t.Fatalf("%s: person flags differ:\n%s", sc, d)
				}
			}
			if opt.CacheBytes >= 0 && st.Hits == 0 {
				t.Errorf("cache stats %+v: no hits over four weeks of mail", st)
			}
		})
	}

	// The same mail through Corpus.Add, one message after the other.
	a := DepartmentScope("部署A")
	c := NewCorpus([]string{"A-ORIGINAL-FRAMEWORK", "厳秘"})
	for seed := uint64(1); seed <= 4; seed++ {
		for i, m := range weekOfMail(seed) {
			if i%3 != 0 {
				if err := c.Add(m.Subject, m.Body); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if d := cmp.Diff(wantCorpora[a].docs, c.docs); d != "" {
		t.Fatalf("builder and Corpus.Add differ:\n%s", d)
	}
}

// TestIndexWriterDeterministic: the term index holds the same words under
// the same ids and the same rows whatever the number of workers and the
// cache.
func TestIndexWriterDeterministic(t *testing.T) {
	ctx := context.Background()
	var msgs []*mail.Message
	for seed := uint64(1); seed <= 3; seed++ {
		msgs = append(msgs, weekMessages(seed)...)
	}
	dump := func(opt BuildOptions) string {
		s, db := openStore(t)
		w, err := s.IndexWriterWith(ctx, opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			w.Add(m)
		}
		if _, err := w.Close(); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		rows, err := db.QueryContext(ctx, `SELECT id, word, person FROM terms_index_words ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var word string
			var person bool
			if err := rows.Scan(&id, &word, &person); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, id, word, person)
		}
		rows.Close()
		rows, err = db.QueryContext(ctx, `SELECT msg_key, sender, day, words FROM terms_index_docs ORDER BY msg_key`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var key int64
			var sender, day string
			var words []byte
			if err := rows.Scan(&key, &sender, &day, &words); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%d %s %s %x\n", key, sender, day, words)
		}
		rows.Close()
		return b.String()
	}
	want := dump(BuildOptions{Workers: 1, CacheBytes: -1})
	if strings.Count(want, "\n") < len(msgs) {
		t.Fatalf("index dump has %d lines for %d messages", strings.Count(want, "\n"), len(msgs))
	}
	for _, opt := range []BuildOptions{{Workers: 2}, {Workers: 5, CacheBytes: 1 << 10}} {
		if got := dump(opt); got != want {
			t.Errorf("%+v: index differs from one uncached worker's", opt)
		}
	}
}
