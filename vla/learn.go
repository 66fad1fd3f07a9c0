package vla

import (
	"fmt"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/model/train"
)

// Row is one decision as a training sequence: the encoder inputs, the K·D action tokens, which of
// them are trained, the advantage and the log-probs at rollout time.
type Row struct {
	F      *Features
	Tokens []int     // [K·D] action tokens
	Mask   []float32 // [K·D] 1 for tokens that are trained (those executed before the episode ended)
	Adv    float32   // the episode's advantage, broadcast to every token
	Old    []float32 // [K·D] log-probs at rollout time (RL rows)
}

// Learner trains a policy with the hand-written forward and backward pass of model/train, its
// input-embedding prefix carrying the encoder's gradient, and the local engine's host learner
// (the algo loss graph, gradient clipping and AdamW) over the transformer and encoder weights.
type Learner struct {
	p      *Policy
	net    *train.Net
	pass   *train.Pass
	host   *local.HostLearner
	micro  int
	grads  *model.Params
	enc    *EncoderGrads
	params [][]float32 // trained tensors: the model's, then the encoder's
	gradsL [][]float32 // their gradients, same order
}

// NewLearner returns a learner for p with AdamW at lr, gradient clip clip and micro-batches of
// micro rows.
func NewLearner(p *Policy, lr, weightDecay, clip float64, micro int) (*Learner, error) {
	if micro <= 0 {
		return nil, fmt.Errorf("vla: micro-batch of %d rows: want > 0", micro)
	}
	l := &Learner{p: p, net: train.New(p.Model), micro: micro, grads: train.ZeroGrads(p.Model), enc: p.newEncoderGrads()}
	var sizes []int
	var decay []bool
	pt, gt := modelTensors(p.Model), modelTensors(l.grads)
	for i, t := range pt {
		l.params, l.gradsL = append(l.params, t.Data), append(l.gradsL, gt[i].Data)
		sizes, decay = append(sizes, len(t.Data)), append(decay, len(t.Shape) >= 2)
	}
	for _, pair := range [][2][]float32{{p.PatchW, l.enc.PatchW}, {p.PatchB, l.enc.PatchB}, {p.PropW, l.enc.PropW}, {p.PropB, l.enc.PropB}, {p.Pos, l.enc.Pos}} {
		l.params, l.gradsL = append(l.params, pair[0]), append(l.gradsL, pair[1])
		sizes, decay = append(sizes, len(pair[0])), append(decay, len(pair[0]) > p.Shape.Hidden)
	}
	host, err := local.NewHostLearner(local.Config{LR: lr, WeightDecay: weightDecay, GradClip: clip}, sizes, decay)
	if err != nil {
		return nil, err
	}
	l.host = host
	return l, nil
}

// modelTensors lists the model's tensors in a fixed order (nil ones left out).
func modelTensors(p *model.Params) []*model.Tensor {
	out := []*model.Tensor{p.Embed, p.FinalNorm}
	if p.LMHead != nil {
		out = append(out, p.LMHead)
	}
	for _, l := range p.Layers {
		for _, t := range []*model.Tensor{l.InputNorm, l.Q, l.K, l.V, l.QBias, l.KBias, l.VBias, l.O, l.PostNorm, l.Gate, l.Up, l.Down} {
			if t != nil {
				out = append(out, t)
			}
		}
	}
	return out
}

// forward runs rows through the network at temperature temp and returns, per row, the log-probs
// and entropies of its action tokens ([len(rows)][K·D] each).
func (l *Learner) forward(rows []Row, temp float64) ([][]float32, [][]float32, error) {
	sh := l.p.Shape
	B, T, P, H, A := len(rows), sh.SeqLen(), sh.Prefix(), sh.Hidden, sh.ActTokens()
	l.pass = train.PassFor(l.pass, l.p.Model.Config, B, T)
	prefix := make([]float32, B*P*H)
	tokens, targets := make([]int32, B*T), make([]int32, B*T)
	start := P + sh.Words // position that predicts the first action token
	for b, r := range rows {
		if len(r.Tokens) != A {
			return nil, nil, fmt.Errorf("vla: row %d has %d action tokens, want %d", b, len(r.Tokens), A)
		}
		l.p.Embed(r.F, prefix[b*P*H:(b+1)*P*H])
		row := tokens[b*T : (b+1)*T]
		for t := range P {
			row[t] = tokImg
		}
		for i, w := range r.F.Words {
			row[P+i] = int32(w)
		}
		row[start] = tokAct
		for i := 0; i < A-1; i++ {
			row[start+1+i] = int32(r.Tokens[i])
		}
		for i := range A {
			targets[b*T+start+i] = int32(r.Tokens[i])
		}
	}
	if err := l.net.ForwardPrefix(l.pass, prefix, P, tokens, targets, temp); err != nil {
		return nil, nil, err
	}
	lp, ent := make([][]float32, B), make([][]float32, B)
	for b := range B {
		lp[b] = append([]float32(nil), l.pass.LogProbs()[b*T+start:b*T+start+A]...)
		ent[b] = append([]float32(nil), l.pass.Entropies()[b*T+start:b*T+start+A]...)
	}
	return lp, ent, nil
}

// backward back-propagates dLogp ([len(rows)][K·D], the gradient of each action token's
// log-prob) through the last forward into the gradient accumulators, encoder included.
func (l *Learner) backward(rows []Row, dLogp [][]float32) error {
	sh := l.p.Shape
	T, P, H, A := sh.SeqLen(), sh.Prefix(), sh.Hidden, sh.ActTokens()
	start := P + sh.Words
	d := make([]float32, len(rows)*T)
	for b := range rows {
		copy(d[b*T+start:b*T+start+A], dLogp[b])
	}
	if err := l.net.Backward(l.pass, d, nil, nil, l.grads); err != nil {
		return err
	}
	train.ClearRow(l.grads.Embed.Data, tokImg, H)
	dE := l.pass.PrefixGrad(P)
	for b, r := range rows {
		l.p.EmbedBack(r.F, dE[b*P*H:(b+1)*P*H], l.enc)
	}
	return nil
}

// LogProbs returns each row's action-token log-probs at temperature temp ([len(rows)][K·D]).
func (l *Learner) LogProbs(rows []Row, temp float64) ([][]float32, error) {
	var out [][]float32
	for lo := 0; lo < len(rows); lo += l.micro {
		lp, _, err := l.forward(rows[lo:min(lo+l.micro, len(rows))], temp)
		if err != nil {
			return nil, err
		}
		out = append(out, lp...)
	}
	return out, nil
}

// zero clears the gradient accumulators.
func (l *Learner) zero() {
	for _, g := range l.gradsL {
		clear(g)
	}
}

// step applies the accumulated gradients and refreshes the training view of the weights.
func (l *Learner) step(m map[string]float64) error {
	norm, lr, skipped, err := l.host.Step(l.params, l.gradsL)
	if err != nil {
		return err
	}
	m[metric.GradNorm], m[metric.LR] = norm, lr
	if skipped {
		m["actor/update_skipped"] = 1
	}
	l.net.Refresh()
	return nil
}

// SFTStep takes one AdamW step on the token-mean negative log-likelihood of rows' masked action
// tokens (temperature 1) and returns its metrics.
func (l *Learner) SFTStep(rows []Row) (map[string]float64, error) {
	l.zero()
	total := 0.0
	for _, r := range rows {
		for _, m := range r.Mask {
			total += float64(m)
		}
	}
	if total == 0 {
		return nil, fmt.Errorf("vla: SFT batch of %d rows has no trained tokens", len(rows))
	}
	nll := 0.0
	for lo := 0; lo < len(rows); lo += l.micro {
		part := rows[lo:min(lo+l.micro, len(rows))]
		lp, _, err := l.forward(part, 1)
		if err != nil {
			return nil, err
		}
		d := make([][]float32, len(part))
		for b, r := range part {
			d[b] = make([]float32, len(r.Mask))
			for i, m := range r.Mask {
				d[b][i] = -m / float32(total) // ∂(−Σ m·logp / Σ m)/∂logp
				nll -= float64(m * lp[b][i])
			}
		}
		if err := l.backward(part, d); err != nil {
			return nil, err
		}
	}
	m := map[string]float64{metric.SFTLoss: nll / total}
	return m, l.step(m)
}

// RLStep takes one AdamW step on loss (an algo policy loss reading log-probs, old log-probs,
// advantages and the mask) over rows at temperature temp, and returns the loss's metrics.
func (l *Learner) RLStep(rows []Row, loss algo.Loss, temp float64) (map[string]float64, error) {
	l.zero()
	A := l.p.Shape.ActTokens()
	tokens, seqs := 0, 0
	for _, r := range rows {
		n := 0
		for _, m := range r.Mask {
			n += int(m)
		}
		tokens += n
		if n > 0 {
			seqs++
		}
	}
	if tokens == 0 {
		return nil, fmt.Errorf("vla: RL batch of %d rows has no trained tokens", len(rows))
	}
	m := map[string]float64{}
	entSum := 0.0
	for lo := 0; lo < len(rows); lo += l.micro {
		part := rows[lo:min(lo+l.micro, len(rows))]
		lp, ent, err := l.forward(part, temp)
		if err != nil {
			return nil, err
		}
		B := len(part)
		sb := local.StatBatch{B: B, T: A, TokenCount: tokens, SeqCount: seqs, MicroFraction: float64(B) / float64(len(rows))}
		for b, r := range part {
			if len(r.Old) != A {
				return nil, fmt.Errorf("vla: row %d has %d old log-probs, want %d", lo+b, len(r.Old), A)
			}
			sb.LogProb = append(sb.LogProb, lp[b]...)
			sb.OldLogProb = append(sb.OldLogProb, r.Old...)
			sb.Mask = append(sb.Mask, r.Mask...)
			for i := range A {
				sb.Advantages = append(sb.Advantages, r.Adv)
				entSum += float64(r.Mask[i] * ent[b][i])
			}
		}
		lv, lm, g, err := l.host.LossGrad(loss, sb)
		if err != nil {
			return nil, err
		}
		m[metric.TotalLoss] += lv
		for k, v := range lm {
			m[k] += v
		}
		d := make([][]float32, B)
		for b := range B {
			d[b] = g[b*A : (b+1)*A]
		}
		if err := l.backward(part, d); err != nil {
			return nil, err
		}
	}
	m[metric.Entropy] = entSum / float64(tokens)
	return m, l.step(m)
}
