package local

import (
	"fmt"
	"math/rand/v2"

	"github.com/ascent-rl/ascent/engine"
)

// bucketLen rounds a sequence length up to the next bucket (16, 32, 48, 64, 96, 128, 192, 256, …:
// multiples of 16 up to 64, then powers of two and 1.5× powers of two), so that the number of
// distinct graph shapes — each a compilation — stays small for variable RL lengths.
func bucketLen(n int) int {
	if n <= 64 {
		return max(16, (n+15)/16*16)
	}
	for p := 64; ; p *= 2 {
		if n <= p+p/2 {
			if n <= p {
				return p
			}
			return p + p/2
		}
	}
}

// bucketRows rounds a micro-batch row count up to a power of two no larger than limit (limit
// itself when above it), so LogProbs on a few rows does not pay for a full micro-batch.
func bucketRows(n, limit int) int {
	b := 1
	for b < n {
		b *= 2
	}
	return min(b, limit)
}

// packed is one micro-batch laid out for the graph: right-padded, position t predicting token t+1.
type packed struct {
	B, T       int       // padded rows and bucketed length
	rows       int       // real rows (the rest are padding)
	tokens     []int32   // [B, T]
	idx        []int32   // [B, T, 3] (b, t, next token) triples for the take-along Gather
	mask       []float32 // [B, T] 1 at positions that predict a trained response token (Row.LossMask)
	promptMask []float32 // [B, T] 1 at prompt positions (log Z pooling)
	start      []int     // [rows] position of the first response token's prediction (len(prompt)-1)
	length     []int     // [rows] response length
}

// validateRows checks token ranges, lengths and per-token slice sizes, naming the offending row.
func validateRows(rows []engine.Row, vocab, context int, needAdv bool) error {
	for i, r := range rows {
		if len(r.Prompt) == 0 {
			return fmt.Errorf("row %d: empty prompt: at least one prompt token is needed to predict the response", i)
		}
		if n := len(r.Prompt) + len(r.Response); n > context {
			return fmt.Errorf("row %d: prompt+response is %d tokens, longer than the context of %d", i, n, context)
		}
		for j, t := range r.Prompt {
			if t < 0 || t >= vocab {
				return fmt.Errorf("row %d: prompt token %d is %d, outside the vocabulary [0, %d)", i, j, t, vocab)
			}
		}
		for j, t := range r.Response {
			if t < 0 || t >= vocab {
				return fmt.Errorf("row %d: response token %d is %d, outside the vocabulary [0, %d)", i, j, t, vocab)
			}
		}
		R := len(r.Response)
		for _, f := range []struct {
			name string
			v    []float32
			req  bool
		}{{"advantages", r.Advantages, needAdv}, {"old_log_probs", r.OldLogProbs, false}, {"ref_log_probs", r.RefLogProbs, false}, {"old_values", r.OldValues, false}, {"returns", r.Returns, false}, {"loss_mask", r.LossMask, false}} {
			if f.v == nil && !f.req {
				continue
			}
			if len(f.v) != R {
				return fmt.Errorf("row %d: %s has %d entries, expected len(response) = %d", i, f.name, len(f.v), R)
			}
		}
	}
	return nil
}

// pack lays out rows into a micro-batch of B padded rows.
func pack(rows []engine.Row, B int) *packed {
	maxLen := 1
	for _, r := range rows {
		maxLen = max(maxLen, len(r.Prompt)+len(r.Response)-1)
	}
	T := bucketLen(maxLen)
	p := &packed{B: B, T: T, rows: len(rows),
		tokens: make([]int32, B*T), idx: make([]int32, B*T*3),
		mask: make([]float32, B*T), promptMask: make([]float32, B*T)}
	for b := range B {
		for t := range T {
			p.idx[(b*T+t)*3], p.idx[(b*T+t)*3+1] = int32(b), int32(t)
		}
	}
	for b, r := range rows {
		seq := append(append(make([]int, 0, len(r.Prompt)+len(r.Response)), r.Prompt...), r.Response...)
		for t := 0; t < len(seq)-1; t++ {
			p.tokens[b*T+t] = int32(seq[t])
			p.idx[(b*T+t)*3+2] = int32(seq[t+1])
		}
		for t := 0; t < len(r.Prompt); t++ {
			p.promptMask[b*T+t] = 1
		}
		st := len(r.Prompt) - 1
		for j := range r.Response {
			if r.Trained(j) {
				p.mask[b*T+st+j] = 1
			}
		}
		p.start = append(p.start, st)
		p.length = append(p.length, len(r.Response))
	}
	return p
}

// spread places per-response-token values of each row at their graph positions ([B, T]; nil
// slices give zeros).
func (p *packed) spread(get func(r int) []float32) []float32 {
	out := make([]float32, p.B*p.T)
	for b := 0; b < p.rows; b++ {
		copy(out[b*p.T+p.start[b]:], get(b)[:min(len(get(b)), p.length[b])])
	}
	return out
}

// gather extracts per-response-token values of each row from a [B, T] output.
func (p *packed) gather(flat []float32) [][]float32 {
	out := make([][]float32, p.rows)
	for b := range out {
		out[b] = append([]float32(nil), flat[b*p.T+p.start[b]:b*p.T+p.start[b]+p.length[b]]...)
	}
	return out
}

// noise returns [B, T] uniform draws; row b's stream depends only on (seed, firstRow+b), so it does
// not change with the micro-batch split.
func (p *packed) noise(seed uint64, firstRow int) []float32 {
	out := make([]float32, p.B*p.T)
	for b := 0; b < p.rows; b++ {
		rng := rand.New(rand.NewPCG(seed, uint64(firstRow+b)))
		for j := 0; j < p.length[b]; j++ {
			out[b*p.T+p.start[b]+j] = rng.Float32()
		}
	}
	return out
}
