package model

import (
	"bufio"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"

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

// Snapshot format versions. Load reads both and refuses any other with a
// clear error instead of misreading it.
//
// Version 1 (type snapshot) was the whole model as one gob value. Encoding
// it meant building a second copy of the model, and gob holds a whole value
// in memory: a model of 300 MB peaked at twice that while saving.
//
// Version 2 is a stream of gob values: a snapHead, then parts (type part),
// each carrying a piece of one section (string tables, per-address counts,
// organisation counts, people, seen messages, threads), then a part with
// End set. Each part is written to the store as it is produced. Parts hold
// no Go maps: gob sizes a decoded map by the count the stream claims before
// reading any entry, so one damaged count could ask for terabytes, while
// decoded slices grow only as their data arrives.
const (
	wholeVersion    = 1
	snapshotVersion = 2
)

// chunkSize is the size of one snapshot row; a variable so tests can make
// a small model span many rows.
var chunkSize = 1 << 20

// snapHead is the first value of every snapshot. A version 1 snapshot's
// single value decodes into it too (gob skips the fields it lacks), which
// is how the version is told before the rest is read.
type snapHead struct {
	Version    int
	OrgDomains []string
	Counts     snapCounts
}

// snapCounts are the sizes of the big maps, so loading makes them once.
type snapCounts struct {
	People, Seen, ThreadKeys int
}

// part is one value of a version 2 snapshot after the head; only the
// fields of its section are set, and gob leaves the others out.
type part struct {
	Domains, Depts, Names []string
	Addrs                 []string
	AddrDom               []uint32 // with Addrs: each address's domain
	AddrNames             []snapNames
	OrgAddr               []count32 // address → insiders who mailed it
	OrgDom                []count32
	DeptKnown             []count64
	DeptDom               []count64
	CompanyDom            []count64 // company name<<32|domain → messages (absent before it was learned)
	People                []partPerson
	Seen                  []uint64
	Threads               []snapThread // participants and last hour, no keys
	ThreadKeys            []uint64     // Message-ID hashes …
	ThreadOf              []uint32     // … and their thread's position among the Threads
	Sketches              snapSketches // what each address's mail is about (absent before it was learned)
	DocFreq               []count32    // counters of the term document-frequency table that are not zero
	Docs                  int          // with End: messages the table counts
	Latest                uint32
	Learned               int
	End                   bool // the last part: a stream without it was cut short
}

// snapSketches are the term sketches of a part, flat: four slices a part
// rather than two for each of tens of thousands of addresses, which
// loading would allocate and drop.
type snapSketches struct {
	IDs    []uint32
	Sizes  []uint8  // terms of each sketch, in order, in …
	Terms  []uint32 // … these
	Counts []uint16 // and their counts
}

// countOf is one entry of a map of counts.
type countOf[K uint32 | uint64] struct {
	K K
	N uint32
}

type (
	count32 = countOf[uint32]
	count64 = countOf[uint64]
)

type snapNames struct {
	ID    uint32
	Names []snapName
}

type partPerson struct {
	ID       uint32
	Dept     uint32
	Contacts []snapContact
	Domains  []snapContact
	Pairs    []count64
	Days     []count32
	Hours    [24]uint32
	SentV    float32
	SentAt   uint32
	FirstsV  float32
	FirstsAt uint32
	Attach   []count32 // outside domain → attachment kinds sent (absent before they were learned)
}

// snapshot is the version 1 format: the whole model in one gob value.
// Only read, from databases saved before version 2.
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
	Keys   []uint64 // version 1 only; version 2 has part.ThreadKeys
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
	// The position is taken before the state: what is encoded reaches at
	// least this far, and entries learned twice are told apart by key.
	if _, err := tx.ExecContext(ctx, `DELETE FROM model_position`); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO model_position (id, journal) VALUES (1, ?)`, m.JournalPosition()); err != nil {
		return fmt.Errorf("save model: %w", err)
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
	var rows *sql.Rows
	defer func() {
		if rows != nil {
			rows.Close()
		}
	}()
	// A version 1 snapshot is read twice (see decode): each read is a
	// query of its own.
	open := func() (io.Reader, error) {
		if rows != nil {
			rows.Close()
		}
		var err error
		rows, err = db.QueryContext(ctx, `SELECT data FROM model_snapshot ORDER BY seq`)
		if err != nil {
			return nil, err
		}
		return bufio.NewReaderSize(&chunkReader{rows: rows}, chunkSize), nil
	}
	m, err := decode(open, cfg)
	if errors.Is(err, errEmpty) {
		return New(cfg), nil
	}
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	pos, err := SavedJournalPosition(ctx, db)
	if err != nil {
		return nil, err
	}
	m.journal = pos
	return m, nil
}

// SavedJournalPosition is how far into the shared journal the stored
// snapshot reaches; 0 when none was saved or it predates the journal. The
// model's tables must exist (Migrate): replicas ask every second.
func SavedJournalPosition(ctx context.Context, db *store.DB) (int64, error) {
	var pos int64
	err := db.QueryRowContext(ctx, `SELECT journal FROM model_position WHERE id = 1`).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("saved journal position: %w", err)
	}
	return pos, nil
}

// JournalPosition is how far into the shared journal the model has learned.
func (m *Model) JournalPosition() int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.journal
}

// SetJournalPosition records that every journal entry up to pos has been
// learned. It never moves back.
func (m *Model) SetJournalPosition(pos int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.journal = max(m.journal, pos)
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

// Reload replaces what m learned with the stored snapshot, keeping m's
// configuration: for a serve replica that fell so far behind the shared
// journal that entries it missed were pruned. Everyone holding m sees the
// reloaded state.
func (m *Model) Reload(ctx context.Context, db *store.DB) error {
	m.mu.RLock()
	cfg := m.cfg
	m.mu.RUnlock()
	o, err := Load(ctx, db, cfg)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg, m.hlHours, m.own = o.cfg, o.hlHours, o.own
	m.addrs, m.domains, m.depts, m.names, m.addrDom = o.addrs, o.domains, o.depts, o.names, o.addrDom
	m.addrLast, m.comm, m.commAt = o.addrLast, o.comm, o.commAt
	m.people, m.addrNm = o.people, o.addrNm
	m.orgAddr, m.orgDom, m.deptKn, m.deptDom = o.orgAddr, o.orgDom, o.deptKn, o.deptDom
	m.compDom, m.compTop = o.compDom, o.compTop
	m.seen, m.threads = o.seen, o.threads
	m.sketches, m.slab, m.dfs, m.docs = o.sketches, o.slab, o.dfs, o.docs
	m.latest, m.journal, m.learned, m.dups, m.popular = o.latest, o.journal, o.learned, o.dups, o.popular
	m.gen++
	return nil
}
