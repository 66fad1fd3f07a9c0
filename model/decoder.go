package model

import (
	"fmt"
	"math"
	"runtime"
)

// Decoder is the fast plain-Go incremental forward pass the sampler uses: a fixed number of rows
// (sequences), each with its own position and a preallocated key/value cache of maxLen positions.
// Prefill runs a prompt through one row; Step advances every active row by one token as a single
// [rows, D]×[D, out] matrix product per projection. The weights are copied at construction into
// [in, out] (transposed) matrices, with q/k/v and gate/up fused, so changing Params afterwards
// needs Refresh. A Decoder is not safe for concurrent use.
type Decoder struct {
	p      *Params
	cfg    Config
	batch  int // rows
	maxLen int // positions per row
	chunk  int // entries processed together (prefill chunk size)
	err    error
	// threads bounds the goroutines its matrix products and attention split over (0: GOMAXPROCS).
	threads int

	// Weights, copied from p by Refresh.
	layers    []decLayer
	embed     []float32 // [V, D]
	finalNorm []float32 // [D]
	head      packedB   // [D, V] lm_head (or the tied embedding) transposed, in column panels

	kc       [][]float32 // per layer [batch, KV·hd, maxLen] key cache (transposed)
	vc       [][]float32 // per layer [batch, maxLen, KV·hd] value cache
	pos      []int       // [batch] tokens in each row's cache
	cos, sin []float32   // [maxLen, hd/2] RoPE tables

	// Scratch for up to chunk entries.
	x, h   []float32   // [chunk, D] residual stream and normalised input
	qkv    []float32   // [chunk, qd + 2·kvd]
	att    []float32   // [chunk, qd]
	gu     []float32   // [chunk, 2·I] gate and up projections
	act    []float32   // [chunk, I] silu(gate)·up
	scores []float32   // [chunk, maxLen] attention weights
	logits []float32   // [batch, V]
	out    [][]float32 // [batch] Step's result: logits rows, nil for inactive rows
	rows   []int       // [chunk] entry rows
	poss   []int       // [chunk] entry positions
	toks   []int       // [chunk] entry tokens (Step)
	sel    []int       // [chunk] 0, 1, 2, … (Step selects every entry for logits)
}

// decLayer is one block's weights in the decoder's layout.
type decLayer struct {
	inNorm, postNorm []float32 // [D]
	// The weight matrices are transposed to [in, out] and stored in column panels (packedB).
	wqkv  packedB   // [D, qd + 2·kvd] q, k, v projections side by side
	bqkv  []float32 // [qd + 2·kvd] their biases; nil without attention_bias
	wo    packedB   // [qd, D]
	wgu   packedB   // [D, 2·I] gate then up
	wdown packedB   // [I, D]
}

// NewDecoder returns a decoder of batch rows with a cache of maxLen positions each (clamped to the
// context, max_position_embeddings; 0 means the context). Invalid arguments or params are reported
// by every later call.
func NewDecoder(p *Params, batch, maxLen int) *Decoder {
	d := &Decoder{p: p, batch: batch, maxLen: maxLen}
	if err := p.Check(); err != nil {
		d.err = fmt.Errorf("decoder: %w", err)
		return d
	}
	if batch < 1 {
		d.err = fmt.Errorf("decoder: batch %d; expected at least 1 row", batch)
		return d
	}
	c := p.Config
	d.cfg = c
	if d.maxLen <= 0 || d.maxLen > c.MaxPositionEmbeddings {
		d.maxLen = c.MaxPositionEmbeddings
	}
	D, I, V, hd := c.HiddenSize, c.IntermediateSize, c.VocabSize, c.Dim()
	qd, kvd := c.NumAttentionHeads*hd, c.NumKeyValueHeads*hd
	d.chunk = max(batch, 64)
	d.x, d.h = make([]float32, d.chunk*D), make([]float32, d.chunk*D)
	d.qkv, d.att = make([]float32, d.chunk*(qd+2*kvd)), make([]float32, d.chunk*qd)
	d.gu, d.act = make([]float32, d.chunk*2*I), make([]float32, d.chunk*I)
	d.scores = make([]float32, d.chunk*d.maxLen)
	d.logits, d.out = make([]float32, batch*V), make([][]float32, batch)
	d.rows, d.poss, d.toks, d.sel = make([]int, d.chunk), make([]int, d.chunk), make([]int, d.chunk), make([]int, d.chunk)
	for i := range d.sel {
		d.sel[i] = i
	}
	d.pos = make([]int, batch)
	d.kc, d.vc = make([][]float32, c.NumHiddenLayers), make([][]float32, c.NumHiddenLayers)
	for l := range d.kc {
		d.kc[l], d.vc[l] = make([]float32, batch*d.maxLen*kvd), make([]float32, batch*d.maxLen*kvd)
	}
	half := hd / 2
	d.cos, d.sin = make([]float32, d.maxLen*half), make([]float32, d.maxLen*half)
	for t := 0; t < d.maxLen; t++ {
		for i := 0; i < half; i++ {
			ang := float64(t) * math.Pow(c.RopeTheta, -float64(2*i)/float64(hd))
			d.cos[t*half+i], d.sin[t*half+i] = float32(math.Cos(ang)), float32(math.Sin(ang))
		}
	}
	d.Refresh()
	return d
}

// Refresh re-copies the weights from the Params the decoder was built on (after a training step
// changed them in place). The caches are kept; call Reset or Prefill for rows that must see only
// the new weights.
func (d *Decoder) Refresh() {
	if d.err != nil {
		return
	}
	c := d.cfg
	D, I, hd := c.HiddenSize, c.IntermediateSize, c.Dim()
	qd, kvd := c.NumAttentionHeads*hd, c.NumKeyValueHeads*hd
	n := qd + 2*kvd
	d.layers = make([]decLayer, len(d.p.Layers))
	for i, l := range d.p.Layers {
		// Stacking the [out, in] weights along out and transposing gives the fused [in, q|k|v]
		// and [in, gate|up] matrices.
		qkv := append(append(append(make([]float32, 0, n*D), l.Q.Data...), l.K.Data...), l.V.Data...)
		gu := append(append(make([]float32, 0, 2*I*D), l.Gate.Data...), l.Up.Data...)
		dl := decLayer{inNorm: clone(l.InputNorm.Data), postNorm: clone(l.PostNorm.Data),
			wqkv: packTransposed(qkv, n, D), wo: packTransposed(l.O.Data, D, qd),
			wgu: packTransposed(gu, 2*I, D), wdown: packTransposed(l.Down.Data, D, I)}
		if c.AttentionBias {
			dl.bqkv = append(append(append([]float32(nil), l.QBias.Data...), l.KBias.Data...), l.VBias.Data...)
		}
		d.layers[i] = dl
	}
	head := d.p.LMHead
	if c.TieWordEmbeddings {
		head = d.p.Embed
	}
	d.head = packTransposed(head.Data, c.VocabSize, D)
	d.embed, d.finalNorm = clone(d.p.Embed.Data), clone(d.p.FinalNorm.Data)
}

func clone(x []float32) []float32 { return append([]float32(nil), x...) }

// SetThreads bounds the goroutines (so the cores) each Prefill and Step splits its work over;
// 0 restores the default, GOMAXPROCS. The results do not depend on it.
func (d *Decoder) SetThreads(n int) { d.threads = max(n, 0) }

// Threads is the most goroutines a Prefill or Step splits its work over.
func (d *Decoder) Threads() int {
	if d.threads > 0 {
		return d.threads
	}
	return runtime.GOMAXPROCS(0)
}

// Rows returns the number of rows.
func (d *Decoder) Rows() int { return d.batch }

// MaxLen returns the positions each row's cache holds (the longest prompt plus completion).
func (d *Decoder) MaxLen() int { return d.maxLen }

// Len returns the number of tokens in row's cache (0 for a row outside the batch).
func (d *Decoder) Len(row int) int {
	if row < 0 || row >= len(d.pos) {
		return 0
	}
	return d.pos[row]
}

// Reset empties row's cache.
func (d *Decoder) Reset(row int) {
	if row >= 0 && row < len(d.pos) {
		d.pos[row] = 0
	}
}

// CopyRow makes row dst a copy of row src (its cache and position), so that n samples of one
// prompt share a single Prefill. Out-of-range rows are ignored.
func (d *Decoder) CopyRow(dst, src int) {
	if d.err != nil || dst == src || dst < 0 || src < 0 || dst >= d.batch || src >= d.batch {
		return
	}
	kvd, L, n := d.cfg.NumKeyValueHeads*d.cfg.Dim(), d.maxLen, d.pos[src]
	so, do := src*L*kvd, dst*L*kvd
	for l := range d.kc {
		copy(d.vc[l][do:do+n*kvd], d.vc[l][so:so+n*kvd])
		for j := 0; j < kvd; j++ { // keys are [row, KV·hd, maxLen]: copy each used prefix
			copy(d.kc[l][do+j*L:do+j*L+n], d.kc[l][so+j*L:so+j*L+n])
		}
	}
	d.pos[dst] = d.pos[src]
}

// Prefill resets row and runs tokens through it, returning the logits [V] after the last token.
// A prompt longer than the decoder's MaxLen is an error giving both lengths (nothing is
// truncated). The returned slice is the caller's (a copy), so prompts can be prefilled one after
// another before sampling.
func (d *Decoder) Prefill(row int, tokens []int) ([]float32, error) {
	if d.err != nil {
		return nil, d.err
	}
	if row < 0 || row >= d.batch {
		return nil, fmt.Errorf("decoder prefill: row %d outside [0, %d)", row, d.batch)
	}
	if err := d.p.checkTokens(tokens, d.maxLen); err != nil {
		return nil, fmt.Errorf("decoder prefill row %d: %w", row, err)
	}
	d.pos[row] = 0
	for start := 0; start < len(tokens); start += d.chunk {
		end := min(start+d.chunk, len(tokens))
		for i := start; i < end; i++ {
			d.rows[i-start], d.poss[i-start] = row, i
		}
		d.run(tokens[start:end])
		d.pos[row] = end
	}
	last := (len(tokens) - 1) % d.chunk // the last token's entry in the last chunk
	logits := d.logits[:d.cfg.VocabSize]
	d.project(logits, []int{last})
	return append([]float32(nil), logits...), nil
}

// Step appends tokens[r] to every row r with active[r] and returns the next-token logits of those
// rows ([batch][V]; nil for inactive rows). The slices are the decoder's and are overwritten by the
// next call. A full row (MaxLen tokens) or an out-of-vocabulary token is an error.
func (d *Decoder) Step(tokens []int, active []bool) ([][]float32, error) {
	if d.err != nil {
		return nil, d.err
	}
	if len(tokens) != d.batch || len(active) != d.batch {
		return nil, fmt.Errorf("decoder step: %d tokens and %d active flags; expected %d of each", len(tokens), len(active), d.batch)
	}
	n := 0
	for r := 0; r < d.batch; r++ {
		d.out[r] = nil
		if !active[r] {
			continue
		}
		if t := tokens[r]; t < 0 || t >= d.cfg.VocabSize {
			return nil, fmt.Errorf("decoder step: row %d token %d is outside the vocabulary [0, %d)", r, t, d.cfg.VocabSize)
		}
		if d.pos[r] >= d.maxLen {
			return nil, fmt.Errorf("decoder step: row %d already holds %d tokens, the decoder's maximum length", r, d.pos[r])
		}
		if d.pos[r] == 0 {
			return nil, fmt.Errorf("decoder step: row %d is empty; Prefill it (or CopyRow into it) first", r)
		}
		d.rows[n], d.poss[n], d.toks[n] = r, d.pos[r], tokens[r]
		n++
	}
	if n == 0 {
		return d.out, nil
	}
	d.run(d.toks[:n])
	V := d.cfg.VocabSize
	d.project(d.logits[:n*V], d.sel[:n])
	for i := 0; i < n; i++ {
		r := d.rows[i]
		d.pos[r]++
		d.out[r] = d.logits[i*V : (i+1)*V]
	}
	return d.out, nil
}
