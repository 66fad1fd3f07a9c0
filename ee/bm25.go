package ee

import (
	"container/heap"
	"math"
	"strings"
	"unicode"
)

// BM25 parameters (the usual Okapi values).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// stopwords are left out of documents and queries: they match every type.
var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the of to in on at by for from with and or is are was were be been
		that this it its as into than then their there which who whom whose when where what how one two
		more another other some any all not no his her he she they them we our you your i my`) {
		stopwords[w] = true
	}
}

// Tokens splits text into lowercase word stems: words are runs of letters and digits, camel case
// is split ("PowerOutage" → power, outage), and a light suffix stripper folds inflections
// ("arrested", "arrests" → "arrest"). Stopwords are dropped.
func Tokens(text string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			w := stem(strings.ToLower(string(cur)))
			if !stopwords[w] && w != "" {
				out = append(out, w)
			}
			cur = cur[:0]
		}
	}
	var prev rune
	for _, r := range text {
		switch {
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush()
			cur = append(cur, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur = append(cur, r)
		default:
			flush()
		}
		prev = r
	}
	flush()
	return out
}

// stem strips one common English suffix, keeping at least three characters.
func stem(w string) string {
	if stopwords[w] {
		return w
	}
	for _, suf := range []string{"ings", "ing", "ied", "ies", "ed", "es", "s"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 {
			base := w[:len(w)-len(suf)]
			if suf == "ied" || suf == "ies" {
				base += "y"
			}
			if n := len(base); (suf == "ed" || suf == "ing") && n >= 4 && base[n-1] == base[n-2] && !strings.ContainsRune("aeiouls", rune(base[n-1])) {
				base = base[:n-1] // "stopped" → "stop"
			}
			return base
		}
	}
	return w
}

// posting is one document's term frequency.
type posting struct {
	doc int32
	tf  float32
}

// Index is a BM25 index over an ontology's types: each type's document is its name (twice), its
// example triggers (three times: they are the words sentences use) and its definition.
type Index struct {
	ont      *Ontology
	postings map[string][]posting
	norm     []float32 // [N] k1·(1 − b + b·len/avglen)
	idf      map[string]float32
}

// NewIndex builds the index.
func NewIndex(ont *Ontology) *Index {
	idx := &Index{ont: ont, postings: map[string][]posting{}, idf: map[string]float32{}}
	n := len(ont.Types)
	lens := make([]int, n)
	total := 0
	for d, t := range ont.Types {
		tf := map[string]int{}
		add := func(text string, weight int) {
			for _, w := range Tokens(text) {
				tf[w] += weight
				lens[d] += weight
			}
		}
		name := strings.ReplaceAll(t.Name, ".", " ")
		add(name, 2)
		for _, ex := range t.Examples {
			add(ex, 3)
		}
		add(t.Definition, 1)
		total += lens[d]
		for w, c := range tf {
			idx.postings[w] = append(idx.postings[w], posting{doc: int32(d), tf: float32(c)})
		}
	}
	avg := float64(total) / math.Max(float64(n), 1)
	idx.norm = make([]float32, n)
	for d := range lens {
		idx.norm[d] = float32(bm25K1 * (1 - bm25B + bm25B*float64(lens[d])/math.Max(avg, 1)))
	}
	for w, ps := range idx.postings {
		df := float64(len(ps))
		idx.idf[w] = float32(math.Log(1 + (float64(n)-df+0.5)/(df+0.5)))
	}
	return idx
}

// Candidate is a type with its BM25 score for a sentence.
type Candidate struct {
	Type  string  `json:"type"`
	Score float64 `json:"score"`
}

// TopK returns the k types scoring highest for text, best first (ties by ontology order); types
// sharing no word with the text are not returned.
func (idx *Index) TopK(text string, k int) []Candidate {
	scores := make(map[int32]float32, 64)
	seen := map[string]bool{}
	for _, w := range Tokens(text) {
		if seen[w] {
			continue
		}
		seen[w] = true
		idf := idx.idf[w]
		for _, p := range idx.postings[w] {
			scores[p.doc] += idf * p.tf * (bm25K1 + 1) / (p.tf + idx.norm[p.doc])
		}
	}
	h := &candHeap{}
	for d, s := range scores {
		c := scored{doc: d, score: s}
		if h.Len() < k {
			heap.Push(h, c)
		} else if k > 0 && c.better((*h)[0]) {
			(*h)[0] = c
			heap.Fix(h, 0)
		}
	}
	out := make([]Candidate, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		c := heap.Pop(h).(scored)
		out[i] = Candidate{Type: idx.ont.Types[c.doc].Name, Score: float64(c.score)}
	}
	return out
}

type scored struct {
	doc   int32
	score float32
}

func (a scored) better(b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

// candHeap is a min-heap by score (the worst kept candidate on top).
type candHeap []scored

func (h candHeap) Len() int           { return len(h) }
func (h candHeap) Less(i, j int) bool { return h[j].better(h[i]) }
func (h candHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *candHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *candHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// RecallAtK is the share of gold events whose type is among the top k candidates of their
// sentence (micro over events), for each k in ks.
func (idx *Index) RecallAtK(sents []Sentence, ks []int) map[int]float64 {
	maxK := 0
	for _, k := range ks {
		maxK = max(maxK, k)
	}
	hits := make(map[int]int, len(ks))
	total := 0
	for _, s := range sents {
		rank := map[string]int{}
		for i, c := range idx.TopK(s.Text, maxK) {
			rank[c.Type] = i + 1
		}
		for _, e := range s.Events {
			total++
			r, ok := rank[e.Type]
			for _, k := range ks {
				if ok && r <= k {
					hits[k]++
				}
			}
		}
	}
	out := make(map[int]float64, len(ks))
	for _, k := range ks {
		out[k] = ratio(hits[k], total)
	}
	return out
}
