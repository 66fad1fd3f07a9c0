package vla

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/ascent-rl/ascent/env"
	"github.com/ascent-rl/ascent/model"
)

// Sampler is the policy as an env.Policy: every decision step's observations go through one
// batched decoder pass (prefix embeddings and instruction prefilled into a KV cache, then K·D
// action tokens decoded for all rows together), each token drawn from the softmax over the 256
// action logits divided by the temperature (greedy at temperature 0). With several shards the
// decisions are split into that many contiguous parts decoded at once, each by its own decoder
// and random stream, so the draws depend on the shard count but not on goroutine timing.
type Sampler struct {
	p      *Policy
	shards []*shard
	ns     env.NormStats
	temp   float64
	// Record, when set, sees every decision with its features and sampled action tokens [K·D].
	Record func(d env.Decision, f *Features, tokens []int)
}

// shard is one decoder with its own random stream.
type shard struct {
	dec *model.Decoder
	rng *rand.Rand
}

// NewSampler returns a sampler of up to rows environments per decoder pass at temperature temp
// (0: greedy), un-normalising with ns; the decisions of a pass are split over shards decoders
// run in parallel (1: one decoder, the single-core behaviour).
func NewSampler(p *Policy, rows, shards int, temp float64, ns env.NormStats, seed uint64) (*Sampler, error) {
	if temp < 0 || math.IsNaN(temp) {
		return nil, fmt.Errorf("vla: sampling temperature %v: want ≥ 0", temp)
	}
	if len(ns.Q01) != p.Shape.D {
		return nil, fmt.Errorf("vla: norm stats have %d dims, the policy writes %d", len(ns.Q01), p.Shape.D)
	}
	if shards < 1 || rows < 1 {
		return nil, fmt.Errorf("vla: sampler with %d rows and %d decoder shards: want ≥ 1 of each", rows, shards)
	}
	s := &Sampler{p: p, ns: ns, temp: temp}
	per := (rows + shards - 1) / shards
	for k := range shards {
		s.shards = append(s.shards, &shard{dec: model.NewDecoder(p.Model, per, p.Shape.SeqLen()+1),
			rng: rand.New(rand.NewPCG(seed, 0x5eed+uint64(k)))})
	}
	return s, nil
}

// Refresh re-reads the model weights after an update.
func (s *Sampler) Refresh() {
	for _, sh := range s.shards {
		sh.dec.Refresh()
	}
}

// SetTemperature changes the sampling temperature (0: greedy).
func (s *Sampler) SetTemperature(t float64) { s.temp = t }

// Act implements env.Policy.
func (s *Sampler) Act(ctx context.Context, ds []Decision) ([][][]float32, error) {
	out := make([][][]float32, 0, len(ds))
	rows := s.shards[0].dec.Rows() * len(s.shards)
	for lo := 0; lo < len(ds); lo += rows {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		part, err := s.actPass(ds[lo:min(lo+rows, len(ds))])
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

// actPass splits at most Rows×shards decisions into one contiguous part per shard (the first
// parts one larger when they do not divide), decodes the parts in parallel and records the
// decisions in order.
func (s *Sampler) actPass(ds []Decision) ([][][]float32, error) {
	n, k := len(ds), len(s.shards)
	out := make([][][]float32, n)
	feats := make([]*Features, n)
	tokens := make([][]int, n)
	errs := make([]error, k)
	var wg sync.WaitGroup
	lo := 0
	for i, sh := range s.shards {
		hi := lo + n/k
		if i < n%k {
			hi++
		}
		if hi > lo {
			wg.Add(1)
			go func(lo, hi int) {
				defer wg.Done()
				errs[i] = sh.actRows(s, ds[lo:hi], out[lo:hi], feats[lo:hi], tokens[lo:hi])
			}(lo, hi)
		}
		lo = hi
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if s.Record != nil {
		for r := range n {
			s.Record(ds[r], feats[r], tokens[r])
		}
	}
	return out, nil
}

// Decision is env.Decision (the policy's input).
type Decision = env.Decision

// actRows decodes one chunk per decision for at most Rows decisions with this shard's decoder,
// writing the chunks, features and action tokens of ds[r] to out[r], feats[r] and tokens[r].
func (w *shard) actRows(s *Sampler, ds []Decision, out [][][]float32, feats []*Features, tokens [][]int) error {
	sh := s.p.Shape
	H, P := sh.Hidden, sh.Prefix()
	n := len(ds)
	step := make([]int, w.dec.Rows())
	active := make([]bool, w.dec.Rows())
	emb := make([]float32, P*H)
	for r, d := range ds {
		f, err := s.p.Features(d.Obs)
		if err != nil {
			return fmt.Errorf("env %s: step %d: %w", d.Episode, d.Step, err)
		}
		feats[r] = f
		s.p.Embed(f, emb)
		pre := make([][]float32, P)
		for i := range pre {
			pre[i] = emb[i*H : (i+1)*H]
		}
		logits, err := w.dec.PrefillPrefix(r, pre, append(append([]int(nil), f.Words...), tokAct))
		if err != nil {
			return err
		}
		tokens[r] = []int{s.pick(w.rng, logits)}
		active[r] = true
	}
	for i := 1; i < sh.ActTokens(); i++ {
		for r := range n {
			step[r] = tokens[r][i-1]
		}
		logits, err := w.dec.Step(step, active)
		if err != nil {
			return err
		}
		for r := range n {
			tokens[r] = append(tokens[r], s.pick(w.rng, logits[r]))
		}
	}
	for r := range n {
		chunk, err := s.p.Chunk(tokens[r], s.ns)
		if err != nil {
			return fmt.Errorf("env %s: step %d: %w", ds[r].Episode, ds[r].Step, err)
		}
		out[r] = chunk
	}
	return nil
}

// pick draws an action token from logits [V]: the softmax over the last Bins logits divided by the
// temperature drawn with rng, or their argmax at temperature 0.
func (s *Sampler) pick(rng *rand.Rand, logits []float32) int {
	V := len(logits)
	act := logits[V-Bins:]
	if s.temp == 0 {
		best := 0
		for i, v := range act {
			if v > act[best] {
				best = i
			}
		}
		return V - Bins + best
	}
	mx := act[0]
	for _, v := range act {
		mx = max(mx, v)
	}
	var p [Bins]float64
	sum := 0.0
	for i, v := range act {
		p[i] = math.Exp(float64(v-mx) / s.temp)
		sum += p[i]
	}
	u := rng.Float64() * sum
	for i := range p {
		u -= p[i]
		if u <= 0 {
			return V - Bins + i
		}
	}
	return V - 1
}

// Chunk turns K·D action tokens into an env chunk [K][D]: bins, their centres in [−1, 1], then
// Unnormalise (q01/q99, gripper binarised).
func (p *Policy) Chunk(tokens []int, ns env.NormStats) ([][]float32, error) {
	sh := p.Shape
	if len(tokens) != sh.ActTokens() {
		return nil, fmt.Errorf("vla: %d action tokens, want K·D = %d", len(tokens), sh.ActTokens())
	}
	norm := make([][]float32, sh.K)
	for k := range norm {
		norm[k] = make([]float32, sh.D)
		for d := range norm[k] {
			b, err := p.Vocab.TokenBin(tokens[k*sh.D+d])
			if err != nil {
				return nil, err
			}
			norm[k][d] = BinCentre(b)
		}
	}
	return Unnormalise(norm, ns)
}

// ChunkTokens is Chunk's inverse for a demonstration chunk [K][D] of env actions.
func (p *Policy) ChunkTokens(chunk [][]float32, ns env.NormStats) ([]int, error) {
	sh := p.Shape
	if err := env.CheckChunk("demo", 0, chunk, sh.K, sh.D); err != nil || len(chunk) != sh.K {
		return nil, fmt.Errorf("vla: demonstration chunk of %d rows: %v", len(chunk), err)
	}
	out := make([]int, 0, sh.ActTokens())
	for _, row := range Normalise(chunk, ns) {
		for _, x := range row {
			out = append(out, p.Vocab.BinToken(ValueBin(x)))
		}
	}
	return out, nil
}
