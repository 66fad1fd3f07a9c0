package algo

import (
	"fmt"
	"strings"
)

// TTRL, test-time reinforcement learning (Zuo et al., arXiv 2504.16084; PRIME-RL/TTRL
// ttt_metrics.py and _select_top_k_per_prompt, spec §6): unlabelled prompts are rewarded against the
// majority answer of N_vote samples, then the policy is updated with GRPO on the first N_train.

// Vote is the outcome of a majority vote over one prompt's extracted answers.
type Vote struct {
	// Label is the majority answer (the first-seen spelling of its class); "" when no answer parsed.
	Label string
	// HasLabel is false when every answer was empty (unparseable): there is no pseudo-label.
	HasLabel bool
	// Count is the number of answers equivalent to Label.
	Count int
	// Ratio is Count / len(answers) (all votes, parsed or not): TTRL's majority_ratio.
	Ratio float64
	// Rewards[i] is 1 if answer i is equivalent to Label, else 0 (empty answers get 0).
	Rewards []float64
}

// MajorityVote takes the most frequent answer as pseudo-label and rewards agreement with it.
// Answers are grouped into classes with equiv (nil means exact string equality), in generation
// order: an answer joins the first earlier class whose first-seen answer it is equivalent to.
// Tie rule (ttrl.json): among classes of equal size, the one whose first answer came earliest wins
// (Python Counter.most_common is stable in insertion order). An empty string is an unparseable
// answer: dropped from the vote (upstream counts None as an answer, which can make "no answer" the
// label — a deliberate divergence) and rewarded 0.
func MajorityVote(answers []string, equiv func(a, b string) bool) Vote {
	if equiv == nil {
		equiv = func(a, b string) bool { return a == b }
	}
	type class struct {
		rep   string
		count int
	}
	var classes []class
	for _, a := range answers {
		if a == "" {
			continue
		}
		joined := false
		for i := range classes {
			if equiv(a, classes[i].rep) {
				classes[i].count++
				joined = true
				break
			}
		}
		if !joined {
			classes = append(classes, class{rep: a, count: 1})
		}
	}
	v := Vote{Rewards: make([]float64, len(answers))}
	best := -1
	for i, c := range classes {
		if best < 0 || c.count > classes[best].count {
			best = i
		}
	}
	if best < 0 {
		return v
	}
	v.Label, v.HasLabel = classes[best].rep, true
	for i, a := range answers {
		if a != "" && equiv(a, v.Label) {
			v.Rewards[i] = 1
			v.Count++
		}
	}
	v.Ratio = float64(v.Count) / float64(len(answers))
	return v
}

// FirstN returns the first n items in generation order (TTRL trains on the first N_train of the
// N_vote samples, not a random subset).
func FirstN[T any](xs []T, n int) ([]T, error) {
	if n <= 0 || n > len(xs) {
		return nil, fmt.Errorf("first-n selection: n = %d: want in [1, %d]", n, len(xs))
	}
	return xs[:n:n], nil
}

// TTRLDiagnostics are TTRL's logged diagnostics; they need the hidden ground truth and are never
// used for training.
type TTRLDiagnostics struct {
	// LabelAccuracy is 1 if the pseudo-label is equivalent to the truth.
	LabelAccuracy float64
	// RewardAccuracy is the fraction of votes whose pseudo-reward equals the reward a true-label
	// verifier would give (high even with a wrong label: the "lucky hit" effect).
	RewardAccuracy float64
	// MajorityRatio is Vote.Ratio.
	MajorityRatio float64
	// GroundTruthRatio is the fraction of votes equivalent to the truth.
	GroundTruthRatio float64
	// MajorityVotingReward is the mean pseudo-reward.
	MajorityVotingReward float64
}

// Diagnose computes the diagnostics of vote (from MajorityVote(answers, equiv)) against truth.
func Diagnose(answers []string, vote Vote, truth string, equiv func(a, b string) bool) (TTRLDiagnostics, error) {
	if len(answers) == 0 || len(vote.Rewards) != len(answers) {
		return TTRLDiagnostics{}, fmt.Errorf("ttrl diagnostics: %d answers but %d vote rewards", len(answers), len(vote.Rewards))
	}
	if strings.TrimSpace(truth) == "" {
		return TTRLDiagnostics{}, fmt.Errorf("ttrl diagnostics: empty ground truth")
	}
	if equiv == nil {
		equiv = func(a, b string) bool { return a == b }
	}
	d := TTRLDiagnostics{MajorityRatio: vote.Ratio}
	if vote.HasLabel && equiv(vote.Label, truth) {
		d.LabelAccuracy = 1
	}
	n := float64(len(answers))
	for i, a := range answers {
		trueR := 0.0
		if a != "" && equiv(a, truth) {
			trueR = 1
			d.GroundTruthRatio += 1 / n
		}
		if trueR == vote.Rewards[i] {
			d.RewardAccuracy += 1 / n
		}
		d.MajorityVotingReward += vote.Rewards[i] / n
	}
	return d, nil
}
