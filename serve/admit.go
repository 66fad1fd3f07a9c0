package serve

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/ascent-rl/ascent/model"
)

// admit moves waiting sequences into free rows, oldest request first.
func (b *scheduler) admit() {
	admitted := 0
	for {
		free := b.rows - b.live()
		b.mu.Lock()
		if free == 0 || len(b.pending) == 0 {
			b.mu.Unlock()
			break
		}
		q := b.pending[0]
		b.mu.Unlock()
		l := b.laneOf(q.w)
		if q.next == 0 {
			q.out.mu.Lock()
			q.out.version = q.w.version
			q.out.mu.Unlock()
			admitted++
		}
		if err := b.admitPrompt(l, q, free); err != nil {
			q.out.fail(err)
			q.next = len(q.prompts) * q.n
		}
		if q.next == len(q.prompts)*q.n {
			b.mu.Lock()
			b.pending = slices.Delete(b.pending, 0, 1)
			b.mu.Unlock()
		}
	}
	if admitted > 0 {
		b.last = admitted
	}
}

// admitPrompt admits up to free more samples of q's next prompt into l: one Prefill (with the
// prompt log-probs when asked), CopyRow for the other samples, and each sample's first token.
func (b *scheduler) admitPrompt(l *lane, q *request, free int) error {
	pi, j0 := q.next/q.n, q.next%q.n
	prompt := q.prompts[pi]
	count := min(free, q.n-j0)
	var src = -1
	var logits []float32
	for c := 0; c < count; c++ {
		i := slices.Index(l.rows, nil)
		j := j0 + c
		r := &row{req: q, seq: pi*q.n + j, prompt: prompt, rng: rand.New(rand.NewPCG(q.p.Seed, uint64(pi)<<20|uint64(j)))}
		l.rows[i], l.live = r, l.live+1
		if src < 0 {
			var err error
			if logits, err = b.prefill(l.w.dec, i, q, pi, j == 0); err != nil {
				l.free(i)
				return fmt.Errorf("prefill prompt %d: %w", pi, err)
			}
			src = i
		} else {
			l.w.dec.CopyRow(i, src)
		}
		q.next++
		if q.p.MaxTokens == 0 { // echo: the prompt's log-probs are the answer
			q.out.push(event{seq: r.seq, tok: -1, finish: "length"})
			l.free(i)
			continue
		}
		if b.sample(l, i, logits) {
			l.free(i)
		}
	}
	return nil
}

// prefill runs prompt pi of q through row i and returns the next-token logits (a copy). With
// prompt log-probs asked for (and report set: the first sample of the prompt), it feeds the
// prompt one token at a time to read the logits at every position.
func (b *scheduler) prefill(dec *model.Decoder, i int, q *request, pi int, report bool) ([]float32, error) {
	prompt := q.prompts[pi]
	if q.promptLP < 0 || !report {
		return dec.Prefill(i, prompt)
	}
	logits, err := dec.Prefill(i, prompt[:1])
	if err != nil {
		return nil, err
	}
	lps := make([]promptLogprob, len(prompt))
	toks, active := make([]int, dec.Rows()), make([]bool, dec.Rows())
	active[i] = true
	for k := 1; k < len(prompt); k++ {
		lp, rank := model.LogProbRank(logits, prompt[k])
		lps[k] = promptLogprob{id: prompt[k], lp: lp, rank: rank, top: model.TopLogProbs(logits, q.promptLP)}
		toks[i] = prompt[k]
		out, err := dec.Step(toks, active)
		if err != nil {
			return nil, err
		}
		logits = slices.Clone(out[i])
	}
	q.out.push(event{seq: pi * q.n, tok: -1, prompt: lps})
	return logits, nil
}
