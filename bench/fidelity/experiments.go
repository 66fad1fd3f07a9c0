package main

import "fmt"

// Every setting of the bench, fixed before any seed ran (issue #21: no tuning against the table).
// The scale is set by the 2-core machine shared by five engineers (load 12–16 while this ran): the
// 250-step SFT start cost 794 CPU-seconds, a 12-step GRPO run of 8 prompts with five evaluations 21.
// (A first pass at that 12-step scale was stopped after its first run, for cost alone, and these
// budgets fixed for every experiment before any other run.) Variables only so that --smoke can
// shrink them.
var (
	rlSteps     = 30  // RL steps of every run of experiments 1–6 (and of the JustRL ablations)
	longSteps   = 60  // experiment 7's plain JustRL run: twice the others' budget
	evalEvery   = 10  // held-out evaluation every this many RL steps
	fineEvery   = 5   // … and every 5 for the shared GRPO run (the entropy-law fit needs points)
	evalGreedy  = 200 // held-out problems decoded greedily at each evaluation (val/accuracy)
	passK       = 16  // samples per problem for pass@k, maj@k and distinct correct answers
	passKProbs  = 32  // held-out problems sampled passK times at each evaluation
	prompts     = 16  // prompts per RL step (× algo.batch.rollouts = 8 responses)
	miniPrompts = 8   // prompts per optimiser update (2 updates per RL step)
	sftSteps    = 250 // the default recipe's warm-up: the SFT start of experiments 1–5 and 7
	arithSFT    = 60  // experiment 5's SFT start on arith (TTRL needs one answer per problem)
	arithLevel  = 1   // arith level 1: 2 operands 0..9 with + −
)

// start is an SFT starting point: a `justrl` run with run.steps = 0, trained once (seed 1) and
// shared by every seed's RL runs, so that seeds vary the RL phase only.
type start struct {
	name string
	sets []string
}

var countdownSFT, arithStart *start

var runGRPO, runClipCov, runKLCov, runFlowRL, runPPO, runTTRL, runHPT, runRLOnly, runSFTOnly, runSFTRL,
	runJust, runJustLen, runJustLenient runSpec

// runSpec is one training run of an experiment (for each seed).
type runSpec struct {
	name   string   // run name; the run directory is OUT/runs/NAME-sSEED
	preset string   // method preset
	from   *start   // SFT checkpoint the run starts from
	sets   []string // overrides after the common ones
}

// common are the overrides of every run, before its own.
func common(steps, every int) []string {
	return []string{fmt.Sprintf("run.steps=%d", steps), "sft.steps=0", "run.save_every=0", "run.keep_checkpoints=1",
		"run.samples_per_step=0", fmt.Sprintf("eval.problems=%d", evalGreedy), fmt.Sprintf("eval.every=%d", every),
		fmt.Sprintf("eval.pass_k=%d", passK), fmt.Sprintf("eval.pass_k_problems=%d", passKProbs),
		fmt.Sprintf("algo.batch.prompts=%d", prompts), fmt.Sprintf("algo.batch.mini_batch_prompts=%d", miniPrompts)}
}

func rl(name, preset string, from *start, steps, every int, sets ...string) runSpec {
	return runSpec{name: name, preset: preset, from: from, sets: append(common(steps, every), sets...)}
}

// setup builds the starts, runs and experiments from the settings.
func setup() {
	countdownSFT = &start{fmt.Sprintf("countdown-sft%d", sftSteps), []string{fmt.Sprintf("sft.steps=%d", sftSteps), "eval.problems=0"}}
	arithStart = &start{fmt.Sprintf("arith-sft%d", arithSFT), []string{fmt.Sprintf("sft.steps=%d", arithSFT), "data.task=arith",
		fmt.Sprintf("data.level=%d", arithLevel), "eval.problems=0"}}

	// The runs. Clip-Cov and KL-Cov run without the dynamic sampling of their presets so that they
	// differ from the GRPO baseline in the loss only; PPO samples 8 responses per prompt (its
	// preset: 1) so that every method of experiment 4 sees the same responses per step.
	runGRPO = rl("grpo", "grpo", countdownSFT, rlSteps, fineEvery)
	runClipCov = rl("clip_cov", "clip_cov", countdownSFT, rlSteps, evalEvery, "algo.reward.filter_groups.enabled=false")
	runKLCov = rl("kl_cov", "kl_cov", countdownSFT, rlSteps, evalEvery, "algo.reward.filter_groups.enabled=false")
	runFlowRL = rl("flowrl", "flowrl", countdownSFT, rlSteps, evalEvery)
	runPPO = rl("ppo", "ppo", countdownSFT, rlSteps, evalEvery, "algo.batch.rollouts=8")
	// TTRL trains and is evaluated on the task of its start (the first pass omitted these two and
	// ran on Countdown from the arith start: 0 % before and after, a bench bug, not a finding).
	// Its preset's cosine schedule is replaced by a constant one: continued from the SFT start's
	// optimizer, the RL phase's cosine starts at the start's step count, past its own end, so the
	// learning rate is its floor, 0, at every step (a trainer bug this bench found; see the note
	// in docs/benchmarks.md, "Fidelity bench"). The trainer is fixed (a handed-over schedule
	// starts at its origin); the recorded rows ran with the constant schedule, which stays so
	// that the cached runs and docs/fidelity.md remain what this spec produces.
	runTTRL = rl("ttrl", "ttrl", arithStart, rlSteps, evalEvery, "data.task=arith", fmt.Sprintf("data.level=%d", arithLevel),
		"algo.optim.schedule=constant")
	// Experiment 6's weak start is the shared SFT start (10 % held-out on Countdown level 1);
	// RL-only is the GRPO run.
	runHPT = rl("hpt", "hpt", countdownSFT, rlSteps, evalEvery)
	runRLOnly = runGRPO
	// SFT-only: the start trained on demonstrations for rlSteps more steps, then evaluated.
	runSFTOnly = runSpec{name: "sft-more", preset: "justrl", from: countdownSFT, sets: append(common(0, evalEvery),
		fmt.Sprintf("sft.steps=%d", rlSteps))}
	// SFT→RL: half the budget on demonstrations, then GRPO for the other half.
	runSFTRL = rl("sft-grpo", "grpo", countdownSFT, rlSteps/2, evalEvery, fmt.Sprintf("sft.steps=%d", rlSteps/2))
	runJust = rl("justrl", "justrl", countdownSFT, longSteps, evalEvery)
	// JustRL's ablations (spec §3.5): DAPO's soft overlong penalty on the last 8 of 36 tokens
	// (factor 1), or the lenient Countdown checker in place of the strict one (evaluation stays strict).
	runJustLen = rl("justrl-overlong", "justrl", countdownSFT, rlSteps, evalEvery,
		"algo.reward.overlong.enabled=true", "algo.reward.overlong.buffer=8", "algo.reward.overlong.factor=1")
	runJustLenient = rl("justrl-lenient", "justrl", countdownSFT, rlSteps, evalEvery, "algo.reward.verifier=lenient")
	setKeys()
	buildExperiments()
}

// experiment is one row group of the table: the runs it needs and the claims it judges.
type experiment struct {
	num    int
	paper  string
	claim  string
	runs   []runSpec
	judge  func(b *bench, seeds []uint64) ([]claimRow, error)
	plots  func(b *bench, seeds []uint64, dir string) ([]string, error)
	noTrai bool // experiment 8: no training
}

var experiments []*experiment

func buildExperiments() {
	experiments = []*experiment{
		{num: 1, paper: "Entropy Mechanism", claim: "under GRPO entropy falls fast early and accuracy follows R = −a·e^H + b (high R², ceiling −a + b)",
			runs: []runSpec{runGRPO}, judge: judgeLaw, plots: plotLaw},
		{num: 2, paper: "Entropy Mechanism", claim: "Cov(log π, A) tracks the entropy change step by step and stays mostly positive",
			runs: []runSpec{runGRPO}, judge: judgeCov, plots: plotCov},
		{num: 3, paper: "Entropy Mechanism", claim: "Clip-Cov and KL-Cov keep entropy above GRPO's and end higher on held-out accuracy / pass@k",
			runs: []runSpec{runGRPO, runClipCov, runKLCov}, judge: judgeCovMethods, plots: plotCovMethods},
		{num: 4, paper: "FlowRL", claim: "FlowRL keeps more distinct correct solutions and higher pass@k (k = 1…16) than GRPO and PPO",
			runs: []runSpec{runGRPO, runFlowRL, runPPO}, judge: judgeFlow, plots: plotFlow},
		{num: 5, paper: "TTRL", claim: "majority-vote rewards without labels raise pass@1, beyond the initial maj@N",
			runs: []runSpec{runTTRL}, judge: judgeTTRL, plots: plotTTRL},
		{num: 6, paper: "HPT", claim: "from a weak start HPT beats SFT-only, RL-only and SFT→RL, and keeps pass@k above SFT-only",
			runs: []runSpec{runHPT, runSFTOnly, runRLOnly, runSFTRL}, judge: judgeHPT, plots: plotHPT},
		{num: 7, paper: "JustRL", claim: "fixed hyperparameters improve without collapse; an overlong penalty or a lenient verifier lowers the result",
			runs: []runSpec{runJust, runJustLen, runJustLenient}, judge: judgeJustRL, plots: plotJustRL},
		{num: 8, paper: "Unified estimator", claim: "SFT is the estimator with π_ref = π_θ and Â = 1; every preset is four parts",
			judge: judgeUnified, noTrai: true},
	}
}

func experimentByNum(n int) *experiment {
	for _, e := range experiments {
		if e.num == n {
			return e
		}
	}
	return nil
}
