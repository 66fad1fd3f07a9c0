package model

import (
	"fmt"
	"math"
)

// Input-embedding prefixes (vision-language-action policies): a sequence may start with P vectors
// given directly as input embeddings — projected image patches, a projected proprioception
// vector — followed by ordinary tokens. ForwardPrefix is the float64 reference; the Decoder's
// PrefillPrefix is the fast path the sampler uses, checked against it.

// ForwardPrefix is Forward on a sequence whose first len(prefix) positions are the given input
// embeddings (each [D]) and whose remaining positions are tokens. It returns the logits of every
// position, [P+len(tokens)][V].
func (p *Params) ForwardPrefix(prefix [][]float32, tokens []int) ([][]float32, error) {
	c := p.Config
	D := c.HiddenSize
	if err := checkPrefix(prefix, D); err != nil {
		return nil, err
	}
	if len(tokens) > 0 {
		if err := p.checkTokens(tokens, c.MaxPositionEmbeddings-len(prefix)); err != nil {
			return nil, err
		}
	}
	if len(prefix)+len(tokens) == 0 || len(prefix)+len(tokens) > c.MaxPositionEmbeddings {
		return nil, fmt.Errorf("sequence of %d prefix vectors and %d tokens: want 1..%d positions", len(prefix), len(tokens), c.MaxPositionEmbeddings)
	}
	x := make([][]float64, 0, len(prefix)+len(tokens)) // [T, D]
	for _, v := range prefix {
		x = append(x, widen(v))
	}
	for _, tok := range tokens {
		x = append(x, widen(p.Embed.Data[tok*D:(tok+1)*D]))
	}
	return p.forwardInput(x), nil
}

// checkPrefix rejects prefix vectors of the wrong width or with non-finite values.
func checkPrefix(prefix [][]float32, D int) error {
	for i, v := range prefix {
		if len(v) != D {
			return fmt.Errorf("prefix vector %d has %d values, want hidden_size %d", i, len(v), D)
		}
		for j, f := range v {
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				return fmt.Errorf("prefix vector %d value %d is %v", i, j, f)
			}
		}
	}
	return nil
}

// PrefillPrefix is Prefill on a row whose first positions are input embeddings (each [D]) and
// whose remaining positions are tokens; it returns (a copy of) the logits after the last position.
func (d *Decoder) PrefillPrefix(row int, prefix [][]float32, tokens []int) ([]float32, error) {
	if d.err != nil {
		return nil, d.err
	}
	if row < 0 || row >= d.batch {
		return nil, fmt.Errorf("decoder prefill: row %d outside [0, %d)", row, d.batch)
	}
	D, n := d.cfg.HiddenSize, len(prefix)+len(tokens)
	if err := checkPrefix(prefix, D); err != nil {
		return nil, fmt.Errorf("decoder prefill row %d: %w", row, err)
	}
	if n == 0 || n > d.maxLen {
		return nil, fmt.Errorf("decoder prefill row %d: %d prefix vectors and %d tokens: want 1..%d positions", row, len(prefix), len(tokens), d.maxLen)
	}
	for i, t := range tokens {
		if t < 0 || t >= d.cfg.VocabSize {
			return nil, fmt.Errorf("decoder prefill row %d: token %d is %d, outside the vocabulary [0, %d)", row, i, t, d.cfg.VocabSize)
		}
	}
	d.pos[row] = 0
	for start := 0; start < n; start += d.chunk {
		end := min(start+d.chunk, n)
		for i := start; i < end; i++ {
			d.rows[i-start], d.poss[i-start] = row, i
			x := d.x[(i-start)*D : (i-start+1)*D]
			if i < len(prefix) {
				copy(x, prefix[i])
			} else {
				t := tokens[i-len(prefix)]
				copy(x, d.embed[t*D:(t+1)*D])
			}
		}
		d.runInput(end - start)
		d.pos[row] = end
	}
	last := (n - 1) % d.chunk
	logits := d.logits[:d.cfg.VocabSize]
	d.project(logits, []int{last})
	return append([]float32(nil), logits...), nil
}
