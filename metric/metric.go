// Package metric is the one table of logged metric names. They follow verl's names (and TRL's where
// verl has none), so dashboards written for verl read Ascent runs unchanged. Every package that
// logs or charts a metric names it from here: algo's and track's Metric* constants and reward's
// ratios are these names.
package metric

// Policy update (actor/*): the losses' terms and the optimizer's step.
const (
	PGLoss             = "actor/pg_loss"                    // aggregated policy-gradient loss (before the entropy and KL terms)
	PGClipFrac         = "actor/pg_clipfrac"                // fraction of valid tokens on the clipped branch (Clip-Cov: detached)
	PGClipFracLower    = "actor/pg_clipfrac_lower"          // fraction of valid tokens capped by the dual-clip bound
	PPOKL              = "actor/ppo_kl"                     // masked mean of old − logp (KL-Cov: |logp − old|)
	Entropy            = "actor/entropy"                    // token-mean entropy of the policy on the batch
	KLLoss             = "actor/kl_loss"                    // the KL loss term's KL(π_θ‖π_ref), before its coefficient
	KLCoef             = "actor/kl_coef"                    // the KL loss coefficient in effect
	RewardKL           = "actor/reward_kl_penalty"          // KL in the reward: batch mean of per-sequence masked-mean KL
	RewardKLCoef       = "actor/reward_kl_penalty_coeff"    // KL in the reward: the β applied this step
	SFTLoss            = "actor/sft_loss"                   // HPT's supervised term
	TotalLoss          = "actor/loss"                       // the whole actor loss
	CovSelected        = "actor/cov_selected_frac"          // fraction of valid tokens Clip-Cov / KL-Cov selected
	FlowLogZ           = "actor/flowrl_log_z"               // FlowRL's mean learned log Z
	FlowISWeight       = "actor/flowrl_is_weight"           // FlowRL's mean sequence importance weight
	FlowResidual       = "actor/flowrl_residual_sq"         // FlowRL's mean squared trajectory-balance residual
	GradNorm           = "actor/grad_norm"                  // global gradient norm before clipping
	LR                 = "actor/lr"                         // learning rate
	NumUpdates         = "actor/num_updates"                // optimizer updates this step
	VFLoss             = "critic/vf_loss"                   // clipped critic loss
	VFClipFrac         = "critic/vf_clipfrac"               // fraction of valid tokens where the clipped value error is larger
	UpdateRowsSkipped  = "perf/update_rows_skipped_ratio"   // rows left out of updates as inert (all-zero advantages)
	OldLogProbRows     = "perf/old_log_prob_rows_ratio"     // share of rows the old-log-prob pass scored (run.old_log_probs: updated)
	RolloutProbsDiffMx = "training/rollout_probs_diff_max"  // max |p_sampler − p_trainer| over tokens
	RolloutProbsDiff   = "training/rollout_probs_diff_mean" // mean |p_sampler − p_trainer| over tokens
	TrainingStage      = "training/stage"                   // the stage of staged training a step ran in (1-based; absent without stages)
	RolloutISMean      = "training/rollout_is_mean"         // truncated IS: mean weight min(π_train/π_rollout, C) over trained tokens
	RolloutISMax       = "training/rollout_is_max"          // truncated IS: largest weight
	RolloutISCapped    = "training/rollout_is_capped_frac"  // truncated IS: share of weights the cap cut (tokens, or samples at sequence level)
)

// Rewards and rollouts.
const (
	Score                   = "critic/score"                    // raw sequence rewards (…/mean, /max, /min)
	ScoreMean               = "critic/score/mean"               // mean raw sequence reward
	Rewards                 = "critic/rewards"                  // per-row token-reward sums after KL in the reward
	RewardsMean             = "critic/rewards/mean"             // mean reward after KL in the reward
	Advantages              = "critic/advantages"               // advantages over valid tokens
	AdvantagesMean          = "critic/advantages/mean"          // mean advantage over valid tokens
	Returns                 = "critic/returns"                  // value targets (PPO)
	Values                  = "critic/values"                   // critic values (PPO)
	Accuracy                = "reward/accuracy"                 // fraction of responses the verifier accepted
	TimeoutRatio            = "reward/timeout_ratio"            // fraction of rewards whose verifier timed out
	ErrorRatio              = "reward/error_ratio"              // fraction of rewards whose verifier failed
	UnparsableRatio         = "reward/unparsable_ratio"         // fraction of responses with no extractable answer
	RewardMean              = "reward/score_mean"               // mean verifier score of a batch
	ResponseLength          = "response_length"                 // response lengths in tokens (…/mean, /max, /min)
	RespLenMean             = "response_length/mean"            // mean response length in tokens
	RespClipRatio           = "response_length/clip_ratio"      // fraction of responses cut at max length
	PromptLength            = "prompt_length"                   // prompt lengths in tokens (…/mean, /max, /min)
	ZeroStdFrac             = "frac_reward_zero_std"            // fraction of groups whose rewards are all equal
	FilteredRatio           = "dynamic_sampling/filtered_ratio" // fraction of groups dynamic sampling dropped
	SFTPromptRatio          = "hpt/sft_prompt_ratio"            // fraction of prompts HPT routed to their demonstration
	TTRLLabelAcc            = "ttrl/label_accuracy"             // pseudo-label equals the truth (diagnostic)
	TTRLRewardAcc           = "ttrl/reward_accuracy"            // pseudo-reward equals the true reward (diagnostic)
	TTRLMajority            = "ttrl/majority_ratio"             // share of votes for the majority answer
	TTRLTruthRatio          = "ttrl/ground_truth_ratio"         // share of votes equal to the truth (diagnostic)
	TTRLVoteReward          = "ttrl/majority_voting_reward"     // mean pseudo-reward
	CodeOutcome             = "reward/code/"                    // + "<check status>_ratio": share of code rewards per sandbox outcome (ok, wrong_answer, runtime_error, timeout, compile_error, no_code, sandbox_error)
	RewardWorkerJobs        = "reward/workers/jobs"             // reward jobs sent to workers over NATS (cumulative)
	RewardWorkerTimeouts    = "reward/workers/timeouts"         // jobs answered timeout: no result by the deadline (cumulative)
	RewardWorkerDeadLetters = "reward/workers/dead_letters"     // jobs no worker finished in their deliveries (cumulative)
	RewardWorkerErrors      = "reward/workers/errors"           // jobs answered with status error, dead letters included (cumulative)
	ValAccuracy             = "val/accuracy"                    // held-out accuracy (only on evaluation steps)
	ToolCallsPerResponse    = "tools/calls_per_response"        // tool calls per rollout response (rollout.tools)
	ToolErrorRatio          = "tools/error_ratio"               // share of tool calls answered with an error (bad call, tool error, timeout)
	ToolTimeoutRatio        = "tools/timeout_ratio"             // share of tool calls that passed their deadline
	ValAccuracyNoTools      = "val/accuracy_no_tools"           // held-out accuracy with the same policy and no tool answering (tool_eval.jsonl)
	ValScore                = "val/score"                       // held-out mean reward score; for physics the mean sub-answer accuracy (evaluation steps)
	ValScoreKind            = "val/score/"                      // + kind: held-out mean score of one problem kind of a built-in task (extra_info.kind: kinematics, circuit, …)
	ValPassAt               = "val/pass@"                       // + k: held-out pass@k from eval.pass_k samples per problem (unbiased estimator; evaluation steps)
	ValMajAt                = "val/maj@"                        // + K: held-out accuracy of the majority answer of the eval.pass_k samples
	ValDistinctCorrect      = "val/distinct_correct"            // distinct correct answers per held-out problem among the eval.pass_k samples
	LogpAdvCov              = "actor/logp_adv_cov"              // batch covariance of the sampled tokens' log-prob and advantage (the Entropy Mechanism's entropy-change term)
)

// Time, throughput and progress.
const (
	TimingPrefix    = "timing_s/"               // wall seconds of a phase: timing_s/<phase>
	TimeStep        = "timing_s/step"           // wall seconds of the whole step
	TimeGen         = "timing_s/gen"            // wall seconds of rollout generation
	TimeReward      = "timing_s/reward"         // wall seconds of verification
	TimeUpdate      = "timing_s/update_actor"   // wall seconds of the actor update
	TimeTesting     = "timing_s/testing"        // wall seconds of a mid-run evaluation
	TimeSyncWeights = "timing_s/update_weights" // wall seconds of the weight sync to rollout servers
	Throughput      = "perf/throughput"         // tokens / s
	TimePerStep     = "perf/time_per_step"      // wall seconds of the step
	TotalTokens     = "perf/total_num_tokens"   // prompt + response tokens of the step
	CompileCount    = "perf/compile_count"      // graphs the learner compiled so far
	GlobalStep      = "training/global_step"    // the RL step
	Epoch           = "training/epoch"          // passes over the training data
)

// Asynchronous RL (trainer.AsyncConfig). A trajectory's staleness is the learner's weight version
// minus the version that sampled its oldest token, version v being the policy after v RL steps.
const (
	StalenessMean   = "async/staleness/mean"            // mean staleness of the step's trained trajectories
	StalenessMax    = "async/staleness/max"             // largest staleness trained on (≤ async.max_staleness)
	BufferFill      = "async/buffer_fill"               // share of the buffer's capacity in use when the learner took the step's batch
	DroppedStale    = "async/dropped_stale"             // groups of the step dropped because they were staler than max_staleness
	SamplerIdle     = "timing_s/sampler_idle"           // wall seconds the producer waited (for weights, for room) since the previous step
	LearnerIdle     = "timing_s/learner_idle"           // wall seconds the learner waited for the step's batch
	RolloutISMasked = "training/rollout_is_masked_frac" // masked IS / decoupled: share of weights masked (tokens, or samples at sequence level)
	// Partial rollouts (async.partial: continue).
	PartialContinued   = "async/partial_continued"    // trained trajectories whose generation continued under a newer version than it started with
	PartialInterrupts  = "async/partial_interrupts"   // weight updates that interrupted the step's batch while it was generating
	TokenStalenessMean = "async/token_staleness/mean" // mean staleness of the trained trajectories' policy tokens (learner's version minus each token's)
)

// Environments (vision-language-action training, package vla).
const (
	EnvSuccessRate   = "env/success_rate"     // share of error-free episodes that succeeded
	EnvFinishStep    = "env/finish_step/mean" // mean low-level steps per error-free episode
	EnvPushcutRatio  = "env/pushcut_ratio"    // share of successes that pushed an object the demonstration grasps
	EnvStepsPerS     = "env/steps_per_s"      // low-level env steps per wall second of rollout
	EnvErrors        = "env/errors"           // episodes that failed with an env error (counted, never rewarded)
	EnvSimShare      = "env/sim_time_share"   // share of rollout wall time spent stepping the simulator
	EnvValSuccess    = "val/env/success_rate" // held-out success rate (greedy), on evaluation steps
	EnvKeptGroups    = "env/kept_groups"      // groups dynamic sampling kept this step
	EnvRolloutRounds = "env/rollout_rounds"   // rollout rounds dynamic sampling ran this step
)
