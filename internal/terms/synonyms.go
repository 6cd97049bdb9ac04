package terms

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/misend/misend/internal/csvfile"
)

//go:embed thesaurus.csv
var builtinThesaurus string

// Thesaurus maps words to groups of words with the same meaning. Within a
// group, order is preference: the first words are offered first (the paper
// ranks by search volume, which an offline system does not have; thesauri
// list the common form first).
type Thesaurus struct {
	groups [][]string
	index  map[string][]int // normalised word → groups holding it
}

// NewThesaurus builds a thesaurus from groups.
func NewThesaurus(groups ...[][]string) *Thesaurus {
	th := &Thesaurus{index: map[string][]int{}}
	for _, gs := range groups {
		for _, g := range gs {
			th.add(g)
		}
	}
	return th
}

func (th *Thesaurus) add(g []string) {
	if len(g) < 2 {
		return
	}
	id := len(th.groups)
	th.groups = append(th.groups, g)
	for _, w := range g {
		n := Normalize(w)
		if l := th.index[n]; len(l) == 0 || l[len(l)-1] != id {
			th.index[n] = append(l, id)
		}
	}
}

// Synonyms returns up to k synonyms of word, skipping words in exclude
// (normalised) and word itself.
func (th *Thesaurus) Synonyms(word string, k int, exclude map[string]bool) []string {
	if th == nil {
		return nil
	}
	n := Normalize(word)
	var out []string
	seen := map[string]bool{n: true}
	for _, gi := range th.index[n] {
		for _, w := range th.groups[gi] {
			wn := Normalize(w)
			if len(out) >= k {
				return out
			}
			if seen[wn] || exclude[wn] {
				continue
			}
			seen[wn] = true
			out = append(out, w)
		}
	}
	return out
}

// BuiltinGroups returns the embedded business thesaurus.
func BuiltinGroups() [][]string {
	g, err := ParseGroupsCSV(strings.NewReader(builtinThesaurus))
	if err != nil {
		panic("built-in thesaurus: " + err.Error()) // a build defect, caught by tests
	}
	return g
}

// Limits for imported thesauri.
const (
	maxSynonymLine  = 4096
	maxSynonymWords = 2_000_000
)

// ParseGroupsCSV reads one synonym group per line, words separated by
// commas; blank lines and lines starting with '#' are skipped. The file may
// be UTF-8, Shift_JIS or UTF-16 with a byte order mark (csvfile): a word
// list kept in Excel is saved in either of the first two.
func ParseGroupsCSV(r io.Reader) ([][]string, error) {
	sc := bufio.NewScanner(csvfile.Decode(r))
	sc.Buffer(make([]byte, 0, 4096), maxSynonymLine)
	var groups [][]string
	words := 0
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		var g []string
		for _, w := range strings.Split(s, ",") {
			if w = strings.TrimSpace(w); w != "" {
				g = append(g, w)
			}
		}
		if len(g) < 2 {
			return nil, fmt.Errorf("line %d: a group needs at least two words", line)
		}
		if words += len(g); words > maxSynonymWords {
			return nil, fmt.Errorf("line %d: more than %d words", line, maxSynonymWords)
		}
		groups = append(groups, g)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read synonyms: %w", err)
	}
	return groups, nil
}

// ParseSudachi reads SudachiDict's synonyms.txt: blank-line separated
// groups of lines "group,kind,expansion,lexeme,relation,abbrev,variant,
// (field),word,,". Entries whose expansion flag is 2 ("never expand": mostly
// misspellings) are left out; the rest keep the file's order, which puts
// each lexeme's representative form first.
func ParseSudachi(r io.Reader) ([][]string, error) {
	sc := bufio.NewScanner(csvfile.Decode(r))
	sc.Buffer(make([]byte, 0, 4096), maxSynonymLine)
	var groups [][]string
	var cur []string
	curID := ""
	words := 0
	end := func() {
		if len(cur) >= 2 {
			groups = append(groups, cur)
		}
		cur, curID = nil, ""
	}
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			end()
			continue
		}
		f := strings.Split(s, ",")
		if len(f) < 9 {
			return nil, fmt.Errorf("line %d: %d fields, want at least 9 (SudachiDict synonyms format)", line, len(f))
		}
		if _, err := strconv.Atoi(f[0]); err != nil {
			return nil, fmt.Errorf("line %d: group id %q is not a number", line, f[0])
		}
		if curID != "" && f[0] != curID {
			end()
		}
		curID = f[0]
		if f[2] == "2" {
			continue
		}
		w := strings.TrimSpace(f[8])
		if w == "" {
			return nil, fmt.Errorf("line %d: empty word", line)
		}
		if words++; words > maxSynonymWords {
			return nil, fmt.Errorf("line %d: more than %d words", line, maxSynonymWords)
		}
		cur = append(cur, w)
	}
	end()
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read synonyms: %w", err)
	}
	if len(groups) == 0 {
		return nil, errors.New("no synonym groups found")
	}
	return groups, nil
}

// ImportSynonyms replaces the thesaurus named source with groups.
func (s *Store) ImportSynonyms(ctx context.Context, source string, groups [][]string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("import synonyms: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM terms_synonyms WHERE source = ?`, source); err != nil {
		return fmt.Errorf("import synonyms: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO terms_synonyms (source, grp, ord, word, norm) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("import synonyms: %w", err)
	}
	defer stmt.Close()
	for gi, g := range groups {
		for i, w := range g {
			if _, err := stmt.ExecContext(ctx, source, strconv.Itoa(gi), i, w, Normalize(w)); err != nil {
				return fmt.Errorf("import synonyms: %w", err)
			}
		}
	}
	return tx.Commit()
}

// Thesaurus returns the built-in thesaurus followed by every imported one.
func (s *Store) Thesaurus(ctx context.Context) (*Thesaurus, error) {
	th := NewThesaurus(BuiltinGroups())
	rows, err := s.db.QueryContext(ctx, `SELECT source, grp, word FROM terms_synonyms ORDER BY source, CAST(grp AS INTEGER), ord`)
	if err != nil {
		return nil, fmt.Errorf("load synonyms: %w", err)
	}
	defer rows.Close()
	var cur []string
	curKey := ""
	for rows.Next() {
		var src, grp, w string
		if err := rows.Scan(&src, &grp, &w); err != nil {
			return nil, fmt.Errorf("load synonyms: %w", err)
		}
		if k := src + "\x00" + grp; k != curKey {
			th.add(cur)
			cur, curKey = nil, k
		}
		cur = append(cur, w)
	}
	th.add(cur)
	return th, rows.Err()
}

// LooksLikeSudachi tells whether the start of a file is in SudachiDict's
// synonyms format (a numeric group id, then at least eight more fields).
func LooksLikeSudachi(head []byte) bool {
	line, _, _ := strings.Cut(strings.TrimLeft(string(head), "\ufeff\r\n"), "\n")
	f := strings.Split(line, ",")
	if len(f) < 9 {
		return false
	}
	_, err := strconv.Atoi(f[0])
	return err == nil
}
