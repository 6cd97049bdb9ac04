package model

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/gob"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

// fixtureModel is a small model with something in every part of a
// snapshot: two departments, insiders and outsiders, display names,
// co-recipients, replies in threads and messages without Message-ID.
func fixtureModel() *Model { return fixture(true) }

// fixtureModelV1 is fixtureModel as the first snapshot format held it,
// before company names were learned.
// fixtureModelV1 is the fixture as that version learned it: subjects did
// not thread mail then, and an address counted as known to the
// organisation only once an insider had mailed it.
func fixtureModelV1() *Model {
	m := fixtureLearning(false, func(m *Model, x *mail.Message) {
		o := m.Observe(x)
		o.Topic = 0
		m.LearnObservation(&o)
	})
	m.orgAddr, m.deptKn = map[uint32]uint32{}, map[uint64]uint32{}
	m.sketches, m.dfs, m.docs = map[uint32]*sketch{}, nil, 0 // words were not read then
	for _, p := range m.people {
		for r, c := range p.contacts {
			if c.sent.at != 0 {
				m.orgAddr[r]++
				if p.dept != 0 {
					m.deptKn[uint64(p.dept)<<32|uint64(r)]++
				}
			}
		}
	}
	return m
}

func fixture(companies bool) *Model {
	return fixtureLearning(companies, func(m *Model, x *mail.Message) { m.Learn(x) })
}

// fixtureLearning builds the fixture with learn teaching each message.
func fixtureLearning(companies bool, learn func(*Model, *mail.Message)) *Model {
	depts := func(a string) string {
		return map[string]string{"a@corp.example": "sales", "b@corp.example": "sales", "c@corp.example": "legal"}[a]
	}
	// Openings name one of three companies, whichever the subject says:
	// each partner domain is addressed by several names, most by one.
	addressed := func(x *mail.Message) []string {
		if x.Subject == "" {
			return nil
		}
		return []string{fmt.Sprint("会社", x.Subject[len(x.Subject)-1]%3)}
	}
	if !companies {
		addressed = nil
	}
	m := New(Config{OrgDomains: []string{"corp.example"}, Department: depts, Addressed: addressed})
	start := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	insiders := []string{"a@corp.example", "b@corp.example", "c@corp.example"}
	for i := range 600 {
		from := insiders[i%3]
		x := &mail.Message{
			MessageID: fmt.Sprintf("m%d@corp.example", i),
			Date:      start.Add(time.Duration(i) * 97 * time.Minute),
			From:      mail.Address{Name: "Sender " + from[:1], Addr: from},
			Subject:   fmt.Sprint("subject ", i%7),
			Text:      fmt.Sprintf("About project%d, item%d and 見積書%d.", i%5, i%29, i%3),
			To: []mail.Address{
				{Name: fmt.Sprint("Partner ", i%40), Addr: fmt.Sprintf("p%d@partner%d.example", i%40, i%9)},
				{Addr: insiders[(i+1)%3]},
			},
		}
		if i%5 == 0 {
			x.Cc = []mail.Address{{Name: "Team", Addr: fmt.Sprintf("team%d@corp.example", i%4)}}
		}
		if i%3 != 0 && i > 2 {
			x.InReplyTo = fmt.Sprintf("m%d@corp.example", i-3)
			x.References = []string{fmt.Sprintf("m%d@corp.example", i-3)}
		}
		if i%11 == 0 {
			x.MessageID = "" // keyed by sender, date, subject, recipients
		}
		learn(m, x)
		if i%13 == 0 { // a reply from outside
			learn(m, &mail.Message{
				MessageID: fmt.Sprintf("r%d@partner.example", i), InReplyTo: fmt.Sprintf("m%d@corp.example", i),
				Date: x.Date.Add(time.Hour), From: x.To[0], To: []mail.Address{x.From},
			})
		}
	}
	return m
}

// sameState fails t unless a and b hold the same learned state, compared
// field by field, and b's threads are shared between their messages as a's
// are.
func sameState(t *testing.T, a, b *Model) {
	t.Helper()
	eq := func(what string, x, y any) {
		t.Helper()
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s differs after loading", what)
		}
	}
	eq("addresses", a.addrs.str, b.addrs.str)
	eq("address domains", a.addrDom, b.addrDom)
	eq("address hours", a.addrLast, b.addrLast)
	eq("domains", a.domains.str, b.domains.str)
	eq("departments", a.depts.str, b.depts.str)
	eq("names", a.names.str, b.names.str)
	eq("display names", a.addrNm, b.addrNm)
	// Pair tables hold the same counts whether or not their new keys were
	// merged yet: compare them merged.
	for _, m := range []*Model{a, b} {
		for _, p := range m.people {
			p.pairs.merge()
		}
	}
	eq("people", a.people, b.people)
	eq("insiders per address", a.orgAddr, b.orgAddr)
	eq("insiders per domain", a.orgDom, b.orgDom)
	eq("department addresses", a.deptKn, b.deptKn)
	eq("department domains", a.deptDom, b.deptDom)
	eq("company names", a.compDom, b.compDom)
	eq("company domains", a.compTop, b.compTop)
	eq("term sketches", a.sketches, b.sketches)
	eq("term frequencies", a.dfs, b.dfs)
	eq("messages with terms", a.docs, b.docs)
	eq("seen", a.seen, b.seen)
	eq("threads", a.threads.byMsg, b.threads.byMsg)
	eq("latest", a.latest, b.latest)
	eq("learned", a.learned, b.learned)
	distinct := func(m *Model) int {
		s := map[*thread]bool{}
		for _, t := range m.threads.byMsg {
			s[t] = true
		}
		return len(s)
	}
	if x, y := distinct(a), distinct(b); x != y {
		t.Errorf("%d threads after loading, %d before", y, x)
	}
}

func smallParts(t *testing.T, entries, row int) {
	pe, cs := partEntries, chunkSize
	t.Cleanup(func() { partEntries, chunkSize = pe, cs })
	partEntries, chunkSize = entries, row
}

// TestSaveLoadParts saves a model in many small parts and rows and loads
// the same state back.
func TestSaveLoadParts(t *testing.T) {
	smallParts(t, 7, 512)
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := fixtureModel()
	if len(m.sketches) < 10 {
		t.Fatalf("fixture made %d term sketches: too few to test", len(m.sketches))
	}
	if len(m.compDom) < 2*len(m.compTop) {
		t.Fatalf("fixture learned %d company names at %d domains: too few to test", len(m.compTop), len(m.compDom))
	}
	if err := m.Save(ctx, db); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := db.QueryRow("SELECT count(*) FROM model_snapshot").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows < 10 {
		t.Errorf("%d rows; the test wants many", rows)
	}
	l, err := Load(ctx, db, Config{})
	if err != nil {
		t.Fatal(err)
	}
	sameState(t, m, l)
	// Saving the loaded model again gives the same state once more.
	if err := l.Save(ctx, db); err != nil {
		t.Fatal(err)
	}
	l2, err := Load(ctx, db, Config{})
	if err != nil {
		t.Fatal(err)
	}
	sameState(t, m, l2)
}

// TestDecodeVersion1 reads a snapshot written by the format before
// streaming (testdata/snapshot-v1.gz, encoded from fixtureModel by that
// version's code), as databases saved before it hold.
func TestDecodeVersion1(t *testing.T) {
	b, err := os.ReadFile("testdata/snapshot-v1.gz")
	if err != nil {
		t.Fatal(err)
	}
	l, err := Decode(bytes.NewReader(b), Config{})
	if err != nil {
		t.Fatal(err)
	}
	sameState(t, fixtureModelV1(), l)
	// Saved again, it is in the current format.
	var buf bytes.Buffer
	if err := l.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	if v := firstVersion(t, buf.Bytes()); v != snapshotVersion {
		t.Errorf("re-encoded as version %d", v)
	}
}

func firstVersion(t *testing.T, b []byte) int {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var s snapHead
	if err := gob.NewDecoder(zr).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s.Version
}

// encodeParts writes values as a well-formed gzip gob stream.
func encodeParts(t *testing.T, parts ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	enc := gob.NewEncoder(zw)
	for _, p := range parts {
		if err := enc.Encode(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDecodeRefuses covers streams that are well-formed gzip and gob but
// not a whole, consistent model.
func TestDecodeRefuses(t *testing.T) {
	head := &snapHead{Version: snapshotVersion}
	end := &part{End: true}
	for name, tc := range map[string]struct {
		parts []any
		want  string
	}{
		"no end":                {[]any{head, &part{Domains: []string{"x.example"}}}, "unexpected EOF"},
		"header only":           {[]any{head}, "unexpected EOF"},
		"future version":        {[]any{&snapHead{Version: 3}, end}, "version 3"},
		"no version":            {[]any{&part{Domains: []string{"x"}}, end}, "no fields matched"},
		"dangling domain":       {[]any{head, &part{Addrs: []string{"a@x"}, AddrDom: []uint32{0}}, end}, "domain out of range"},
		"dangling thread":       {[]any{head, &part{ThreadKeys: []uint64{1}, ThreadOf: []uint32{0}}, end}, "thread out of range"},
		"keys without threads":  {[]any{head, &part{ThreadKeys: []uint64{1, 2}, ThreadOf: []uint32{0}}, end}, "thread keys damaged"},
		"person before address": {[]any{head, &part{People: []partPerson{{ID: 0}}}, end}, "person out of range"},
		"duplicate address": {[]any{head, &part{Domains: []string{"x"}}, &part{Addrs: []string{"a@x"}, AddrDom: []uint32{0}},
			&part{Addrs: []string{"a@x"}, AddrDom: []uint32{0}}, end}, "duplicate"},
	} {
		_, err := Decode(bytes.NewReader(encodeParts(t, tc.parts...)), Config{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, tc.want)
		}
	}
}

// TestDecodeVersion1Damaged changes one octet of the version 1 fixture at
// a time: the checksum must refuse each before its maps are decoded.
func TestDecodeVersion1Damaged(t *testing.T) {
	b, err := os.ReadFile("testdata/snapshot-v1.gz")
	if err != nil {
		t.Fatal(err)
	}
	for i := 10; i < len(b)-8; i += len(b) / 97 {
		d := bytes.Clone(b)
		d[i] ^= 0x40
		if _, err := Decode(bytes.NewReader(d), Config{}); err == nil {
			t.Errorf("octet %d changed: decoded without error", i)
		}
	}
}

// TestSaveWhileLearning saves while another goroutine learns, as misend
// serve does every few minutes: run with -race. What was learned before the
// save began is in the loaded model, and the loaded model is consistent.
func TestSaveWhileLearning(t *testing.T) {
	smallParts(t, 50, 4096)
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := fixtureModel()
	before := m.Stats().Learned
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Date(2025, 9, 1, 9, 0, 0, 0, time.UTC)
		for i := range 2000 {
			select {
			case <-stop:
				return
			default:
			}
			m.Learn(&mail.Message{
				MessageID: fmt.Sprintf("late%d@corp.example", i), Date: start.Add(time.Duration(i) * time.Minute),
				From: mail.Address{Addr: "a@corp.example"},
				To:   []mail.Address{{Name: fmt.Sprint("New ", i), Addr: fmt.Sprintf("n%d@new%d.example", i, i%50)}, {Addr: "b@corp.example"}},
			})
		}
	}()
	for range 3 {
		if err := m.Save(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	l, err := Load(ctx, db, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Stats().Learned; got < before {
		t.Errorf("loaded %d messages, %d were learned before saving", got, before)
	}
	if !l.Learn(&mail.Message{MessageID: "fresh@corp.example", From: mail.Address{Addr: "a@corp.example"}, To: []mail.Address{{Addr: "z@z.example"}}}) {
		t.Error("a new message was not learned after loading")
	}
	if l.Learn(&mail.Message{MessageID: "m1@corp.example"}) {
		t.Error("a message learned before saving was learned again")
	}
}

// Reload puts the stored snapshot in place of what a model learned, for
// everyone holding the model: the same state Load gives.
func TestReloadInPlace(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	saved := fixtureModel()
	saved.SetJournalPosition(42)
	if err := saved.Save(ctx, db); err != nil {
		t.Fatal(err)
	}
	held := New(saved.cfg) // what a running replica holds, having learned other things
	held.Learn(&mail.Message{MessageID: "other@corp.example", Date: time.Now(), From: mail.Address{Addr: "z@corp.example"},
		To: []mail.Address{{Addr: "q@elsewhere.example"}}})
	if err := held.Reload(ctx, db); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(ctx, db, saved.cfg)
	if err != nil {
		t.Fatal(err)
	}
	sameState(t, loaded, held)
	if held.JournalPosition() != 42 {
		t.Errorf("journal position %d after reload, want 42", held.JournalPosition())
	}
}
