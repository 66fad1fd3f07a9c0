package trainer

import (
	"fmt"
	"strings"

	"github.com/ascent-rl/ascent/config"
	"github.com/ascent-rl/ascent/track"
)

// Derived are the batch quantities implied by the config (verl's config counts prompts, which
// confuses everyone; the banner prints what actually happens).
type Derived struct {
	RowsPerStep        int // prompts × rollouts trained on per step (after TTRL selection)
	GeneratedPerStep   int // responses sampled per step (TTRL votes, before dynamic-sampling retries)
	MiniBatches        int // mini-batches per epoch
	UpdatesPerStep     int // optimiser updates per RL step
	RowsPerUpdate      int // rows in one optimiser update
	MaxTokensPerUpdate int // upper bound of tokens per update (rows × (prompt + response) lengths)
	TotalUpdates       int // optimiser updates over the run
}

// Derive computes the banner's quantities.
func Derive(c Config) Derived {
	b := c.Algo.Batch
	gen, train := b.Rollouts, b.Rollouts
	if c.Algo.Reward.Vote.Enabled {
		gen, train = c.Algo.Reward.Vote.NVotes, c.Algo.Reward.Vote.NTrain
	}
	mbs := b.Prompts / b.MiniBatchPrompts
	d := Derived{
		RowsPerStep:      b.Prompts * train,
		GeneratedPerStep: b.Prompts * gen,
		MiniBatches:      mbs,
		UpdatesPerStep:   mbs * b.PPOEpochs,
		RowsPerUpdate:    b.MiniBatchPrompts * train,
	}
	d.MaxTokensPerUpdate = d.RowsPerUpdate * (b.MaxPromptLen + b.MaxResponseLen)
	d.TotalUpdates = d.UpdatesPerStep * c.Run.Steps
	return d
}

// printBanner prints the derived quantities and the resolved config.
func (t *Trainer) printBanner() {
	if t.out == nil {
		return
	}
	d := Derive(t.cfg)
	a := t.cfg.Algo
	var sb strings.Builder
	fmt.Fprintf(&sb, "ascent train: preset %s (%s)\n", a.Name, a.Paper)
	fmt.Fprintf(&sb, "  run dir            %s\n", t.runDir)
	fmt.Fprintf(&sb, "  model              %s (%d params), tokenizer %s\n", t.cfg.Model.Init, t.policy.Params().NumParams(), t.tok.Name())
	fmt.Fprintf(&sb, "  data               %s\n", t.dataLabel())
	fmt.Fprintf(&sb, "  rows per step      %d = %d prompts × %d responses (%d sampled)\n", d.RowsPerStep, a.Batch.Prompts, d.RowsPerStep/a.Batch.Prompts, d.GeneratedPerStep)
	fmt.Fprintf(&sb, "  mini-batches       %d per epoch × %d epochs = %d optimiser updates per step (%d in all)\n", d.MiniBatches, a.Batch.PPOEpochs, d.UpdatesPerStep, d.TotalUpdates)
	fmt.Fprintf(&sb, "  rows per update    %d (≤ %d tokens)\n", d.RowsPerUpdate, d.MaxTokensPerUpdate)
	fmt.Fprintf(&sb, "  steps              %d RL (after %d SFT warm-up steps), eval on %d held-out problems%s\n", t.cfg.Run.Steps, t.cfg.SFT.Steps, len(t.val), t.valNote())
	if line := t.cfg.stagesLine(); line != "" {
		fmt.Fprintf(&sb, "  stages             %s\n", line)
	}
	if y, err := config.YAML(t.cfg); err == nil {
		sb.WriteString("  resolved config (config.yaml):\n")
		for _, line := range strings.Split(strings.TrimRight(string(y), "\n"), "\n") {
			sb.WriteString("    " + line + "\n")
		}
	}
	sb.WriteString("  " + track.DashHint(t.cfg.Run.Out) + "\n")
	fmt.Fprint(t.out, sb.String())
}

func (t *Trainer) dataLabel() string {
	if t.cfg.Data.TrainFile != "" {
		return t.cfg.Data.TrainFile
	}
	return fmt.Sprintf("built-in task %s, level %d (%d training problems per epoch%s)", t.cfg.Data.Task, t.cfg.Data.Level, t.cfg.Data.TrainSize,
		strings.TrimSuffix(strings.Replace(distinctNote(t.distinctTrain, t.cfg.Data.TrainSize), " (", ", ", 1), ")"))
}

// valNote says when the held-out set is smaller than eval.problems because eval.distinct found
// fewer distinct problems in the built-in task's split, or else how many distinct problems a
// held-out set with repeats holds.
func (t *Trainer) valNote() string {
	if t.cfg.Data.TrainFile == "" && t.cfg.Eval.Distinct && len(t.val) < t.cfg.Eval.Problems {
		return fmt.Sprintf(" (every distinct one of the split; eval.problems asks %d)", t.cfg.Eval.Problems)
	}
	return distinctNote(t.distinctVal, len(t.val))
}

// distinctNote is " (K distinct)" when only K of n problems differ, "" when all do or K is unknown.
func distinctNote(k, n int) string {
	if k == 0 || k >= n {
		return ""
	}
	return fmt.Sprintf(" (%d distinct)", k)
}
