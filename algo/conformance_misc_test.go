package algo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

func checkGAECase(t *testing.T, c *vcase) {
	est, err := NewAdvantage(AdvantageConfig{Estimator: "gae", Gamma: c.num("params", "gamma"), Lambda: c.num("params", "lam")})
	c.must(err)
	out, err := est.Compute(AdvantageInputs{TokenRewards: c.mat("inputs", "token_level_rewards"), Values: c.mat("inputs", "values"),
		Mask: c.mat("inputs", "response_mask")})
	c.must(err)
	c.nearMat("advantages_whitened", out.Advantages, c.mat("expected", "advantages_whitened"))
	c.nearMat("returns", out.Returns, c.mat("expected", "returns"))
	c.nearMat("advantages_raw_before_whitening", out.Raw, c.mat("expected", "advantages_raw_before_whitening"))
}

// groupIDs decodes group_index whether it holds strings or numbers.
func groupIDs(c *vcase) []string {
	var raw []json.RawMessage
	c.decode("inputs", "group_index", &raw)
	ids := make([]string, len(raw))
	for i, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			ids[i] = s
		} else {
			ids[i] = string(bytes.TrimSpace(r))
		}
	}
	return ids
}

func checkGRPOCase(t *testing.T, c *vcase) {
	var norm bool
	c.decode("params", "norm_adv_by_std_in_grpo", &norm)
	est, err := NewAdvantage(AdvantageConfig{Estimator: "grpo", Epsilon: c.num("params", "epsilon"), NormByStd: norm})
	c.must(err)
	out, err := est.Compute(AdvantageInputs{TokenRewards: c.mat("inputs", "token_level_rewards"), Mask: c.mat("inputs", "response_mask"),
		Group: groupIDs(c)})
	c.must(err)
	c.nearMat("advantages", out.Advantages, c.mat("expected", "advantages"))
	c.nearMat("returns", out.Returns, c.mat("expected", "returns"))
	c.nearVec("per_sequence_advantage", out.PerSequence, c.vec("expected", "per_sequence_advantage"))
}

func checkDAPOCase(t *testing.T, c *vcase) {
	switch c.Kind {
	case "overlong_penalty":
		got, err := OverlongPenalty(int(c.num("inputs", "valid_response_length")), int(c.num("params", "max_response_length")),
			int(c.num("params", "overlong_buffer_len")), c.num("params", "penalty_factor"))
		c.must(err)
		c.near("overlong_reward", got, c.num("expected", "overlong_reward"))
	case "filter_groups":
		c.doc("metric") // the per-row metric is given directly as group_acc
		group, metric := orderedGroups(c, "group_acc")
		kept, err := FilterGroups(group, metric)
		c.must(err)
		var want []string
		c.decode("expected", "kept_groups", &want)
		if fmt.Sprint(kept) != fmt.Sprint(want) {
			t.Errorf("kept_groups = %v, want %v", kept, want)
		}
	default:
		t.Fatalf("dapo case kind %q: want overlong_penalty or filter_groups", c.Kind)
	}
}

// orderedGroups decodes a JSON object {group: [values]} keeping key order, flattened to rows.
func orderedGroups(c *vcase, key string) (group []string, metric []float64) {
	dec := json.NewDecoder(bytes.NewReader(c.raw("inputs", key)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		c.t.Fatalf("inputs.%s: want an object of groups", key)
	}
	for dec.More() {
		tok, err := dec.Token()
		c.must(err)
		name, _ := tok.(string)
		var vals []float64
		c.must(dec.Decode(&vals))
		for _, v := range vals {
			group = append(group, name)
			metric = append(metric, v)
		}
	}
	return group, metric
}

func checkTTRLCase(t *testing.T, c *vcase) {
	nVotes, nTrain := int(c.num("params", "n_votes")), int(c.num("params", "n_train"))
	var raw []*string
	c.decode("inputs", "extracted_answers", &raw)
	answers := make([]string, len(raw))
	for i, a := range raw {
		if a != nil {
			answers[i] = *a
		}
	}
	if len(answers) != nVotes {
		t.Fatalf("%d extracted answers, n_votes %d", len(answers), nVotes)
	}
	var truth, label string
	c.decode("inputs", "ground_truth", &truth)
	c.decode("expected", "majority_label", &label)
	v := MajorityVote(answers, nil)
	if !v.HasLabel || v.Label != label {
		t.Errorf("majority_label = %q (has %v), want %q", v.Label, v.HasLabel, label)
	}
	c.near("majority_ratio", v.Ratio, c.num("expected", "majority_ratio"))
	c.nearVec("all_vote_rewards", v.Rewards, c.vec("expected", "all_vote_rewards"))
	train, err := FirstN(v.Rewards, nTrain)
	c.must(err)
	c.nearVec("train_rewards", train, c.vec("expected", "train_rewards"))
	d, err := Diagnose(answers, v, truth, nil)
	c.must(err)
	c.near("label_accuracy", d.LabelAccuracy, c.num("expected", "label_accuracy"))
	c.near("reward_accuracy", d.RewardAccuracy, c.num("expected", "reward_accuracy"))
	c.near("ground_truth_ratio", d.GroundTruthRatio, c.num("expected", "ground_truth_ratio"))
	c.near("majority_voting_reward", d.MajorityVotingReward, c.num("expected", "majority_voting_reward"))
	c.near("majority_ratio (diagnostics)", d.MajorityRatio, c.num("expected", "majority_ratio"))
	if c.has("expected", "grpo_advantage_of_train_rewards") {
		tr, mask, group := newMatrix(nTrain, 1), newMatrix(nTrain, 1), make([]string, nTrain)
		for i := range train {
			tr[i][0], mask[i][0], group[i] = train[i], 1, "prompt"
		}
		est, err := NewAdvantage(AdvantageConfig{Estimator: "grpo", Epsilon: 1e-6, NormByStd: true})
		c.must(err)
		out, err := est.Compute(AdvantageInputs{TokenRewards: tr, Mask: mask, Group: group})
		c.must(err)
		c.nearVec("grpo_advantage_of_train_rewards", out.PerSequence, c.vec("expected", "grpo_advantage_of_train_rewards"))
	}
}

func checkEntropyDynamicsCase(t *testing.T, c *vcase) {
	if c.has("params", "update") {
		var upd string
		c.decode("params", "update", &upd)
		r, err := EntropyStep(c.vec("inputs", "logits"), c.vec("inputs", "advantage_centered"), c.num("params", "eta"), PGUpdate(upd))
		c.must(err)
		c.nearVec("probs", r.Probs, c.vec("expected", "probs"))
		c.near("entropy_before", r.EntropyBefore, c.num("expected", "entropy_before"))
		c.near("entropy_after_exact", r.EntropyAfter, c.num("expected", "entropy_after_exact"))
		c.near("delta_entropy_exact", r.DeltaExact, c.num("expected", "delta_entropy_exact"))
		c.near("delta_entropy_first_order", r.DeltaFirstOrder, c.num("expected", "delta_entropy_first_order"))
		c.near("covariance", r.Covariance, c.num("expected", "covariance"))
		return
	}
	if c.has("params", "a") && c.has("params", "b") {
		c.near("R", EntropyLaw(c.num("inputs", "H"), c.num("params", "a"), c.num("params", "b")), c.num("expected", "R"))
		return
	}
	t.Fatalf("entropy dynamics case: params %v match neither the covariance step (update, eta) nor the law (a, b)", c.Params)
}
