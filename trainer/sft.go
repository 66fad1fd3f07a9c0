package trainer

import (
	"context"
	"fmt"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/metric"
)

// sftWarmup trains the fresh model on demonstrations with the negative log-likelihood (the unified
// estimator with π_ref = π_θ and Â = 1), on its own optimiser, then hands the weights (and, with
// sft.keep_optimizer, the optimizer state) to the RL learner.
func (t *Trainer) sftWarmup(ctx context.Context) error {
	c := t.cfg.SFT
	if c.Steps == 0 {
		return nil
	}
	nll, err := algo.NewLoss(algo.LossConfig{Name: "reinforce", Agg: algo.Aggregation{Mode: algo.TokenMean}})
	if err != nil {
		return fmt.Errorf("sft loss: %w", err)
	}
	cfg := optimizerConfig(t.cfg, c.LR, c.Steps)
	cfg.Schedule, cfg.WarmupSteps, cfg.MinLRRatio = "cosine", min(10, c.Steps/10), c.MinLRRatio
	sft, err := t.newLearner(t.policy.Params(), cfg)
	if err != nil {
		return fmt.Errorf("sft engine: %w", err)
	}
	t.logf("sft: %d steps × %d demonstrations, lr %g", c.Steps, c.BatchRows, c.LR)
	for step := 1; step <= c.Steps; step++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		exs, err := t.demos.batch(step, c.BatchRows)
		if err != nil {
			return fmt.Errorf("sft data: %w", err)
		}
		rows := make([]engine.Row, len(exs))
		for i, ex := range exs {
			p, err := t.encodePrompt(ex)
			if err != nil {
				return err
			}
			r, mask, err := t.encodeDemo(ctx, ex.Demonstration) // tools' replies masked
			if err != nil {
				return fmt.Errorf("demonstration of row %q: %w", ex.ID, err)
			}
			adv := make([]float32, len(r))
			for j := range adv {
				adv[j] = 1
			}
			rows[i] = engine.Row{Prompt: p, Response: r, Advantages: adv, LossMask: mask}
		}
		m, err := sft.Update(ctx, rows, nll, engine.UpdateOptions{Temperature: 1, MicroBatchRows: t.cfg.Run.MicroBatchRows,
			Seed: streamSeed(t.cfg.Run.Seed, "sft-loss", step)})
		if err != nil {
			return fmt.Errorf("sft step %d: %w", step, err)
		}
		if step == 1 || step%25 == 0 || step == c.Steps {
			t.logf("sft step %4d/%d  nll %.4f  grad_norm %.3f", step, c.Steps, m[metric.PGLoss], m[metric.GradNorm])
		}
	}
	// The RL learner starts from the warmed-up weights, with a fresh optimiser unless keep_optimizer.
	if err := t.openEngines(sft.Params().Clone()); err != nil {
		return err
	}
	if !c.KeepOptimizer {
		return nil
	}
	return t.handOver(sft)
}
