package terms

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// IndexQuery selects the indexed mail of each scope.
type IndexQuery struct {
	// Lists are the terms of each scope to recommend for; a message is
	// confidential for a scope when it contains one of them.
	Lists map[Scope][]string
	// Belongs tells whether a message by sender is mail of scope (the
	// sender's department, group, or the organisation). nil: all mail
	// belongs to every scope.
	Belongs func(scope Scope, sender string) bool
	// Since and Until (YYYY-MM-DD, inclusive) bound the days read; "" is
	// open. Messages without a date are read only when both are "".
	Since, Until string
}

// IndexedCorpora builds a Corpus per scope of q.Lists from the term index,
// ready for Recommend. The corpora share one vocabulary, so many scopes cost
// little more than one; they are for Recommend only (AddDoc would change
// the shared vocabulary under the other scopes).
func (s *Store) IndexedCorpora(ctx context.Context, q IndexQuery) (map[Scope]*Corpus, error) {
	base := &Corpus{ids: map[string]int32{}}
	wordPos := map[int64]int32{}
	rows, err := s.db.QueryContext(ctx, `SELECT id, word, person FROM terms_index_words`)
	if err != nil {
		return nil, fmt.Errorf("term index: %w", err)
	}
	for rows.Next() {
		var id int64
		var word string
		var person bool
		if err := rows.Scan(&id, &word, &person); err != nil {
			rows.Close()
			return nil, fmt.Errorf("term index: %w", err)
		}
		pos := base.intern(word)
		base.person[pos] = base.person[pos] || person
		wordPos[id] = pos
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("term index: %w", err)
	}

	// Every list term of every scope gets a position, and each word the
	// positions of the list terms it contains.
	listSet := map[string]bool{}
	scopeList := map[Scope][]int32{} // sorted positions of the scope's list terms
	for sc, l := range q.Lists {
		for _, t := range l {
			if n := Normalize(t); n != "" {
				listSet[n] = true
				scopeList[sc] = append(scopeList[sc], base.intern(n))
			}
		}
		slices.Sort(scopeList[sc])
		scopeList[sc] = slices.Compact(scopeList[sc])
	}
	listTerms := slices.Sorted(maps.Keys(listSet))
	m := NewMatcher(listTerms)
	contains := map[int32][]int32{} // word position → list-term positions inside it
	for pos, w := range base.names {
		for _, i := range m.Match(Prepare(w)) {
			if lp := base.ids[listTerms[i]]; lp != int32(pos) {
				contains[int32(pos)] = append(contains[int32(pos)], lp)
			}
		}
	}

	out := map[Scope]*Corpus{}
	for sc := range q.Lists {
		out[sc] = &Corpus{ids: base.ids, names: base.names, person: base.person}
	}
	query := `SELECT sender, words FROM terms_index_docs`
	var args []any
	switch {
	case q.Since != "" && q.Until != "":
		query += ` WHERE day >= ? AND day <= ?`
		args = append(args, q.Since, q.Until)
	case q.Since != "":
		query += ` WHERE day >= ?`
		args = append(args, q.Since)
	case q.Until != "":
		query += ` WHERE day <> '' AND day <= ?`
		args = append(args, q.Until)
	}
	rows, err = s.db.QueryContext(ctx, query+` ORDER BY msg_key`, args...)
	if err != nil {
		return nil, fmt.Errorf("term index: %w", err)
	}
	defer rows.Close()
	var ids []int64
	var doc []int32
	for rows.Next() {
		var sender string
		var b []byte
		if err := rows.Scan(&sender, &b); err != nil {
			return nil, fmt.Errorf("term index: %w", err)
		}
		if ids, err = decodeIDs(ids[:0], b); err != nil {
			return nil, fmt.Errorf("term index: message of %s: %w", sender, err)
		}
		doc = doc[:0]
		var hits []int32
		for _, id := range ids {
			pos, ok := wordPos[id]
			if !ok {
				return nil, fmt.Errorf("term index: message of %s refers to unknown word %d", sender, id)
			}
			doc = append(doc, pos)
			hits = append(hits, contains[pos]...)
		}
		for sc, c := range out {
			if q.Belongs != nil && !q.Belongs(sc, sender) {
				continue
			}
			d := slices.Clone(doc)
			for _, h := range hits {
				if _, ok := slices.BinarySearch(scopeList[sc], h); ok {
					d = append(d, h)
				}
			}
			slices.Sort(d)
			c.docs = append(c.docs, slices.Compact(d))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("term index: %w", err)
	}
	return out, nil
}
