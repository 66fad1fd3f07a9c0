package ee

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// Partitioner splits a sentence's ranked candidate types into groups of at most size types, one
// extraction prompt per group (LLM-PEE §3.2): prompts stay short however many types are recalled.
type Partitioner func(cands []Candidate, size int, seed uint64) [][]Candidate

// partitioners are the strategies by name.
var partitioners = map[string]Partitioner{
	// random: a seeded shuffle, then consecutive groups.
	"random": func(c []Candidate, size int, seed uint64) [][]Candidate {
		s := append([]Candidate(nil), c...)
		rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)).Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
		return chunk(s, size)
	},
	// average: groups of balanced summed similarity — candidates best first, each to the group
	// with the lowest sum that has room (so every prompt holds some strong and some weak types).
	"average": func(c []Candidate, size int, _ uint64) [][]Candidate {
		n := (len(c) + size - 1) / size
		groups := make([][]Candidate, n)
		sums := make([]float64, n)
		for _, cand := range c { // c is best first
			best := -1
			for g := range groups {
				if len(groups[g]) < size && (best < 0 || sums[g] < sums[best]) {
					best = g
				}
			}
			groups[best] = append(groups[best], cand)
			sums[best] += cand.Score
		}
		return groups
	},
	// level: rank bands — the top size candidates together, then the next size, … (similar
	// scores, hence often confusable types, share a prompt).
	"level": func(c []Candidate, size int, _ uint64) [][]Candidate { return chunk(c, size) },
}

func chunk(c []Candidate, size int) [][]Candidate {
	var out [][]Candidate
	for len(c) > 0 {
		n := min(size, len(c))
		out = append(out, c[:n:n])
		c = c[n:]
	}
	return out
}

// LookupPartitioner returns the strategy named name; the error lists the valid names.
func LookupPartitioner(name string) (Partitioner, error) {
	if p, ok := partitioners[name]; ok {
		return p, nil
	}
	names := make([]string, 0, len(partitioners))
	for n := range partitioners {
		names = append(names, n)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("ee: unknown partition strategy %q; known: %s", name, strings.Join(names, ", "))
}

// SiblingCohesion is the share of gold events whose type was recalled and shares its prompt with
// every recalled type of the same domain (its confusable siblings), over the events whose type
// was recalled with at least one sibling: how often a prompt lets the model tell the type from
// the ones it is confused with.
func SiblingCohesion(idx *Index, sents []Sentence, k, size int, p Partitioner, seed uint64) float64 {
	together, total := 0, 0
	for si, s := range sents {
		groups := p(idx.TopK(s.Text, k), size, seed+uint64(si))
		group := map[string]int{}
		for g, cs := range groups {
			for _, c := range cs {
				group[c.Type] = g
			}
		}
		for _, e := range s.Events {
			g, ok := group[e.Type]
			if !ok {
				continue
			}
			dom := domainOf(e.Type)
			siblings, apart := 0, false
			for t, tg := range group {
				if t != e.Type && domainOf(t) == dom {
					siblings++
					apart = apart || tg != g
				}
			}
			if siblings == 0 {
				continue
			}
			total++
			if !apart {
				together++
			}
		}
	}
	return ratio(together, total)
}

func domainOf(typ string) string { d, _, _ := strings.Cut(typ, "."); return d }
