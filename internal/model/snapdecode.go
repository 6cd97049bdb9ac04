package model

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"slices"
)

var errEmpty = errors.New("no model stored")

// Decode reads a snapshot written by Encode, in either format version, into
// a new model set up by cfg. It holds the encoding in memory; Load reads
// from the store instead.
func Decode(r io.Reader, cfg Config) (*Model, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return decode(func() (io.Reader, error) { return bytes.NewReader(b), nil }, cfg)
}

// decode reads a snapshot from what open returns. Version 2 is applied part
// by part as it is read, so loading costs the model plus one part.
//
// A version 1 snapshot carries gob maps, which gob sizes by a count it
// trusts before reading any entry: decoding a damaged one could exhaust
// memory instead of failing. So it is read twice: first to the end of its
// gzip stream, whose checksum tells damage apart, then, only if intact, for
// real.
func decode(open func() (io.Reader, error), cfg Config) (*Model, error) {
	r, err := open()
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	zr, err := gzip.NewReader(r)
	if errors.Is(err, io.EOF) {
		return nil, errEmpty
	}
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	dec := gob.NewDecoder(zr)
	var head snapHead
	if err := dec.Decode(&head); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if head.Version != snapshotVersion && head.Version != wholeVersion {
		return nil, fmt.Errorf("decode: snapshot version %d, this build reads %d and %d", head.Version, wholeVersion, snapshotVersion)
	}
	for _, d := range head.OrgDomains {
		if !slices.Contains(cfg.OrgDomains, d) {
			cfg.OrgDomains = append(cfg.OrgDomains, d)
		}
	}
	m := New(cfg)
	rs := &restorer{m: m}
	if head.Version == wholeVersion {
		if _, err := io.Copy(io.Discard, zr); err != nil {
			return nil, fmt.Errorf("decode: version 1 snapshot damaged: %w", err)
		}
		if err := rs.whole(open); err != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
		m.lastFromContacts()
		m.FindCommunities()
		return m, nil
	}
	rs.presize(head.Counts)
	for n := 1; ; n++ {
		var p part
		if err := dec.Decode(&p); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("decode: part %d: %w", n, err)
		}
		if err := rs.part(&p); err != nil {
			return nil, fmt.Errorf("decode: part %d: %w", n, err)
		}
		if p.End {
			m.lastFromContacts()
			m.FindCommunities()
			return m, nil
		}
	}
}

// lastFromContacts works out when insiders last exchanged mail with each
// address from their contacts, which hold it: the snapshot does not repeat
// it, and snapshots from before it was kept load with it all the same.
func (m *Model) lastFromContacts() {
	m.addrLast = make([]uint32, len(m.addrDom))
	for _, p := range m.people {
		for id, c := range p.contacts {
			m.addrLast[id] = max(m.addrLast[id], c.last)
		}
	}
}

// whole restores a version 1 snapshot, section by section, letting go of
// each section of the decoded value once it is in the model.
func (rs *restorer) whole(open func() (io.Reader, error)) error {
	r, err := open()
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return err
	}
	var s snapshot
	if err := gob.NewDecoder(zr).Decode(&s); err != nil {
		return err
	}
	if s.Version != wholeVersion {
		return fmt.Errorf("snapshot changed from version 1 to %d while loading", s.Version)
	}
	apply := func(p *part) error { return rs.part(p) }
	if err := apply(&part{Domains: s.Domains, Depts: s.Depts, Names: s.Names, Addrs: s.Addrs, AddrDom: s.AddrDom}); err != nil {
		return err
	}
	s.Domains, s.Depts, s.Names, s.Addrs, s.AddrDom = nil, nil, nil, nil, nil
	p := &part{AddrNames: make([]snapNames, 0, len(s.AddrNames))}
	for id, l := range s.AddrNames {
		p.AddrNames = append(p.AddrNames, snapNames{id, l})
	}
	p.OrgAddr, p.OrgDom, p.DeptKnown, p.DeptDom = counts(s.OrgAddr), counts(s.OrgDom), counts(s.DeptKnown), counts(s.DeptDom)
	s.AddrNames, s.OrgAddr, s.OrgDom, s.DeptKnown, s.DeptDom = nil, nil, nil, nil, nil
	if err := apply(p); err != nil {
		return err
	}
	for i, sp := range s.People {
		pp := partPerson{ID: sp.ID, Dept: sp.Dept, Contacts: sp.Contacts, Domains: sp.Domains, Pairs: counts(sp.Pairs),
			Hours: sp.Hours, SentV: sp.SentV, SentAt: sp.SentAt, FirstsV: sp.FirstsV, FirstsAt: sp.FirstsAt}
		for d, n := range sp.Days {
			pp.Days = append(pp.Days, count32{d, uint32(n)})
		}
		s.People[i] = snapPerson{}
		if err := apply(&part{People: []partPerson{pp}}); err != nil {
			return err
		}
	}
	if err := apply(&part{Seen: s.Seen}); err != nil {
		return err
	}
	s.Seen = nil
	p = &part{Threads: s.Threads, Latest: s.Latest, Learned: s.Learned}
	for i, t := range s.Threads {
		for _, k := range t.Keys {
			p.ThreadKeys = append(p.ThreadKeys, k)
			p.ThreadOf = append(p.ThreadOf, uint32(len(rs.threads)+i))
		}
	}
	return apply(p)
}

func counts[K uint32 | uint64](m map[K]uint32) []countOf[K] {
	out := make([]countOf[K], 0, len(m))
	for k, n := range m {
		out = append(out, countOf[K]{k, n})
	}
	return out
}

// restorer fills an empty model from snapshot parts, checking every id
// against what was restored before it, so a damaged snapshot is an error,
// not an index panic later.
type restorer struct {
	m       *Model
	threads []*thread // version 2's thread table, in order
}

// presize makes the big maps their final size at once: growing a map of a
// million entries copies it, briefly holding both.
func (rs *restorer) presize(c snapCounts) {
	const most = 1 << 26 // counts come from the stored data: cap what they can reserve
	m := rs.m
	if c.People > 0 && len(m.people) == 0 {
		m.people = make(map[uint32]*person, min(c.People, most))
	}
	if c.Seen > 0 && len(m.seen) == 0 {
		m.seen = make(map[uint64]struct{}, min(c.Seen, most))
	}
	if c.ThreadKeys > 0 && len(m.threads.byMsg) == 0 {
		m.threads.byMsg = make(map[uint64]*thread, min(c.ThreadKeys, most))
	}
}

// part restores what one part carries, tables first, since the rest
// refers to them.
func (rs *restorer) part(s *part) error {
	m := rs.m
	if len(s.AddrDom) != len(s.Addrs) {
		return errors.New("address table damaged")
	}
	if err := addStrings(&m.domains, s.Domains); err != nil {
		return err
	}
	if err := addStrings(&m.depts, s.Depts); err != nil {
		return err
	}
	if err := addStrings(&m.names, s.Names); err != nil {
		return err
	}
	nDom := uint32(len(m.domains.str))
	for _, d := range s.AddrDom {
		if d >= nDom {
			return errors.New("address domain out of range")
		}
	}
	if err := addStrings(&m.addrs, s.Addrs); err != nil {
		return err
	}
	m.addrDom = append(m.addrDom, s.AddrDom...)
	nAddr, nName, nDept := uint32(len(m.addrs.str)), uint32(len(m.names.str)), uint32(len(m.depts.str))

	for _, an := range s.AddrNames {
		if an.ID >= nAddr {
			return errors.New("name owner out of range")
		}
		nl := make([]nameCount, 0, len(an.Names))
		for _, n := range an.Names {
			if n.Name >= nName {
				return errors.New("name out of range")
			}
			nl = append(nl, nameCount{n.Name, n.N})
		}
		m.addrNm[an.ID] = nl
	}
	for _, c := range s.OrgAddr {
		m.orgAddr[c.K] = c.N
	}
	for _, c := range s.OrgDom {
		m.orgDom[c.K] = c.N
	}
	for _, c := range s.DeptKnown {
		m.deptKn[c.K] = c.N
	}
	for _, c := range s.DeptDom {
		m.deptDom[c.K] = c.N
	}
	for _, c := range s.CompanyDom {
		name, dom := uint32(c.K>>32), uint32(c.K)
		if name >= nName || dom >= nDom {
			return errors.New("company name or domain out of range")
		}
		m.compDom[c.K] = c.N
		m.raiseCompanyTop(name, dom)
	}
	for _, sp := range s.People {
		if sp.ID >= nAddr || sp.Dept > nDept {
			return errors.New("person out of range")
		}
		p := &person{dept: sp.Dept, contacts: make(map[uint32]contact, len(sp.Contacts)), domains: make(map[uint32]contact, len(sp.Domains)),
			days:  make(map[uint32]uint16, len(sp.Days)),
			hours: sp.Hours, sent: counter{sp.SentV, sp.SentAt}, firsts: counter{sp.FirstsV, sp.FirstsAt}}
		for _, c := range sp.Contacts {
			if c.ID >= nAddr {
				return errors.New("contact out of range")
			}
			p.contacts[c.ID] = contact{counter{c.SentV, c.SentAt}, counter{c.RecvV, c.RecvAt}, c.First, c.Last}
		}
		for _, c := range sp.Domains {
			if c.ID >= nDom {
				return errors.New("domain out of range")
			}
			p.domains[c.ID] = contact{counter{c.SentV, c.SentAt}, counter{c.RecvV, c.RecvAt}, c.First, c.Last}
		}
		p.pairs.set(sp.Pairs)
		for _, c := range sp.Days {
			p.days[c.K] = uint16(min(c.N, 1<<16-1))
		}
		for _, c := range sp.Attach {
			if c.K >= nDom {
				return errors.New("attachment domain out of range")
			}
			if p.attach == nil {
				p.attach = make(map[uint32]uint16, len(sp.Attach))
			}
			p.attach[c.K] = uint16(c.N)
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
		rs.threads = append(rs.threads, &thread{people: st.People, last: st.Last})
	}
	if len(s.ThreadOf) != len(s.ThreadKeys) {
		return errors.New("thread keys damaged")
	}
	for i, k := range s.ThreadKeys {
		if int(s.ThreadOf[i]) >= len(rs.threads) {
			return errors.New("thread out of range")
		}
		m.threads.byMsg[k] = rs.threads[s.ThreadOf[i]]
	}
	if err := rs.content(s, nAddr); err != nil {
		return err
	}
	if s.Latest > m.latest {
		m.latest = s.Latest
	}
	if s.Learned > 0 {
		m.learned = s.Learned
	}
	return nil
}

// addStrings interns a table part; a duplicate would shift every later id,
// so it is damage.
func addStrings(in *interner, strs []string) error {
	n := len(in.str)
	for _, s := range strs {
		in.id(s)
	}
	if len(in.str) != n+len(strs) {
		return errors.New("duplicate entries in string tables")
	}
	return nil
}
