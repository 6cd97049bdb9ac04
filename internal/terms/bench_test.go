package terms

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	netmail "net/mail"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/ingest"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/store"
)

// benchTerms makes n distinct terms shaped like real lists: Japanese
// compounds of two or three common nouns, project code names, product
// numbers.
func benchTerms(n int) []string {
	r := rand.New(rand.NewPCG(7, 7))
	ja := []string{"顧客", "契約", "設計", "決算", "人事", "評価", "分析", "計画", "試作", "調達", "価格", "原価", "新製品", "買収", "提携", "特許", "試験", "監査", "予算", "給与"}
	en := []string{"falcon", "orion", "atlas", "zephyr", "nimbus", "quartz", "cobalt", "aurora", "delta", "ember"}
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var t string
		switch r.IntN(3) {
		case 0:
			t = ja[r.IntN(len(ja))] + ja[r.IntN(len(ja))] + ja[r.IntN(len(ja))]
		case 1:
			t = fmt.Sprintf("project-%s-%d", en[r.IntN(len(en))], r.IntN(1000))
		default:
			t = fmt.Sprintf("%s%s%d", ja[r.IntN(len(ja))], ja[r.IntN(len(ja))], r.IntN(100))
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// benchText is about 1 MB of mixed Japanese and English business mail.
func benchText() string {
	var b strings.Builder
	for i := 0; b.Len() < 1<<20; i++ {
		for _, m := range weekOfMail(uint64(i)) {
			b.WriteString(m.Subject + "\n" + m.Body)
			b.WriteString("Please find attached the quarterly report for the Orion account; numbers are preliminary.\n")
		}
	}
	return b.String()
}

func BenchmarkMatch10kTerms(b *testing.B) {
	m := NewMatcher(benchTerms(10_000))
	text := benchText()
	prepared := Prepare(text)
	b.Run("automaton", func(b *testing.B) {
		b.SetBytes(int64(prepared.Len()))
		b.ReportAllocs()
		for b.Loop() {
			m.Match(prepared)
		}
	})
	b.Run("normalise+automaton", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for b.Loop() {
			m.Match(Prepare(text))
		}
	})
}

func BenchmarkNormalize(b *testing.B) {
	text := benchText()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Prepare(text)
	}
}

func BenchmarkPersonalData(b *testing.B) {
	text := benchText()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		FindPersonalData(text)
	}
}

// BenchmarkRecommend100k tokenises 100,000 short mails of the test week
// as misend terms recommend --mail does (CorpusBuilder: every core, one
// cache) and runs one recommendation round; run with -benchtime=1x.
// Sub-benchmarks without the cache and with one worker show what each
// part brings.
func BenchmarkRecommend100k(b *testing.B) {
	benchRecommendVariants(b, shortMails(100_000))
}

func shortMails(n int) []testMail {
	var mails []testMail
	for seed := uint64(1); len(mails) < n; seed++ {
		mails = append(mails, weekOfMail(seed)...)
	}
	return mails[:n]
}

// BenchmarkRecommend100kLong is the same with each mail lengthened by 0.5–2
// KB of real Japanese prose (the seed documents of the design), so length
// and vocabulary are closer to real business mail.
func BenchmarkRecommend100kLong(b *testing.B) {
	mails, ok := longMails(100_000)
	if !ok {
		b.Skip("seed documents not available")
	}
	benchRecommendVariants(b, mails)
}

func longMails(n int) ([]testMail, bool) {
	var prose []rune
	for _, f := range []string{"/work/shared/seeds/000_02f2be873422df15.txt", "/work/shared/seeds/001_b80b1fe10398dcfc.txt"} {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, false
		}
		prose = append(prose, []rune(string(data))...)
	}
	r := rand.New(rand.NewPCG(3, 3))
	var mails []testMail
	for seed := uint64(1); len(mails) < n; seed++ {
		for _, m := range weekOfMail(seed) {
			k := 170 + r.IntN(500) // runes: about 0.5–2 KB of UTF-8
			at := r.IntN(len(prose) - k)
			m.Body += string(prose[at : at+k])
			mails = append(mails, m)
		}
	}
	return mails[:n], true
}

func benchRecommendVariants(b *testing.B, mails []testMail) {
	for _, v := range []struct {
		name string
		opt  BuildOptions
	}{
		{"cache", BuildOptions{}},
		{"cache-1worker", BuildOptions{Workers: 1}},
		{"nocache", BuildOptions{CacheBytes: -1}},
	} {
		b.Run(v.name, func(b *testing.B) { benchRecommend(b, mails, v.opt) })
	}
}

func benchRecommend(b *testing.B, mails []testMail, opt BuildOptions) {
	size := 0
	for _, m := range mails {
		size += len(m.Subject) + len(m.Body)
	}
	b.SetBytes(int64(size))
	scope := DepartmentScope("部署A")
	list := []Term{{Scope: scope, Text: "A-ORIGINAL-FRAMEWORK", Weight: 0.83}, {Scope: scope, Text: "厳秘", Weight: 0.5}}
	if _, err := loadTokenizer(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	peak := watchHeap()
	for b.Loop() {
		cb := NewCorpusBuilder(map[Scope][]string{scope: {"A-ORIGINAL-FRAMEWORK", "厳秘"}}, nil, opt)
		for _, m := range mails {
			if err := cb.Add(ctx, "", m.Subject, m.Body); err != nil {
				b.Fatal(err)
			}
		}
		corpora, err := cb.Close()
		if err != nil {
			b.Fatal(err)
		}
		c := corpora[scope]
		res := Recommend(c, list, DefaultParams, nil)
		if len(res.Recommended) == 0 {
			b.Fatal("nothing recommended")
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MiB-heap-after")
		b.ReportMetric(float64(len(c.names)), "distinct-terms")
		st := cb.Stats()
		b.ReportMetric(st.HitRate(), "hit-rate")
		b.ReportMetric(float64(st.Tokenized)/float64(size), "kagome-fraction")
	}
	b.ReportMetric(float64(peak())/(1<<20), "MiB-heap-peak")
}

// watchHeap samples the heap in use until the returned function is called,
// which returns the largest sample.
func watchHeap() func() uint64 {
	stop := make(chan struct{})
	done := make(chan uint64)
	go func() {
		var peak uint64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		return <-done
	}
}

// BenchmarkMatchRealMail matches 10,000 terms against real mail: the raw
// files under $MISEND_BENCH_MAIL (e.g. the unpacked Enron sent mail), up to
// 64 MB, headers included.
func BenchmarkMatchRealMail(b *testing.B) {
	root := os.Getenv("MISEND_BENCH_MAIL")
	if root == "" {
		b.Skip("set MISEND_BENCH_MAIL to a directory of mail files")
	}
	var sb strings.Builder
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || sb.Len() > 64<<20 {
			return nil
		}
		data, err := os.ReadFile(path)
		if err == nil {
			sb.Write(data)
		}
		return nil
	})
	text := sb.String()
	m := NewMatcher(benchTerms(10_000))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		m.Match(Prepare(text))
	}
}

// BenchmarkRecommendRealMail recommends from the list {confidential: 0.8}
// over the mail files under $MISEND_BENCH_MAIL (plain RFC 5322; the body is
// taken as is), and logs the top recommendations.
func BenchmarkRecommendRealMail(b *testing.B) {
	root := os.Getenv("MISEND_BENCH_MAIL")
	if root == "" {
		b.Skip("set MISEND_BENCH_MAIL to a directory of mail files")
	}
	var mails []testMail
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return nil
		}
		defer f.Close()
		m, err := netmail.ReadMessage(f)
		if err != nil {
			return nil
		}
		body, _ := io.ReadAll(io.LimitReader(m.Body, 64<<10))
		mails = append(mails, testMail{Subject: m.Header.Get("Subject"), Body: string(body)})
		return nil
	})
	list := []Term{{Text: "confidential", Weight: 0.8}}
	if _, err := loadTokenizer(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		cb := NewCorpusBuilder(map[Scope][]string{"": {"confidential"}}, nil, BuildOptions{})
		for _, m := range mails {
			cb.Add(context.Background(), "", m.Subject, m.Body)
		}
		corpora, err := cb.Close()
		if err != nil {
			b.Fatal(err)
		}
		c := corpora[""]
		b.Logf("cache: %+v, hit rate %.3f", cb.Stats(), cb.Stats().HitRate())
		res := Recommend(c, list, DefaultParams, NewThesaurus(BuiltinGroups()))
		b.Logf("%d mails, %d confidential", res.Mails, res.Confidential)
		for i, r := range res.Recommended {
			if i < 12 {
				b.Logf("  %-24s %.3f %s (%d)", r.Term, r.Weight, r.Kind, r.Confidential)
			}
		}
	}
}

// BenchmarkIndex100k indexes 100,000 mails of the test week, short and
// long, with the IndexWriter (misend import --index-terms) into a fresh
// database per op; index-msgs/s is the rate. Run with -benchtime=1x.
func BenchmarkIndex100k(b *testing.B) {
	long, ok := longMails(100_000)
	for _, v := range []struct {
		name  string
		mails []testMail
	}{{"short", shortMails(100_000)}, {"long", long}} {
		b.Run(v.name, func(b *testing.B) {
			if v.mails == nil || !ok && v.name == "long" {
				b.Skip("seed documents not available")
			}
			if _, err := loadTokenizer(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			peak := watchHeap()
			for b.Loop() {
				s := benchStore(b)
				start := time.Now()
				st, cache := indexMails(b, s, v.mails)
				b.ReportMetric(float64(st.Indexed)/time.Since(start).Seconds(), "index-msgs/s")
				b.ReportMetric(cache.HitRate(), "hit-rate")
			}
			b.ReportMetric(float64(peak())/(1<<20), "MiB-heap-peak")
		})
	}
}

func benchStore(b *testing.B) *Store {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	s, err := Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// indexMails indexes mails as sent by 50 people of ten departments, a
// minute apart.
func indexMails(b *testing.B, s *Store, mails []testMail) (IndexStats, ExtractStats) {
	w, err := s.IndexWriter(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	day := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for n, m := range mails {
		w.Add(&mail.Message{MessageID: fmt.Sprintf("%d@bench", n), Date: day.Add(time.Duration(n) * time.Minute),
			From: mail.Address{Addr: fmt.Sprintf("s%d@dept%d.example", n%50, n%10)}, Subject: m.Subject, Text: m.Body})
	}
	st, err := w.Close()
	if err != nil {
		b.Fatal(err)
	}
	if st.Indexed != len(mails) {
		b.Fatalf("indexed %d of %d", st.Indexed, len(mails))
	}
	return st, w.CacheStats()
}

// BenchmarkRecommendFromIndex100k times what misend terms recommend does
// with the term index of 100,000 mails of the test week (indexed once,
// untimed): read it into per-scope corpora and run one round for two
// scopes.
func BenchmarkRecommendFromIndex100k(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	indexMails(b, s, shortMails(100_000))
	scopeA, org := DepartmentScope("dept0"), Scope(Organization)
	lists := map[Scope][]Term{
		scopeA: {{Scope: scopeA, Text: "A-ORIGINAL-FRAMEWORK", Weight: 0.83}, {Scope: scopeA, Text: "厳秘", Weight: 0.5}},
		org:    {{Scope: org, Text: "厳秘", Weight: 0.5}, {Scope: org, Text: "取り扱い", Weight: 0.481}},
	}
	q := IndexQuery{Lists: map[Scope][]string{}, Belongs: func(sc Scope, sender string) bool {
		return sc == org || strings.HasSuffix(sender, "@dept0.example")
	}}
	for sc, l := range lists {
		for _, t := range l {
			q.Lists[sc] = append(q.Lists[sc], t.Text)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		corpora, err := s.IndexedCorpora(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		for sc, l := range lists {
			if res := Recommend(corpora[sc], l, DefaultParams, NewThesaurus(BuiltinGroups())); len(res.Recommended) == 0 {
				b.Fatalf("%s: nothing recommended", sc)
			}
		}
		if got := corpora[org].Len(); got != 100_000 {
			b.Fatalf("organisation corpus has %d mails", got)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MiB-heap-after")
	}
}

// BenchmarkIndexRealMail indexes the mail under $MISEND_BENCH_MAIL (files,
// Maildirs or mboxes, e.g. the unpacked Enron sent mail or misend synth
// output; parsed beforehand, untimed) with the IndexWriter into a fresh
// database per op, as misend import --index-terms does after parsing.
func BenchmarkIndexRealMail(b *testing.B) {
	root := os.Getenv("MISEND_BENCH_MAIL")
	if root == "" {
		b.Skip("set MISEND_BENCH_MAIL to mail files or directories")
	}
	var msgs []*mail.Message
	size := 0
	if _, err := ingest.Walk(context.Background(), filepath.SplitList(root), ingest.Options{}, func(_ string, m *mail.Message) error {
		msgs = append(msgs, m)
		size += len(m.Subject) + len(m.Text)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	if _, err := loadTokenizer(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	peak := watchHeap()
	for b.Loop() {
		s := benchStore(b)
		w, err := s.IndexWriter(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for _, m := range msgs {
			w.Add(m)
		}
		st, err := w.Close()
		if err != nil {
			b.Fatal(err)
		}
		cs := w.CacheStats()
		b.ReportMetric(float64(st.Indexed)/time.Since(start).Seconds(), "index-msgs/s")
		b.ReportMetric(cs.HitRate(), "hit-rate")
		b.ReportMetric(float64(cs.Tokenized)/float64(size), "kagome-fraction")
		b.Logf("%d messages, %.1f MB of subject and body: %+v", len(msgs), float64(size)/1e6, cs)
	}
	b.ReportMetric(float64(peak())/(1<<20), "MiB-heap-peak")
}
