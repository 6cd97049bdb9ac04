package detect

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
	"sync"

	"go.mau.fi/util/confusable"
	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// The freemail lists come from /work/shared/data/freemail (free.txt and
// disposable.txt, one domain a line) and are embedded so the binary needs
// no data files.
var (
	//go:embed freemail/free.txt
	freeList []byte
	//go:embed freemail/disposable.txt
	disposableList []byte

	freemailOnce sync.Once
	freemail     map[string]bool
)

// IsFreemail reports whether dom (or its registrable domain) is a personal
// webmail or disposable-address provider, where anyone can have an
// address: no such domain can be trusted as a partner.
func IsFreemail(dom string) bool { return isFreemail(strings.ToLower(dom)) }

// isFreemail reports whether dom (or its registrable domain) is a personal
// webmail or disposable-address provider.
func isFreemail(dom string) bool {
	freemailOnce.Do(func() {
		freemail = map[string]bool{}
		for _, l := range [][]byte{freeList, disposableList} {
			sc := bufio.NewScanner(bytes.NewReader(l))
			for sc.Scan() {
				if d := strings.ToLower(strings.TrimSpace(sc.Text())); d != "" && !strings.HasPrefix(d, "#") {
					freemail[d] = true
				}
			}
		}
	})
	return freemail[dom] || freemail[registrable(dom)]
}

// registrable is the registrable domain (eTLD+1) of dom, or dom itself when
// the public suffix list cannot say.
func registrable(dom string) string {
	r, err := publicsuffix.EffectiveTLDPlusOne(dom)
	if err != nil {
		return dom
	}
	return r
}

// orgLabel is the registrable domain without its public suffix:
// "partner-a" for mail.partner-a.co.jp. It names the organisation.
func orgLabel(dom string) string {
	r := registrable(dom)
	suf, _ := publicsuffix.PublicSuffix(r)
	if l := strings.TrimSuffix(r, "."+suf); l != "" && l != r {
		return l
	}
	if i := strings.IndexByte(r, '.'); i > 0 {
		return r[:i]
	}
	return r
}

// domainInfo is what lookalike compares, computed once per domain: the
// registrable domain, its organisation label and its confusable skeleton.
type domainInfo struct {
	reg, label, skeleton string
	deepSuffix           bool // the public suffix has two or more labels (nm.us, co.jp)
}

// Parsed domains are cached process-wide: the known-domain side of every
// comparison repeats across messages. The cache is dropped when it reaches
// maxDomainCache entries, which bounds memory against hostile input.
const maxDomainCache = 100000

var domainCache = struct {
	sync.RWMutex
	m map[string]domainInfo
}{m: map[string]domainInfo{}}

func infoOf(dom string) domainInfo {
	domainCache.RLock()
	di, ok := domainCache.m[dom]
	domainCache.RUnlock()
	if ok {
		return di
	}
	reg := registrable(dom)
	suf, _ := publicsuffix.PublicSuffix(reg)
	di = domainInfo{reg: reg, label: orgLabel(reg), skeleton: confusable.Skeleton(unicodeDomain(reg)), deepSuffix: strings.Contains(suf, ".")}
	domainCache.Lock()
	if len(domainCache.m) >= maxDomainCache {
		domainCache.m = map[string]domainInfo{}
	}
	domainCache.m[dom] = di
	domainCache.Unlock()
	return di
}

// lookalike tells how dom imitates known, and why: a homoglyph or IDN
// confusable, the same name under another suffix (.co.jp ↔ .com), or a typo
// (edit distance ≤ 2 of the organisation label, which must be long enough
// for two edits to be a slip, not another name). Identical registrable
// domains are not lookalikes. why is the finding catalogue's key for the
// reason, whose sentence names known.
func lookalike(dom, known string) (why string, ok bool) { return lookalikeMin(dom, known, 5) }

// lookalikeOwn is lookalike for one of the organisation's own domains,
// whose typos are the commonest slip of all (everyone types it daily) and
// which no outsider's domain should resemble: there a label of four letters
// is long enough for one changed letter to be a typo.
func lookalikeOwn(dom, own string) (why string, ok bool) { return lookalikeMin(dom, own, 4) }

func lookalikeMin(dom, known string, minLabel int) (why string, ok bool) {
	d, k := infoOf(dom), infoOf(known)
	if d.reg == k.reg {
		return "", false
	}
	if d.skeleton == k.skeleton {
		return "lookalike.homoglyph", true
	}
	// The same name under another ending (.co.jp ↔ .com), unless both
	// endings are regional or sector suffixes (state.nm.us, state.az.us):
	// there the shared label is a generic word, not a brand.
	if d.label == k.label {
		if d.deepSuffix && k.deepSuffix {
			return "", false
		}
		return "lookalike.ending", true
	}
	if len(k.label) >= minLabel {
		limit := 1
		if len(k.label) >= 10 {
			limit = 2
		}
		if d := editDistance(d.label, k.label, limit); d <= limit {
			if d == 1 {
				return "lookalike.one_letter", true
			}
			return "lookalike.two_letters", true
		}
	}
	return "", false
}

func unicodeDomain(d string) string {
	if u, err := idna.ToUnicode(d); err == nil {
		return u
	}
	return d
}
