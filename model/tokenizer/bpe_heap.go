package tokenizer

import (
	"container/heap"
)

// Long pre-tokenized pieces (a 50 KB run of letters, spaces or newlines) make tiktoken-go's merge
// loop quadratic. Chunks that may hold such a piece take this path instead: Hugging Face's own
// algorithm (tokenizers' Word::merge_all), a linked list of symbols and a heap of candidate merges
// ordered by (merge rank, position), O(n log n) per piece.

// longRunBytes is the run length of one character class (letters, whitespace, other) from which
// a chunk may hold a piece long enough to need the heap path.
const longRunBytes = 128

// pairMerge is what merging a pair of ids gives.
type pairMerge struct {
	rank  int // position in model.merges
	newID int // id of the merged token
}

// heapSymbol is one symbol of a word being merged.
type heapSymbol struct {
	id         int
	prev, next int // neighbour indices, -1 at the ends
	size       int // bytes covered; 0 once merged into its left neighbour
}

// heapMerge is a candidate merge of symbols[pos] with its right neighbour.
type heapMerge struct {
	pos, rank, newID int
}

type mergeQueue []heapMerge

func (q mergeQueue) Len() int { return len(q) }
func (q mergeQueue) Less(i, j int) bool {
	if q[i].rank != q[j].rank {
		return q[i].rank < q[j].rank
	}
	return q[i].pos < q[j].pos
}
func (q mergeQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *mergeQueue) Push(x any)   { *q = append(*q, x.(heapMerge)) }
func (q *mergeQueue) Pop() (x any) { x, *q = (*q)[len(*q)-1], (*q)[:len(*q)-1]; return x }

// pairMerges indexes the merges by the ids of their two halves.
func pairMerges(merges [][2]string, vocab map[string]int) map[[2]int]pairMerge {
	out := make(map[[2]int]pairMerge, len(merges))
	for i, m := range merges {
		key := [2]int{vocab[m[0]], vocab[m[1]]}
		if _, dup := out[key]; !dup {
			out[key] = pairMerge{rank: i, newID: vocab[m[0]+m[1]]}
		}
	}
	return out
}

// heapWord merges the bytes of one piece and returns its ids.
func (r *refBPE) heapWord(piece string, byteIDs *[256]int) []int {
	syms := make([]heapSymbol, len(piece))
	for i := 0; i < len(piece); i++ {
		syms[i] = heapSymbol{id: byteIDs[piece[i]], prev: i - 1, next: i + 1, size: 1}
	}
	syms[len(syms)-1].next = -1
	q := make(mergeQueue, 0, len(piece))
	for i := 0; i+1 < len(syms); i++ {
		if m, ok := r.pairs[[2]int{syms[i].id, syms[i+1].id}]; ok {
			q = append(q, heapMerge{pos: i, rank: m.rank, newID: m.newID})
		}
	}
	heap.Init(&q)
	for q.Len() > 0 {
		top := heap.Pop(&q).(heapMerge)
		s := &syms[top.pos]
		if s.size == 0 || s.next < 0 {
			continue
		}
		right := &syms[s.next]
		if m, ok := r.pairs[[2]int{s.id, right.id}]; !ok || m.newID != top.newID {
			continue // stale: a neighbour changed since this candidate was queued
		}
		s.id, s.size = top.newID, s.size+right.size
		s.next = right.next
		right.size = 0
		if s.next >= 0 {
			syms[s.next].prev = top.pos
			if m, ok := r.pairs[[2]int{s.id, syms[s.next].id}]; ok {
				heap.Push(&q, heapMerge{pos: top.pos, rank: m.rank, newID: m.newID})
			}
		}
		if s.prev >= 0 {
			if m, ok := r.pairs[[2]int{syms[s.prev].id, s.id}]; ok {
				heap.Push(&q, heapMerge{pos: s.prev, rank: m.rank, newID: m.newID})
			}
		}
	}
	var ids []int
	for i := 0; i >= 0 && i < len(syms); i = syms[i].next {
		ids = append(ids, syms[i].id)
	}
	return ids
}

// encodeHeap pre-tokenizes text with the regex and merges every piece with heapWord.
func (r *refBPE) encodeHeap(text string) []int {
	var ids []int
	runes := []rune(text)
	m, _ := r.re.FindRunesMatch(runes)
	for m != nil {
		ids = append(ids, r.heapWord(string(runes[m.Index:m.Index+m.Length]), &r.byteIDs)...)
		m, _ = r.re.FindNextMatch(m)
	}
	return ids
}
