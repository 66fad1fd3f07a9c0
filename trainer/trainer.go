// Package trainer is Ascent's RL loop: prompts → rollouts → rewards → advantages → policy update,
// with checkpoints that resume exactly and metrics under verl's names.
//
//	ascent train                                  # the default recipe (JustRL, tiny model, countdown)
//	ascent train --preset grpo --set run.steps=100
//	ascent train --resume runs/<run-id>
//
// One RL step (spec/algorithms.md §9.1): take P prompts → sample n responses each → score them →
// shape (DAPO overlong), select (dynamic sampling, TTRL first-N), route (HPT) → old and reference
// log-probs → advantages → ppo_epochs × mini-batches of Learner.Update with the preset's loss. The
// trainer knows the policy only through the Learner, Sampler and Remote interfaces it declares and
// the constructors Run is given (engine/local's NewLearner, engine/openai's Dial): it imports no
// engine implementation. It knows the rollout only through rollout.Workflow and the method only
// through algo.Config.
package trainer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/config"
	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/internal/buildinfo"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/model/tokenizer"
	"github.com/ascent-rl/ascent/track"
)

// Summary is what a finished run reports (and writes to summary.json).
type Summary struct {
	RunDir     string  `json:"run_dir"`     // the run directory
	Steps      int     `json:"steps"`       // RL steps completed
	EvalBefore float64 `json:"eval_before"` // held-out accuracy after the SFT warm-up, before RL
	EvalAfter  float64 `json:"eval_after"`  // held-out accuracy after RL
	Seconds    float64 `json:"seconds"`     // wall time of this invocation
}

// Trainer runs one training run.
type Trainer struct {
	cfg    Config
	out    io.Writer
	runDir string
	run    *track.Run
	tok    tokenizer.Tokenizer
	policy Learner
	ref    Learner // frozen reference policy; nil unless the loss or KL needs it
	remote Remote  // rollout servers; nil when sampling locally
	// newLearner builds the policy, reference and warm-up learners.
	newLearner func(p *model.Params, o engine.OptimizerConfig) (Learner, error)
	// newRemote connects to rollout.endpoints.
	newRemote func(endpoints []string, model, apiKey string) (Remote, error)
	prog      *progress // the live display during RL steps; nil outside them
	train     *data.Sampler
	val       []data.Example
	// distinctTrain and distinctVal count the distinct problems among the built-in task's training
	// problems and the held-out set (0 when not counted): a small task level repeats problems, so a
	// run can memorise its training set while the held-out set holds few distinct problems.
	distinctTrain, distinctVal int
	demos                      *demoSource
	scorer                     *scorer
	tools                      *toolSet // rollout.tools (nil: single-turn rollouts)
	// evalMaxLen is algo.batch.max_response_len as configured, for evaluations (stages change the
	// live value).
	evalMaxLen int
	// valScore is the last evaluation's mean score (metric.ValScore); scored says this process
	// has evaluated.
	valScore float64
	scored   bool
	actor    algo.Loss
	adv      algo.AdvantageEstimator
	state    State
	// async is the rollout producer while an asynchronous run's RL steps run (nil: synchronous).
	async *asyncRun
	// forceAsync runs the producer even at max_staleness 0 (tests: it must equal the synchronous loop).
	forceAsync bool
	evalExtra  metrics // the last evaluation's sampled metrics (eval.pass_k; diversity.go)
}

// Run trains from scratch with cfg, or resumes the run in resumeDir when it is not "". newLearner
// builds the learners (engine/local's NewLearner) and newRemote connects to rollout.endpoints when
// they are set (engine/openai's Dial).
func Run[L Learner, R Remote](ctx context.Context, cfg Config, resumeDir string, out io.Writer, newLearner NewLearner[L], newRemote NewRemote[R]) (Summary, error) {
	start := time.Now()
	t, err := open(cfg, resumeDir, out, learnerFunc(newLearner), remoteFunc(newRemote))
	if err != nil {
		return Summary{}, err
	}
	sum, err := t.loop(ctx)
	sum.Seconds = time.Since(start).Seconds()
	status := track.StatusCompleted
	switch {
	case errors.Is(err, context.Canceled):
		status = track.StatusInterrupted
	case err != nil:
		status = track.StatusFailed
	}
	if ferr := t.run.Finish(status); err == nil && ferr != nil {
		err = ferr
	}
	return sum, err
}

// learnerFunc turns a constructor of a concrete learner into one of Learner.
func learnerFunc[L Learner](newLearner NewLearner[L]) func(*model.Params, engine.OptimizerConfig) (Learner, error) {
	return func(p *model.Params, o engine.OptimizerConfig) (Learner, error) {
		l, err := newLearner(p, o)
		if err != nil {
			return nil, err
		}
		return l, nil
	}
}

// remoteFunc turns a constructor of a concrete remote into one of Remote.
func remoteFunc[R Remote](newRemote NewRemote[R]) func([]string, string, string) (Remote, error) {
	return func(endpoints []string, model, apiKey string) (Remote, error) {
		r, err := newRemote(endpoints, model, apiKey)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}

// open prepares everything before the first step: config, data, model, engines, run directory.
// Every check that can fail on bad input happens here, before any training work.
func open(cfg Config, resumeDir string, out io.Writer, newLearner func(*model.Params, engine.OptimizerConfig) (Learner, error),
	newRemote func([]string, string, string) (Remote, error)) (*Trainer, error) {
	if resumeDir != "" {
		var err error
		if cfg, err = LoadConfig("", filepath.Join(resumeDir, track.FileConfig), nil); err != nil {
			return nil, fmt.Errorf("resume %s: %w", resumeDir, err)
		}
	}
	t := &Trainer{cfg: cfg, out: out, newLearner: newLearner, newRemote: newRemote, evalMaxLen: cfg.Algo.Batch.MaxResponseLen}
	a := cfg.Algo
	var err error
	if t.tok, err = tokenizer.Open(cfg.Model.Tokenizer); err != nil {
		return nil, fmt.Errorf("model.tokenizer: %w", err)
	}
	if err := t.openData(); err != nil {
		return nil, err
	}
	if t.scorer, err = newScorer(cfg); err != nil {
		return nil, err
	}
	if t.tools, err = newToolSet(cfg, t.tok); err != nil {
		return nil, err
	}
	if t.adv, err = a.NewAdvantage(); err != nil {
		return nil, err
	}
	if t.actor, err = newLoss(a); err != nil {
		return nil, err
	}
	params, err := initialParams(cfg, t.tok)
	if err != nil {
		return nil, err
	}
	if err := t.openEngines(params); err != nil {
		return nil, err
	}
	if err := t.openRemote(); err != nil {
		return nil, err
	}
	if resumeDir != "" {
		return t, t.resume(resumeDir)
	}
	if err := t.loadInitOptimizer(); err != nil {
		return nil, err
	}
	yamlCfg, err := config.YAML(cfg)
	if err != nil {
		return nil, err
	}
	t.run, err = track.Open(cfg.Run.Out, track.RunMeta{ID: cfg.Run.Name, Name: cfg.Preset, Preset: cfg.Preset,
		ConfigYAML: string(yamlCfg), GitRev: buildinfo.Revision()})
	if err != nil {
		return nil, err
	}
	t.runDir = t.run.Dir()
	t.printBanner()
	return t, nil
}

// builtinModel reports whether model.init names a built-in size rather than a directory.
func builtinModel(init string) bool { return init == "tiny" || init == "small30m" }

// initialParams builds or loads the starting weights and checks them against the tokenizer.
func initialParams(cfg Config, tok tokenizer.Tokenizer) (*model.Params, error) {
	var p *model.Params
	switch {
	case builtinModel(cfg.Model.Init):
		mc := model.TinyConfig()
		if cfg.Model.Init == "small30m" {
			mc = model.Small30MConfig()
		}
		if cfg.Model.Context > 0 {
			mc.MaxPositionEmbeddings = cfg.Model.Context
		}
		mc.VocabSize = tok.VocabSize()
		sp := tok.Specials()
		mc.BOSTokenID, mc.EOSTokenID = max(sp.BOS, 0), max(sp.EOS, 0)
		p = model.NewRandom(mc, streamSeed(cfg.Run.Seed, "init"))
	default:
		var err error
		if p, err = model.Load(cfg.Model.Init); err != nil {
			return nil, fmt.Errorf("model.init: %w", err)
		}
		if n := cfg.Model.Context; n > 0 && n != p.Config.MaxPositionEmbeddings {
			return nil, fmt.Errorf("model.context %d: the checkpoint %s has a context of %d; set model.context to 0 or %d",
				n, cfg.Model.Init, p.Config.MaxPositionEmbeddings, p.Config.MaxPositionEmbeddings)
		}
	}
	if p.Config.VocabSize < tok.VocabSize() {
		return nil, fmt.Errorf("model.init: vocab_size %d is smaller than the tokenizer's %d (model.tokenizer %q)",
			p.Config.VocabSize, tok.VocabSize(), cfg.Model.Tokenizer)
	}
	need := cfg.Algo.Batch.MaxPromptLen + cfg.Algo.Batch.MaxResponseLen
	if need > p.Config.MaxPositionEmbeddings {
		return nil, fmt.Errorf("algo.batch: max_prompt_len %d + max_response_len %d = %d exceeds the model's context of %d tokens",
			cfg.Algo.Batch.MaxPromptLen, cfg.Algo.Batch.MaxResponseLen, need, p.Config.MaxPositionEmbeddings)
	}
	for i, st := range cfg.Stages {
		if n := cfg.Algo.Batch.MaxPromptLen + st.MaxResponseLen; n > p.Config.MaxPositionEmbeddings {
			return nil, fmt.Errorf("stages[%d]: max_prompt_len %d + max_response_len %d = %d exceeds the model's context of %d tokens",
				i, cfg.Algo.Batch.MaxPromptLen, st.MaxResponseLen, n, p.Config.MaxPositionEmbeddings)
		}
	}
	return p, nil
}

// detok turns response tokens into text, dropping special tokens (verl: skip_special_tokens).
func (t *Trainer) detok(ids []int) string {
	sp := t.tok.Specials()
	keep := make([]int, 0, len(ids))
	for _, id := range ids {
		if id != sp.EOS && id != sp.PAD && id != sp.BOS {
			keep = append(keep, id)
		}
	}
	s, err := t.tok.Decode(keep)
	if err != nil {
		return ""
	}
	return s
}

// logf prints a progress line.
func (t *Trainer) logf(format string, args ...any) {
	if t.out != nil {
		fmt.Fprintf(t.out, format+"\n", args...)
	}
}

// refDir is where the frozen reference weights live in the run directory.
func (t *Trainer) refDir() string { return filepath.Join(t.runDir, "reference") }

// saveReference persists the frozen reference so a resumed run uses the same π_ref.
func (t *Trainer) saveReference() error {
	if t.ref == nil {
		return nil
	}
	if _, err := os.Stat(filepath.Join(t.refDir(), "config.json")); err == nil {
		return nil
	}
	return t.ref.Params().Save(t.refDir(), "float32")
}

// loadReference restores the frozen reference saved by saveReference.
func (t *Trainer) loadReference() error {
	p, err := model.Load(t.refDir())
	if err != nil {
		return fmt.Errorf("resume: reference weights: %w", err)
	}
	return t.openReference(p)
}
