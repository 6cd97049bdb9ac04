package terms

import (
	"cmp"
	"slices"
)

// Related-term recommendation (paper §3.2.1), read as follows.
//
// Past mail is split into confidential mail (containing a term of the
// scope's list) and the rest. Every term of confidential mail is a node,
// except terms found in more than GenericFraction of the non-confidential
// mail (greetings, sign-offs) and, when DropPersonNames, person names. Each
// list term L gets edges to at most MaxEdges nodes that co-occur with it,
// those found in the most confidential mails first. The network is then a
// two-layer Bayesian network: a list term is a root whose probability of
// being "yes" is its weight w_L; a child t is "yes" through a noisy-OR of its
// parents with link probability P(t|L) = (confidential mails with both L and
// t) / (confidential mails with L). So
//
//	P(t) = 1 − Π_{L→t} (1 − w_L · P(t|L))
//
// which for one parent is simply w_L · P(t|L): a term always found with a
// weight-0.83 list term gets 0.83. Terms off the list with P(t) ≥
// RecommendThreshold are recommended, highest first.
//
// A list term's own weight is updated the same way, its operator-set weight
// acting as the leak of the noisy-OR: W_L = 1 − (1 − w_L) Π_{L'→L} (1 − w_L' ·
// P(L|L')). A list term whose W_L ≤ RemovalThreshold — a low weight nothing
// else on the list vouches for — becomes a removal candidate. Weights stored
// on the list change only when an operator accepts a change: recommendation
// never edits a list (paper §3.1 (e)–(f)).
//
// Synonyms (paper §3.2.2) of each list term are added from a Thesaurus, at
// most Synonyms per term, weighted like their source but at least
// RecommendThreshold (厳秘 at 0.1 yields 秘密 and 極秘 at 0.300, as in the
// paper's table 10).

// Params are the operator's parameters (paper tables 3, 4 and 9).
type Params struct {
	GenericFraction    float64 // drop terms in more than this fraction of non-confidential mail
	DropPersonNames    bool
	MaxEdges           int
	RecommendThreshold float64
	RemovalThreshold   float64
	Synonyms           int
}

// DefaultParams are the paper's table 9 values.
var DefaultParams = Params{
	GenericFraction:    0.6,
	DropPersonNames:    true,
	MaxEdges:           10,
	RecommendThreshold: 0.3,
	RemovalThreshold:   0.299,
	Synonyms:           2,
}

// Recommendation is one suggested term, or a list term's computed weight.
type Recommendation struct {
	Term   string  `json:"term"`
	Weight float64 `json:"weight"`
	// Kind is "related" (co-occurrence), "synonym" or "list" (a list term's
	// computed weight).
	Kind string `json:"kind"`
	// From are the list terms it was reached from.
	From []string `json:"from,omitempty"`
	// Confidential is in how many confidential mails it occurs.
	Confidential int `json:"confidential_mails,omitempty"`
}

// Result is the outcome of one recommendation round for one scope.
type Result struct {
	Mails        int              `json:"mails"`
	Confidential int              `json:"confidential_mails"`
	Recommended  []Recommendation `json:"recommended"`
	ListWeights  []Recommendation `json:"list_weights"`
	Removal      []Recommendation `json:"removal_candidates"`
}

// Recommend runs one round over c for list (one scope's terms). th may be
// nil for no synonyms.
func Recommend(c *Corpus, list []Term, p Params, th *Thesaurus) Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	res := Result{Mails: len(c.docs)}

	listID := map[int32]float64{} // list term id → weight
	listName := map[string]bool{}
	for _, t := range list {
		n := Normalize(t.Text)
		listName[n] = true
		if id, ok := c.ids[n]; ok {
			listID[id] = max(listID[id], t.Weight)
		}
	}
	nTerms := len(c.names)
	dfConf := make([]int32, nTerms)
	dfNon := make([]int32, nTerms)
	var conf [][]int32
	for _, d := range c.docs {
		isConf := false
		for _, id := range d {
			if _, ok := listID[id]; ok {
				isConf = true
				break
			}
		}
		df := dfNon
		if isConf {
			df = dfConf
			conf = append(conf, d)
		}
		for _, id := range d {
			df[id]++
		}
	}
	res.Confidential = len(conf)
	nonConf := len(c.docs) - len(conf)
	allowed := func(id int32) bool {
		if p.DropPersonNames && c.person[id] {
			return false
		}
		return nonConf == 0 || float64(dfNon[id]) <= p.GenericFraction*float64(nonConf)
	}

	// noisy-OR accumulators: 1 − P so far, per child.
	notP := map[int32]float64{}
	from := map[int32][]string{}
	for _, lt := range sortedListIDs(listID, c.names) {
		wL := listID[lt]
		cooc := map[int32]int32{}
		var nL int32
		for _, d := range conf {
			if _, ok := slices.BinarySearch(d, lt); !ok {
				continue
			}
			nL++
			for _, id := range d {
				if id != lt && allowed(id) {
					cooc[id]++
				}
			}
		}
		if nL == 0 {
			continue
		}
		cands := make([]int32, 0, len(cooc))
		for id := range cooc {
			cands = append(cands, id)
		}
		slices.SortFunc(cands, func(a, b int32) int {
			return cmp.Or(cmp.Compare(dfConf[b], dfConf[a]), cmp.Compare(cooc[b], cooc[a]), cmp.Compare(c.names[a], c.names[b]))
		})
		if len(cands) > p.MaxEdges {
			cands = cands[:p.MaxEdges]
		}
		for _, id := range cands {
			link := float64(cooc[id]) / float64(nL)
			if _, ok := notP[id]; !ok {
				notP[id] = 1
			}
			notP[id] *= 1 - wL*link
			from[id] = append(from[id], c.names[lt])
		}
	}
	byTerm := map[string]*Recommendation{}
	for id, np := range notP {
		if _, onList := listID[id]; onList {
			continue
		}
		w := RoundWeight(1 - np)
		if w+1e-9 < p.RecommendThreshold {
			continue
		}
		r := &Recommendation{Term: c.names[id], Weight: w, Kind: "related", From: from[id], Confidential: int(dfConf[id])}
		byTerm[r.Term] = r
	}
	for _, t := range list {
		n := Normalize(t.Text)
		w := t.Weight
		id, seen := c.ids[n]
		if np, ok := notP[id]; seen && ok {
			w = 1 - (1-w)*np
		}
		r := Recommendation{Term: t.Text, Weight: RoundWeight(w), Kind: "list", From: from[id]}
		if seen {
			r.Confidential = int(dfConf[id])
		}
		res.ListWeights = append(res.ListWeights, r)
		if r.Weight <= p.RemovalThreshold+1e-9 {
			res.Removal = append(res.Removal, r)
		}
	}
	if th != nil && p.Synonyms > 0 {
		for _, t := range sortedByWeight(list) {
			for _, syn := range th.Synonyms(t.Text, p.Synonyms, listName) {
				w := RoundWeight(max(t.Weight, p.RecommendThreshold))
				if r, ok := byTerm[Normalize(syn)]; ok {
					if w > r.Weight {
						r.Weight, r.Kind = w, "synonym"
					}
					r.From = append(r.From, t.Text)
					continue
				}
				byTerm[Normalize(syn)] = &Recommendation{Term: syn, Weight: w, Kind: "synonym", From: []string{t.Text}}
			}
		}
	}
	for _, r := range byTerm {
		res.Recommended = append(res.Recommended, *r)
	}
	slices.SortFunc(res.Recommended, func(a, b Recommendation) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(b.Confidential, a.Confidential), cmp.Compare(a.Term, b.Term))
	})
	slices.SortFunc(res.ListWeights, func(a, b Recommendation) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(a.Term, b.Term))
	})
	return res
}

func sortedListIDs(m map[int32]float64, names []string) []int32 {
	ids := make([]int32, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b int32) int { return cmp.Compare(names[a], names[b]) })
	return ids
}

func sortedByWeight(list []Term) []Term {
	l := slices.Clone(list)
	slices.SortStableFunc(l, func(a, b Term) int { return cmp.Compare(b.Weight, a.Weight) })
	return l
}
