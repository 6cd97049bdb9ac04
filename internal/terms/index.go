package terms

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
)

// The term index lets `misend terms recommend` work from the imported
// history instead of re-reading mailboxes. It is opt-in (misend import
// --index-terms) because tokenising Japanese is the expensive step of
// recommendation: the default import stays as fast as the behaviour model
// allows. It keeps per message what Recommend reads and nothing more — the
// set of candidate terms of the sender's own text, the sender's address and
// the day — so a message's text cannot be read back from it (see
// migrations/002_index.sql). Person names are left out unless the operator
// sets IndexPersonNamesKey. misend terms index --prune-before deletes old
// entries, and the vocabulary only they used.
//
// A list term is found in an indexed message when it occurs inside one of
// the message's terms (取り扱い inside 取り扱い, 秘密 inside 秘密資料, with the
// matcher's word boundaries for ASCII). Matching the raw text finds a little
// more: a list term spanning a particle (取り扱いに注意) or made of words the
// tokenizer does not keep as nouns. Lists are made of nouns in practice; use
// --mail when they are not.

// IndexPersonNamesKey is the terms setting ("true" or "false", default
// false) that lets the index keep person names. Recommendation drops them
// unless the operator asks otherwise, so by default the index does not
// store the names of people that mail mentions.
const IndexPersonNamesKey = "index.person_names"

// indexBatch is how many messages go into one transaction. Message keys
// are hashes, so a batch's rows land all over the table: each commit
// rewrites most of its leaf pages, and bigger batches write them fewer
// times (a year of mail: 1000 per batch spent a quarter of the import in
// WAL writes). A batch takes a fraction of a second to write, well inside
// other writers' busy timeout.
const indexBatch = 8192

// IndexStats says what an IndexWriter did.
type IndexStats struct {
	Indexed  int // messages newly indexed
	Known    int // messages already in the index (by message key)
	NewWords int
}

// IndexWriter tokenises messages on every core and writes their term sets to
// the index in batches, in the order they were added: word ids and rows are
// the same whatever the number of workers. Add may be called from one
// goroutine at a time; Close must be called to flush.
type IndexWriter struct {
	db          *sql.DB
	keepPersons bool
	ctx         context.Context // stops Add
	// dbctx outlives ctx: what was tokenised before an interrupt is still
	// written, and the rest is indexed by the next import.
	dbctx context.Context
	known map[uint64]bool // keys indexed before or handed to the workers
	x     *Extractor

	pipe  *ordered[indexJob, indexDoc]
	words map[string]int64 // word ids known to be committed
	batch []indexDoc

	mu    sync.Mutex
	err   error
	stats IndexStats
}

type indexJob struct {
	key         uint64
	sender, day string
	parts       []string
}

type indexDoc struct {
	key            uint64
	sender, day    string
	terms, persons []string
	err            error
}

// IndexWriter starts writing to the term index.
func (s *Store) IndexWriter(ctx context.Context) (*IndexWriter, error) {
	return s.IndexWriterWith(ctx, BuildOptions{})
}

// IndexWriterWith is IndexWriter with a number of workers and a cache size.
func (s *Store) IndexWriterWith(ctx context.Context, opt BuildOptions) (*IndexWriter, error) {
	cache := opt.CacheBytes
	if cache == 0 {
		cache = DefaultCacheBytes
	}
	w := &IndexWriter{db: s.db.DB, ctx: ctx, dbctx: context.WithoutCancel(ctx), known: map[uint64]bool{},
		x: NewExtractor(cache), words: map[string]int64{}}
	keep, err := s.Setting(ctx, IndexPersonNamesKey, "false")
	if err != nil {
		return nil, err
	}
	w.keepPersons = keep == "true"
	rows, err := s.db.QueryContext(ctx, `SELECT msg_key FROM terms_index_docs`)
	if err != nil {
		return nil, fmt.Errorf("term index: %w", err)
	}
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, fmt.Errorf("term index: %w", err)
		}
		w.known[uint64(k)] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("term index: %w", err)
	}
	if _, err := loadTokenizer(); err != nil {
		return nil, err
	}
	w.pipe = startOrdered(opt.Workers, w.extract, w.collect)
	return w, nil
}

// Add queues msg for indexing unless it is indexed already. It copies what
// it needs, so msg may be reused once Add returns. It blocks while the
// workers are behind, which paces the caller's reading.
func (w *IndexWriter) Add(msg *mail.Message) {
	key := model.MessageKey(msg)
	if w.known[key] || w.failed() {
		if w.known[key] {
			w.mu.Lock()
			w.stats.Known++
			w.mu.Unlock()
		}
		return
	}
	w.known[key] = true
	j := indexJob{key: key, sender: strings.ToLower(msg.From.Addr), parts: []string{msg.Subject, msg.Text}}
	if !msg.Date.IsZero() {
		j.day = msg.Date.UTC().Format(time.DateOnly)
	}
	for _, a := range msg.Attachments {
		if a.Text != "" {
			j.parts = append(j.parts, a.Text)
		}
	}
	if err := w.pipe.submit(w.ctx, j); err != nil {
		w.fail(err)
	}
}

// Close waits for queued messages to be written and returns what was done.
func (w *IndexWriter) Close() (IndexStats, error) {
	w.pipe.close()
	w.flush()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats, w.err
}

// CacheStats says how much tokenising the cache saved.
func (w *IndexWriter) CacheStats() ExtractStats { return w.x.Stats() }

func (w *IndexWriter) failed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err != nil
}

func (w *IndexWriter) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

// extract runs on the workers.
func (w *IndexWriter) extract(j indexJob) indexDoc {
	if w.failed() {
		return indexDoc{} // drain, so Add never blocks on a dead writer
	}
	terms, persons, _, err := w.x.extractOwn(j.parts)
	if err != nil {
		return indexDoc{err: err}
	}
	if !w.keepPersons && len(persons) > 0 {
		terms = slices.DeleteFunc(terms, func(t string) bool { return slices.Contains(persons, t) })
		persons = nil
	}
	return indexDoc{key: j.key, sender: j.sender, day: j.day, terms: terms, persons: persons}
}

// collect runs on the sink goroutine, in the order messages were added.
func (w *IndexWriter) collect(d indexDoc) {
	if d.err != nil {
		w.fail(d.err)
	}
	if w.failed() {
		return
	}
	w.batch = append(w.batch, d)
	if len(w.batch) == indexBatch {
		w.flush()
	}
}

func (w *IndexWriter) flush() {
	if len(w.batch) > 0 && !w.failed() {
		if err := w.writeBatch(w.batch, w.words); err != nil {
			w.fail(err)
		}
	}
	w.batch = w.batch[:0]
}

// writeBatch stores docs in one transaction. words caches word ids known to
// be in the table; words are inserted with RETURNING so two importers
// writing at once still agree on their ids.
//
// Rows go in many to a statement: a statement per word or message spent
// more time in the driver than in SQLite. New words are inserted in the
// order they are first met, so they get the ids a row per word would give
// them, whatever the batch size.
func (w *IndexWriter) writeBatch(docs []indexDoc, words map[string]int64) error {
	tx, err := w.db.BeginTx(w.dbctx, nil)
	if err != nil {
		return fmt.Errorf("term index: %w", err)
	}
	defer tx.Rollback()

	// Each word to write once: a new one, or a known one to mark as a
	// person name, with the most any message marks it.
	var rows []wordRow
	at := map[string]int{}
	for _, d := range docs {
		for _, t := range d.terms {
			person := slices.Contains(d.persons, t)
			if i, ok := at[t]; ok {
				rows[i].person = rows[i].person || person
				continue
			}
			if _, known := words[t]; !known || person {
				at[t] = len(rows)
				rows = append(rows, wordRow{t, person})
			}
		}
	}
	added := map[string]int64{}
	for chunk := range slices.Chunk(rows, wordsPerInsert) {
		if err := insertWords(w.dbctx, tx, chunk, added); err != nil {
			return err
		}
	}
	newWords := 0
	for _, r := range rows {
		if _, known := words[r.word]; !known {
			if _, ok := added[r.word]; !ok {
				return fmt.Errorf("term index: word %q: no id returned", r.word)
			}
			newWords++
		}
	}

	for chunk := range slices.Chunk(docs, docsPerInsert) {
		args := make([]any, 0, 4*len(chunk))
		for _, d := range chunk {
			ids := make([]int64, 0, len(d.terms))
			for _, t := range d.terms {
				id, ok := words[t]
				if !ok {
					id = added[t]
				}
				ids = append(ids, id)
			}
			args = append(args, int64(d.key), d.sender, d.day, encodeIDs(ids))
		}
		q := `INSERT INTO terms_index_docs (msg_key, sender, day, words) VALUES ` + placeholders(len(chunk), 4) + `
			ON CONFLICT (msg_key) DO NOTHING`
		if _, err := tx.ExecContext(w.dbctx, q, args...); err != nil {
			return fmt.Errorf("term index: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("term index: %w", err)
	}
	// Only committed ids may be cached: a rolled-back batch leaves none.
	for t, id := range added {
		words[t] = id
	}
	w.mu.Lock()
	w.stats.Indexed += len(docs)
	w.stats.NewWords += newWords
	w.mu.Unlock()
	return nil
}

// Rows per INSERT: well inside SQLite's limit of 32766 parameters.
const (
	wordsPerInsert = 500
	docsPerInsert  = 250
)

type wordRow struct {
	word   string
	person bool
}

// insertWords upserts rows in one statement (in their order, so new words
// get ascending ids in that order) and records every row's id in ids.
func insertWords(ctx context.Context, tx *sql.Tx, rows []wordRow, ids map[string]int64) error {
	args := make([]any, 0, 2*len(rows))
	for _, r := range rows {
		args = append(args, r.word, r.person)
	}
	q := `INSERT INTO terms_index_words (word, person) VALUES ` + placeholders(len(rows), 2) + `
		ON CONFLICT (word) DO UPDATE SET person = CASE WHEN excluded.person > terms_index_words.person
			THEN excluded.person ELSE terms_index_words.person END RETURNING id, word`
	res, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("term index: words: %w", err)
	}
	defer res.Close()
	for res.Next() {
		var id int64
		var word string
		if err := res.Scan(&id, &word); err != nil {
			return fmt.Errorf("term index: words: %w", err)
		}
		ids[word] = id
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("term index: words: %w", err)
	}
	return nil
}

// placeholders returns "(?, ?), (?, ?)" for n rows of k columns.
func placeholders(n, k int) string {
	row := "(" + strings.Repeat("?, ", k-1) + "?)"
	return strings.Repeat(row+", ", n-1) + row
}

// encodeIDs writes ids sorted, as uvarint deltas: a message's terms cost
// one or two bytes each.
func encodeIDs(ids []int64) []byte {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	b := make([]byte, 0, len(ids)*2)
	prev := int64(0)
	for _, id := range ids {
		b = binary.AppendUvarint(b, uint64(id-prev))
		prev = id
	}
	return b
}

var errBadIDs = errors.New("corrupt word list")

// decodeIDs reverses encodeIDs, appending to dst.
func decodeIDs(dst []int64, b []byte) ([]int64, error) {
	prev := int64(0)
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 || d > 1<<40 || prev > 1<<50 {
			return dst, errBadIDs
		}
		prev += int64(d)
		dst = append(dst, prev)
		b = b[n:]
	}
	return dst, nil
}

// IndexInfo describes the term index.
type IndexInfo struct {
	Messages int    `json:"messages"`
	Words    int    `json:"words"`
	First    string `json:"first_day,omitempty"`
	Last     string `json:"last_day,omitempty"`
}

// IndexInfo counts what the index holds.
func (s *Store) IndexInfo(ctx context.Context) (IndexInfo, error) {
	var i IndexInfo
	var first, last sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT count(*), min(NULLIF(day, '')), max(day) FROM terms_index_docs`).Scan(&i.Messages, &first, &last); err != nil {
		return i, fmt.Errorf("term index: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM terms_index_words`).Scan(&i.Words); err != nil {
		return i, fmt.Errorf("term index: %w", err)
	}
	i.First, i.Last = first.String, last.String
	return i, nil
}

// PruneIndex deletes indexed messages sent before day (YYYY-MM-DD; "" for
// all of them) and the words no remaining message uses. It returns how many
// messages went.
func (s *Store) PruneIndex(ctx context.Context, before string) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("term index: %w", err)
	}
	defer tx.Rollback()
	var res sql.Result
	if before == "" {
		res, err = tx.ExecContext(ctx, `DELETE FROM terms_index_docs`)
	} else {
		res, err = tx.ExecContext(ctx, `DELETE FROM terms_index_docs WHERE day < ?`, before)
	}
	if err != nil {
		return 0, fmt.Errorf("term index: %w", err)
	}
	n, _ := res.RowsAffected()
	if err := pruneWords(ctx, tx); err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// pruneWords drops words no indexed message refers to, so pruning mail
// also forgets the vocabulary only that mail had.
func pruneWords(ctx context.Context, tx *sql.Tx) error {
	used := map[int64]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT words FROM terms_index_docs`)
	if err != nil {
		return fmt.Errorf("term index: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return fmt.Errorf("term index: %w", err)
		}
		if ids, err = decodeIDs(ids[:0], b); err != nil {
			rows.Close()
			return fmt.Errorf("term index: %w", err)
		}
		for _, id := range ids {
			used[id] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("term index: %w", err)
	}
	if len(used) == 0 {
		_, err := tx.ExecContext(ctx, `DELETE FROM terms_index_words`)
		return err
	}
	rows, err = tx.QueryContext(ctx, `SELECT id FROM terms_index_words`)
	if err != nil {
		return fmt.Errorf("term index: %w", err)
	}
	var unused []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("term index: %w", err)
		}
		if !used[id] {
			unused = append(unused, id)
		}
	}
	rows.Close()
	for _, id := range unused {
		if _, err := tx.ExecContext(ctx, `DELETE FROM terms_index_words WHERE id = ?`, id); err != nil {
			return fmt.Errorf("term index: %w", err)
		}
	}
	return nil
}
