package trainer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/model/tokenizer"
)

// sampler is what draws the training rollouts: the local policy engine, or remote servers.
func (t *Trainer) sampler() Sampler {
	if t.remote != nil {
		return t.remote
	}
	return t.policy
}

// openRemote connects to the rollout servers when rollout.endpoints is set.
func (t *Trainer) openRemote() error {
	r := t.cfg.Rollout
	if len(r.Endpoints) == 0 {
		return nil
	}
	if t.newRemote == nil {
		return fmt.Errorf("rollout.endpoints %v: this program samples locally only", r.Endpoints)
	}
	e, err := t.newRemote(r.Endpoints, r.Model, r.APIKey)
	if err != nil {
		return fmt.Errorf("rollout.endpoints: %w", err)
	}
	t.remote = e
	return nil
}

// rolloutWeightsDir is where the trainer publishes weights for the rollout servers.
func (t *Trainer) rolloutWeightsDir() string { return filepath.Join(t.runDir, "rollout_weights") }

// syncRollout publishes the current policy weights and makes every rollout server load them; it
// returns timing_s/update_weights and the sync bandwidth. A no-op without remote rollouts.
func (t *Trainer) syncRollout(ctx context.Context) (map[string]float64, error) {
	if t.remote == nil {
		return nil, nil
	}
	return t.syncRolloutParams(ctx, t.policy.Params())
}

// syncRolloutParams is syncRollout with weights p (a version the asynchronous learner published).
func (t *Trainer) syncRolloutParams(ctx context.Context, p *model.Params) (map[string]float64, error) {
	dir, err := filepath.Abs(t.rolloutWeightsDir())
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("rollout weights: %w", err)
	}
	if err := p.Save(dir, "float32"); err != nil {
		return nil, fmt.Errorf("rollout weights: %w", err)
	}
	if err := tokenizer.WriteBuiltinFile(dir, t.tok); err != nil {
		return nil, fmt.Errorf("rollout weights: %w", err)
	}
	m, err := t.remote.SyncWeights(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("weight sync to the rollout servers: %w", err)
	}
	return m, nil
}
