package model

import (
	"bufio"
	"compress/gzip"
	"context"
	"database/sql"
	"embed"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"

	"github.com/misend/misend/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or updates the model's tables.
func Migrate(ctx context.Context, db *store.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("model migrations: %w", err)
	}
	return db.Migrate(ctx, "model", sub)
}

// snapshotVersion changes whenever the snapshot layout does; Load refuses
// other versions with a clear error instead of misreading them.
const snapshotVersion = 1

// chunkSize is the size of one snapshot row; a variable so tests can make
// a small model span many rows.
var chunkSize = 1 << 20

// snapshot is the model in a gob-friendly shape: exported fields, flat slices.
type snapshot struct {
	Version    int
	OrgDomains []string
	Addrs      []string
	AddrDom    []uint32
	Domains    []string
	Depts      []string
	Names      []string
	People     []snapPerson
	AddrNames  map[uint32][]snapName
	OrgAddr    map[uint32]uint32
	OrgDom     map[uint32]uint32
	DeptKnown  map[uint64]uint32
	DeptDom    map[uint64]uint32
	Seen       []uint64
	Threads    []snapThread
	Latest     uint32
	Learned    int
}

type snapPerson struct {
	ID       uint32
	Dept     uint32
	Contacts []snapContact
	Domains  []snapContact
	Pairs    map[uint64]uint32
	Hours    [24]uint32
	Days     map[uint32]uint16
	SentV    float32
	SentAt   uint32
	FirstsV  float32
	FirstsAt uint32
}

type snapContact struct {
	ID             uint32
	SentV, RecvV   float32
	SentAt, RecvAt uint32
	First, Last    uint32
}

type snapName struct{ Name, N uint32 }

type snapThread struct {
	Keys   []uint64
	People []uint32
	Last   uint32
}

// Save replaces the stored snapshot with the model's current state in one
// transaction: a reader sees the old model or the new one, never a mix.
func (m *Model) Save(ctx context.Context, db *store.DB) error {
	if err := Migrate(ctx, db); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM model_snapshot`); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM model_org_domains`); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	for _, d := range m.own {
		if _, err := tx.ExecContext(ctx, `INSERT INTO model_org_domains (domain) VALUES (?) ON CONFLICT DO NOTHING`, d); err != nil {
			return fmt.Errorf("save model: %w", err)
		}
	}
	cw := &chunkWriter{ctx: ctx, tx: tx}
	bw := bufio.NewWriterSize(cw, chunkSize)
	if err := m.Encode(bw); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	return nil
}

// StoredOrgDomains returns the organisation domains of the saved model,
// sorted; none when no model was saved.
func StoredOrgDomains(ctx context.Context, db *store.DB) ([]string, error) {
	if err := Migrate(ctx, db); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT domain FROM model_org_domains ORDER BY domain`)
	if err != nil {
		return nil, fmt.Errorf("stored organisation domains: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("stored organisation domains: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

type chunkWriter struct {
	ctx context.Context
	tx  *sql.Tx
	seq int
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO model_snapshot (seq, data) VALUES (?, ?)`, w.seq, p); err != nil {
		return 0, fmt.Errorf("chunk %d: %w", w.seq, err)
	}
	w.seq++
	return len(p), nil
}

// Load reads the stored model; with none stored it returns an empty model.
// Organisation domains saved with the model are added to cfg's.
func Load(ctx context.Context, db *store.DB, cfg Config) (*Model, error) {
	if err := Migrate(ctx, db); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT data FROM model_snapshot ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	defer rows.Close()
	r := &chunkReader{rows: rows}
	m, err := Decode(bufio.NewReaderSize(r, chunkSize), cfg)
	if errors.Is(err, errEmpty) {
		return New(cfg), nil
	}
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	return m, nil
}

type chunkReader struct {
	rows *sql.Rows
	buf  []byte
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if !r.rows.Next() {
			if err := r.rows.Err(); err != nil {
				return 0, err
			}
			return 0, io.EOF
		}
		if err := r.rows.Scan(&r.buf); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

var errEmpty = errors.New("no model stored")

// Encode writes the model as a gzip-compressed gob snapshot.
func (m *Model) Encode(w io.Writer) error {
	m.mu.RLock()
	s := m.snapshot()
	m.mu.RUnlock()
	zw := gzip.NewWriter(w)
	if err := gob.NewEncoder(zw).Encode(s); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return zw.Close()
}

// Decode reads a snapshot written by Encode into a new model set up by cfg.
func Decode(r io.Reader, cfg Config) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if errors.Is(err, io.EOF) {
		return nil, errEmpty
	}
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	var s snapshot
	if err := gob.NewDecoder(zr).Decode(&s); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if s.Version != snapshotVersion {
		return nil, fmt.Errorf("decode: snapshot version %d, this build reads %d", s.Version, snapshotVersion)
	}
	for _, d := range s.OrgDomains {
		if !slices.Contains(cfg.OrgDomains, d) {
			cfg.OrgDomains = append(cfg.OrgDomains, d)
		}
	}
	m := New(cfg)
	if err := m.restore(&s); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return m, nil
}

func (m *Model) snapshot() *snapshot {
	s := &snapshot{
		Version: snapshotVersion, OrgDomains: m.own,
		Addrs: m.addrs.str, AddrDom: m.addrDom, Domains: m.domains.str, Depts: m.depts.str, Names: m.names.str,
		AddrNames: map[uint32][]snapName{}, OrgAddr: m.orgAddr, OrgDom: m.orgDom, DeptKnown: m.deptKn, DeptDom: m.deptDom,
		Latest: m.latest, Learned: m.learned,
	}
	for id, l := range m.addrNm {
		sl := make([]snapName, len(l))
		for i, n := range l {
			sl[i] = snapName{n.name, n.n}
		}
		s.AddrNames[id] = sl
	}
	for id, p := range m.people {
		sp := snapPerson{ID: id, Dept: p.dept, Pairs: p.pairs, Hours: p.hours, Days: p.days, SentV: p.sent.v, SentAt: p.sent.at, FirstsV: p.firsts.v, FirstsAt: p.firsts.at}
		sp.Contacts = snapContacts(p.contacts)
		sp.Domains = snapContacts(p.domains)
		s.People = append(s.People, sp)
	}
	s.Seen = make([]uint64, 0, len(m.seen))
	for k := range m.seen {
		s.Seen = append(s.Seen, k)
	}
	byThread := map[*thread]int{}
	for k, t := range m.threads.byMsg {
		i, ok := byThread[t]
		if !ok {
			i = len(s.Threads)
			byThread[t] = i
			s.Threads = append(s.Threads, snapThread{People: t.people, Last: t.last})
		}
		s.Threads[i].Keys = append(s.Threads[i].Keys, k)
	}
	return s
}

func snapContacts(cs map[uint32]contact) []snapContact {
	out := make([]snapContact, 0, len(cs))
	for id, c := range cs {
		out = append(out, snapContact{ID: id, SentV: c.sent.v, SentAt: c.sent.at, RecvV: c.recv.v, RecvAt: c.recv.at, First: c.first, Last: c.last})
	}
	return out
}

// restore fills an empty model from s, checking every id so a damaged
// snapshot is an error, not an index panic later.
func (m *Model) restore(s *snapshot) error {
	if len(s.AddrDom) != len(s.Addrs) {
		return errors.New("address table damaged")
	}
	for _, d := range s.AddrDom {
		if int(d) >= len(s.Domains) {
			return errors.New("address domain out of range")
		}
	}
	for _, str := range s.Addrs {
		m.addrs.id(str)
	}
	m.addrDom = s.AddrDom
	for _, str := range s.Domains {
		m.domains.id(str)
	}
	for _, str := range s.Depts {
		m.depts.id(str)
	}
	for _, str := range s.Names {
		m.names.id(str)
	}
	if len(m.addrs.str) != len(s.Addrs) || len(m.domains.str) != len(s.Domains) || len(m.names.str) != len(s.Names) || len(m.depts.str) != len(s.Depts) {
		return errors.New("duplicate entries in string tables")
	}
	nAddr := uint32(len(s.Addrs))
	for id, l := range s.AddrNames {
		if id >= nAddr {
			return errors.New("name owner out of range")
		}
		nl := make([]nameCount, 0, len(l))
		for _, n := range l {
			if int(n.Name) >= len(s.Names) {
				return errors.New("name out of range")
			}
			nl = append(nl, nameCount{n.Name, n.N})
		}
		m.addrNm[id] = nl
	}
	if s.OrgAddr != nil {
		m.orgAddr = s.OrgAddr
	}
	if s.OrgDom != nil {
		m.orgDom = s.OrgDom
	}
	if s.DeptKnown != nil {
		m.deptKn = s.DeptKnown
	}
	if s.DeptDom != nil {
		m.deptDom = s.DeptDom
	}
	for _, sp := range s.People {
		if sp.ID >= nAddr || int(sp.Dept) > len(s.Depts) {
			return errors.New("person out of range")
		}
		p := &person{dept: sp.Dept, contacts: map[uint32]contact{}, domains: map[uint32]contact{}, pairs: sp.Pairs, hours: sp.Hours, days: sp.Days, sent: counter{sp.SentV, sp.SentAt}, firsts: counter{sp.FirstsV, sp.FirstsAt}}
		if p.pairs == nil {
			p.pairs = map[uint64]uint32{}
		}
		if p.days == nil {
			p.days = map[uint32]uint16{}
		}
		for _, c := range sp.Contacts {
			if c.ID >= nAddr {
				return errors.New("contact out of range")
			}
			p.contacts[c.ID] = contact{counter{c.SentV, c.SentAt}, counter{c.RecvV, c.RecvAt}, c.First, c.Last}
		}
		for _, c := range sp.Domains {
			if int(c.ID) >= len(s.Domains) {
				return errors.New("domain out of range")
			}
			p.domains[c.ID] = contact{counter{c.SentV, c.SentAt}, counter{c.RecvV, c.RecvAt}, c.First, c.Last}
		}
		m.people[sp.ID] = p
	}
	for _, k := range s.Seen {
		m.seen[k] = struct{}{}
	}
	for _, st := range s.Threads {
		for _, id := range st.People {
			if id >= nAddr {
				return errors.New("thread participant out of range")
			}
		}
		t := &thread{people: st.People, last: st.Last}
		for _, k := range st.Keys {
			m.threads.byMsg[k] = t
		}
	}
	m.latest, m.learned = s.Latest, s.Learned
	return nil
}
