package model

import (
	"errors"
	"math"
)

// docFreq writes the document-frequency table of terms (content.go); the
// sketches go with the other per-address parts (perAddress).
func (e *encoder) docFreq() error {
	m := e.m
	// Only counters in use are written: a small organisation's table is
	// nearly all zeros.
	m.mu.RLock()
	var run []count32
	for i, n := range m.dfs {
		if n == 0 {
			continue
		}
		run = append(run, count32{uint32(i), uint32(n)})
		if len(run) == partEntries {
			m.mu.RUnlock()
			if err := e.put(&part{DocFreq: run}); err != nil {
				return err
			}
			run = nil
			m.mu.RLock()
		}
	}
	m.mu.RUnlock()
	if len(run) > 0 {
		return e.put(&part{DocFreq: run})
	}
	return nil
}

// content restores what part s holds of the sketches and the
// document-frequency table; nAddr is the size of the address table so far.
func (rs *restorer) content(s *part, nAddr uint32) error {
	m := rs.m
	k := &s.Sketches
	if len(k.IDs) != len(k.Sizes) || len(k.Terms) != len(k.Counts) {
		return errors.New("term sketches damaged")
	}
	at := 0
	for i, id := range k.IDs {
		n := int(k.Sizes[i])
		if id >= nAddr || n > sketchSize || at+n > len(k.Terms) {
			return errors.New("term sketch damaged")
		}
		sk := m.sketchOf(id)
		sk.n = uint8(n)
		copy(sk.term[:], k.Terms[at:at+n])
		copy(sk.count[:], k.Counts[at:at+n])
		at += n
	}
	if at != len(k.Terms) {
		return errors.New("term sketches damaged")
	}
	for _, c := range s.DocFreq {
		if c.K >= dfSize || c.N > math.MaxUint16 {
			return errors.New("term frequency out of range")
		}
		m.docFreqs()[c.K] = uint16(c.N)
	}
	if s.End {
		if s.Docs < 0 {
			return errors.New("term message count damaged")
		}
		m.docs = s.Docs
	}
	return nil
}
