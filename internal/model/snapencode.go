package model

import (
	"compress/gzip"
	"encoding/gob"
	"fmt"
	"io"
	"maps"
	"slices"
)

// partEntries bounds one part of a snapshot stream: about this many map
// entries, list items or table strings (a few MB encoded). A variable so
// tests can make a small model span many parts.
var partEntries = 1 << 16

// partBytes bounds the string octets of one table part.
const partBytes = 1 << 20

// Encode writes the model as a gzip-compressed stream of gob parts (format
// version 2, see snapshot). Each part is built, encoded and handed to w
// before the next one is built, so encoding costs one part of memory on top
// of the model, not a second copy of it.
//
// The read lock is taken per part, not for the whole stream, so a model
// being saved while misend serves keeps learning and answering between
// parts. The tables' lengths are fixed when encoding starts and later parts
// leave out what refers to an address, domain, department or name interned
// since: that is mail learned during the save, which the next save stores.
// The sets keyed by hash (seen messages, the thread index) cannot be walked
// a piece at a time, since a Go map cannot be iterated across a lock
// release; their keys are copied in one pass (8 and 12 octets an entry).
func (m *Model) Encode(w io.Writer) error {
	zw := gzip.NewWriter(w)
	e := &encoder{m: m, enc: gob.NewEncoder(zw)}
	if err := e.encode(); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return zw.Close()
}

type encoder struct {
	m   *Model
	enc *gob.Encoder

	// Lengths of the tables when encoding started.
	nAddr, nDom, nDept, nName uint32
}

func (e *encoder) put(v any) error { return e.enc.Encode(v) }

func (e *encoder) encode() error {
	m := e.m
	m.mu.RLock()
	e.nAddr, e.nDom, e.nDept, e.nName = uint32(len(m.addrs.str)), uint32(len(m.domains.str)), uint32(len(m.depts.str)), uint32(len(m.names.str))
	// The tables only ever grow by appending, so these prefixes stay as
	// they are after the lock is released.
	addrs, addrDom := m.addrs.str[:e.nAddr:e.nAddr], m.addrDom[:e.nAddr:e.nAddr]
	domains, depts, names := m.domains.str[:e.nDom:e.nDom], m.depts.str[:e.nDept:e.nDept], m.names.str[:e.nName:e.nName]
	people := slices.Sorted(maps.Keys(m.people))
	head := &snapHead{Version: snapshotVersion, OrgDomains: m.own, Counts: snapCounts{
		People: len(m.people), Seen: len(m.seen), ThreadKeys: len(m.threads.byMsg),
	}}
	m.mu.RUnlock()

	if err := e.put(head); err != nil {
		return err
	}
	for _, section := range []struct {
		strs []string
		part func([]string) *part
	}{
		{domains, func(l []string) *part { return &part{Domains: l} }},
		{depts, func(l []string) *part { return &part{Depts: l} }},
		{names, func(l []string) *part { return &part{Names: l} }},
	} {
		for l := range stringChunks(section.strs) {
			if err := e.put(section.part(l)); err != nil {
				return err
			}
		}
	}
	i := 0
	for l := range stringChunks(addrs) {
		if err := e.put(&part{Addrs: l, AddrDom: addrDom[i : i+len(l)]}); err != nil {
			return err
		}
		i += len(l)
	}
	if err := e.perAddress(); err != nil {
		return err
	}
	if err := e.orgMaps(); err != nil {
		return err
	}
	if err := e.people(people); err != nil {
		return err
	}
	if err := e.docFreq(); err != nil {
		return err
	}
	if err := e.seen(); err != nil {
		return err
	}
	if err := e.threads(); err != nil {
		return err
	}
	m.mu.RLock()
	end := &part{End: true, Latest: m.latest, Learned: m.learned, Docs: m.docs}
	m.mu.RUnlock()
	return e.put(end)
}

// stringChunks cuts a table into parts of at most partEntries strings and
// about partBytes octets.
func stringChunks(strs []string) func(func([]string) bool) {
	return func(yield func([]string) bool) {
		for len(strs) > 0 {
			n, size := 0, 0
			for n < len(strs) && n < partEntries && (n == 0 || size < partBytes) {
				size += len(strs[n])
				n++
			}
			if !yield(strs[:n:n]) {
				return
			}
			strs = strs[n:]
		}
	}
}

// perAddress writes the maps keyed by address id (display names, how many
// insiders mailed each address) by ranges of ids.
func (e *encoder) perAddress() error {
	m := e.m
	for lo := uint32(0); lo < e.nAddr; lo += uint32(partEntries) {
		hi := min(e.nAddr, lo+uint32(partEntries))
		s := &part{}
		m.mu.RLock()
		for id := lo; id < hi; id++ {
			if l := m.addrNm[id]; len(l) > 0 {
				sl := make([]snapName, 0, len(l))
				for _, n := range l {
					if n.name < e.nName {
						sl = append(sl, snapName{n.name, n.n})
					}
				}
				s.AddrNames = append(s.AddrNames, snapNames{id, sl})
			}
			if n, ok := m.orgAddr[id]; ok {
				s.OrgAddr = append(s.OrgAddr, count32{id, n})
			}
			if sk := m.sketches[id]; sk != nil {
				k := &s.Sketches
				k.IDs, k.Sizes = append(k.IDs, id), append(k.Sizes, sk.n)
				k.Terms, k.Counts = append(k.Terms, sk.term[:sk.n]...), append(k.Counts, sk.count[:sk.n]...)
			}
		}
		m.mu.RUnlock()
		if err := e.put(s); err != nil {
			return err
		}
	}
	return nil
}

// orgMaps writes the per-domain and per-department counts. They grow with
// domains and departments times addresses, not with messages, so each is
// copied under one read lock and written in parts.
func (e *encoder) orgMaps() error {
	m := e.m
	m.mu.RLock()
	orgDom := mapChunks(m.orgDom, func(d uint32) bool { return d < e.nDom })
	deptKn := mapChunks(m.deptKn, func(k uint64) bool { return uint32(k>>32) <= e.nDept && uint32(k) < e.nAddr })
	deptDom := mapChunks(m.deptDom, func(k uint64) bool { return uint32(k>>32) <= e.nDept && uint32(k) < e.nDom })
	compDom := mapChunks(m.compDom, func(k uint64) bool { return uint32(k>>32) < e.nName && uint32(k) < e.nDom })
	m.mu.RUnlock()
	for _, c := range orgDom {
		if err := e.put(&part{OrgDom: c}); err != nil {
			return err
		}
	}
	for _, c := range deptKn {
		if err := e.put(&part{DeptKnown: c}); err != nil {
			return err
		}
	}
	for _, c := range deptDom {
		if err := e.put(&part{DeptDom: c}); err != nil {
			return err
		}
	}
	for _, c := range compDom {
		if err := e.put(&part{CompanyDom: c}); err != nil {
			return err
		}
	}
	return nil
}

// mapChunks copies the entries of src that keep accepts, in parts.
func mapChunks[K uint32 | uint64](src map[K]uint32, keep func(K) bool) [][]countOf[K] {
	var out [][]countOf[K]
	var cur []countOf[K]
	for k, v := range src {
		if !keep(k) {
			continue
		}
		if len(cur) >= partEntries {
			out, cur = append(out, cur), nil
		}
		if cur == nil {
			cur = make([]countOf[K], 0, min(len(src), partEntries))
		}
		cur = append(cur, countOf[K]{k, v})
	}
	if cur != nil {
		out = append(out, cur)
	}
	return out
}

// people writes the insiders' state, a few people per part: each part is
// copied under the read lock and encoded after it is released.
func (e *encoder) people(ids []uint32) error {
	m := e.m
	for len(ids) > 0 {
		s := &part{}
		entries := 0
		m.mu.RLock()
		for len(ids) > 0 && (entries == 0 || entries < partEntries) {
			id := ids[0]
			ids = ids[1:]
			p := m.people[id]
			if p == nil || id >= e.nAddr {
				continue
			}
			sp := e.person(id, p)
			entries += 1 + len(sp.Contacts) + len(sp.Domains) + len(sp.Pairs) + len(sp.Days)
			s.People = append(s.People, sp)
		}
		m.mu.RUnlock()
		if err := e.put(s); err != nil {
			return err
		}
	}
	return nil
}

func (e *encoder) person(id uint32, p *person) partPerson {
	sp := partPerson{ID: id, Dept: p.dept, Hours: p.hours, SentV: p.sent.v, SentAt: p.sent.at, FirstsV: p.firsts.v, FirstsAt: p.firsts.at}
	if sp.Dept > e.nDept {
		sp.Dept = 0
	}
	sp.Contacts = snapContacts(p.contacts, e.nAddr)
	sp.Domains = snapContacts(p.domains, e.nDom)
	sp.Pairs = make([]count64, 0, p.pairs.len())
	p.pairs.each(func(k uint64, n uint32) {
		if uint32(k) < e.nAddr { // the larger id of the pair
			sp.Pairs = append(sp.Pairs, count64{k, n})
		}
	})
	sp.Days = make([]count32, 0, len(p.days))
	for d, n := range p.days {
		sp.Days = append(sp.Days, count32{d, uint32(n)})
	}
	for d, k := range p.attach {
		if d < e.nDom {
			sp.Attach = append(sp.Attach, count32{d, uint32(k)})
		}
	}
	return sp
}

func snapContacts(cs map[uint32]contact, n uint32) []snapContact {
	out := make([]snapContact, 0, len(cs))
	for id, c := range cs {
		if id < n {
			out = append(out, snapContact{ID: id, SentV: c.sent.v, SentAt: c.sent.at, RecvV: c.recv.v, RecvAt: c.recv.at, First: c.first, Last: c.last})
		}
	}
	return out
}

func (e *encoder) seen() error {
	m := e.m
	m.mu.RLock()
	keys := slices.Collect(maps.Keys(m.seen))
	m.mu.RUnlock()
	for l := range slices.Chunk(keys, partEntries) {
		if err := e.put(&part{Seen: l}); err != nil {
			return err
		}
	}
	return nil
}

// threads writes the thread index as a table of threads (participants and
// last hour) followed by the Message-ID hashes with the position of their
// thread in the table: a thread is stored once however many messages of
// it are remembered, and loads as one shared thread again.
func (e *encoder) threads() error {
	m := e.m
	m.mu.RLock()
	n := len(m.threads.byMsg)
	keys, of := make([]uint64, 0, n), make([]uint32, 0, n)
	var table []snapThread
	pos := map[*thread]uint32{}
	for k, t := range m.threads.byMsg {
		i, ok := pos[t]
		if !ok {
			i = uint32(len(table))
			pos[t] = i
			// A thread's participant list only grows by appending, so
			// this prefix stays valid after the lock is released.
			people := t.people[:len(t.people):len(t.people)]
			if slices.ContainsFunc(people, func(id uint32) bool { return id >= e.nAddr }) {
				people = slices.DeleteFunc(slices.Clone(people), func(id uint32) bool { return id >= e.nAddr })
			}
			table = append(table, snapThread{People: people, Last: t.last})
		}
		keys, of = append(keys, k), append(of, i)
	}
	m.mu.RUnlock()
	clear(pos)
	for l := range slices.Chunk(table, partEntries) {
		if err := e.put(&part{Threads: l}); err != nil {
			return err
		}
	}
	for i := 0; i < len(keys); i += partEntries {
		j := min(len(keys), i+partEntries)
		if err := e.put(&part{ThreadKeys: keys[i:j], ThreadOf: of[i:j]}); err != nil {
			return err
		}
	}
	return nil
}
