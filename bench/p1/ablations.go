package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	yamlv3 "gopkg.in/yaml.v3"
)

// ablation is one change against the recipe, run on one seed.
type ablation struct {
	name, what string
	run        func(bin, runs string, seed uint64, every int, sets []string) (result, error)
}

// Filter settings of the filter ablation (P1: 88 rollouts, pass rate ≤ 0.7; fewer rollouts here
// for the CPU budget).
const (
	filterProblems = 2000 // the first problems of the training source that are filtered
	filterK        = 8    // rollouts per problem
	filterMaxPass  = 0.7  // drop problems solved more often than this
)

var ablations = []ablation{
	{"no_tis", "without truncated IS (algo.tis.cap=0)", func(bin, runs string, seed uint64, every int, sets []string) (result, error) {
		from, err := fromSFT(runs, seed)
		if err != nil {
			return result{}, err
		}
		return trainRun(bin, runs, "no_tis", seed, every, append(append(append([]string(nil), sets...), from...), "algo.tis.cap=0"), "")
	}},
	{"staged", "two stages: 4 rollouts ≤ 64 tokens, then 12 rollouts ≤ 80 tokens (the same samples in all)", staged},
	{"filter", fmt.Sprintf("RL only on the problems the SFT model solves (all sub-answers) in (0, %g] of %d samples, of the first %d", filterMaxPass, filterK, filterProblems), filtered},
}

func ablationNames() []string {
	names := make([]string, len(ablations))
	for i, a := range ablations {
		names[i] = a.name
	}
	sort.Strings(names)
	return names
}

func lookupAblation(name string) (ablation, error) {
	for _, a := range ablations {
		if a.name == name {
			return a, nil
		}
	}
	return ablation{}, fmt.Errorf("--ablations: unknown %q; known: %s", name, strings.Join(ablationNames(), ", "))
}

// recipeConfig is the part of the p1 recipe's resolved config the ablations build on.
type recipeConfig struct {
	Run struct {
		Steps int `yaml:"steps"`
	} `yaml:"run"`
	Data struct {
		Task  string `yaml:"task"`
		Level int    `yaml:"level"`
	} `yaml:"data"`
	Eval struct {
		Problems int  `yaml:"problems"`
		Distinct bool `yaml:"distinct"`
	} `yaml:"eval"`
	Algo struct {
		Batch struct {
			Rollouts       int `yaml:"rollouts"`
			MaxResponseLen int `yaml:"max_response_len"`
		} `yaml:"batch"`
	} `yaml:"algo"`
}

// resolved reads the recipe's config as `ascent train --preset p1 --print-config` prints it.
func resolved(bin string, sets []string) (recipeConfig, error) {
	args := []string{"train", "--preset", "p1", "--print-config"}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	b, err := exec.Command(bin, args...).Output()
	if err != nil {
		return recipeConfig{}, fmt.Errorf("%s %s: %w", bin, strings.Join(args, " "), err)
	}
	var c recipeConfig
	if err := yamlv3.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("--print-config: %w", err)
	}
	return c, nil
}

// staged splits the recipe's RL steps into two equal stages: half the group size and 16 fewer
// response tokens first, then 1.5× the group size at the full length (P1 grows both as the model
// improves); the samples in all equal the recipe's.
func staged(bin, runs string, seed uint64, every int, sets []string) (result, error) {
	c, err := resolved(bin, sets)
	if err != nil {
		return result{}, err
	}
	b := c.Algo.Batch
	first := c.Run.Steps / 2
	y := fmt.Sprintf("stages:\n  - {steps: %d, rollouts: %d, max_response_len: %d}\n  - {steps: %d, rollouts: %d, max_response_len: %d}\n",
		first, b.Rollouts/2, b.MaxResponseLen-16, c.Run.Steps-first, b.Rollouts*3/2, b.MaxResponseLen)
	file := filepath.Join(runs, "staged.yaml")
	if err := os.WriteFile(file, []byte(y), 0o644); err != nil {
		return result{}, err
	}
	from, err := fromSFT(runs, seed)
	if err != nil {
		return result{}, err
	}
	r, err := trainRun(bin, runs, "staged", seed, every, append(append([]string(nil), sets...), from...), file)
	r.note = strings.ReplaceAll(strings.TrimSpace(strings.TrimPrefix(y, "stages:\n")), "\n", ";")
	return r, err
}

// filtered runs P1's learnability filter with the first seed's SFT model over the start of that
// run's training source, then RL from that model on the kept problems, evaluated on the same
// held-out set. Its CPU time includes the export and the filter.
func filtered(bin, runs string, seed uint64, every int, sets []string) (result, error) {
	c, err := resolved(bin, sets)
	if err != nil {
		return result{}, err
	}
	ckpt, err := sftModel(runs, seed)
	if err != nil {
		return result{}, err
	}
	dir := filepath.Join(runs, "filter-data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return result{}, err
	}
	var r result
	train, test, kept := filepath.Join(dir, "train.jsonl"), filepath.Join(dir, "test.jsonl"), filepath.Join(dir, "kept.jsonl")
	common := []string{"data", "export", "--task", c.Data.Task, "--level", fmt.Sprint(c.Data.Level), "--run-seed", fmt.Sprint(seed)}
	steps := [][]string{
		append(append([]string(nil), common...), "--split", "train", "--n", fmt.Sprint(filterProblems), "--out", train),
		append(append([]string(nil), common...), "--split", "test", "--n", fmt.Sprint(c.Eval.Problems), fmt.Sprintf("--distinct=%v", c.Eval.Distinct), "--out", test),
		{"data", "filter", "--in", train, "--out", kept, "--rates", filepath.Join(dir, "rates.jsonl"), "--model", ckpt,
			"--tokenizer", "char", "--k", fmt.Sprint(filterK), "--max-pass", fmt.Sprint(filterMaxPass),
			"--max-tokens", fmt.Sprint(c.Algo.Batch.MaxResponseLen), "--seed", fmt.Sprint(seed)},
	}
	for i, args := range steps {
		if err := timed(&r, filepath.Join(dir, fmt.Sprintf("step%d.log", i)), bin, args...); err != nil {
			return result{}, err
		}
	}
	prep := r
	out, err := trainRun(bin, runs, "filter", seed, every, append(append([]string(nil), sets...),
		"model.init="+ckpt, "sft.steps=0", "data.train_file="+kept, "data.val_file="+test), "")
	if err != nil {
		return result{}, err
	}
	out.wall, out.cpu = out.wall+prep.wall, out.cpu+prep.cpu
	log, _ := os.ReadFile(filepath.Join(dir, "step2.log"))
	out.note = fmt.Sprintf("filter %.0f CPU-s: %s", prep.cpu, strings.TrimSpace(lastLine(string(log))))
	return out, nil
}

// sftModel is the seed's recipe run's SFT model: its step-0 checkpoint (weights and AdamW state),
// which every ablation starts RL from so that only the ablated setting differs.
func sftModel(runs string, seed uint64) (string, error) {
	ckpt := filepath.Join(runs, fmt.Sprintf("seed%d", seed), "checkpoints", "step_000000", "engine")
	if _, err := os.Stat(filepath.Join(ckpt, "config.json")); err != nil {
		return "", fmt.Errorf("the ablations start from seed %d's SFT model: %w (run that seed first)", seed, err)
	}
	return ckpt, nil
}

// fromSFT are the overrides that start RL from sftModel instead of a warm-up of its own.
func fromSFT(runs string, seed uint64) ([]string, error) {
	ckpt, err := sftModel(runs, seed)
	if err != nil {
		return nil, err
	}
	return []string{"model.init=" + ckpt, "sft.steps=0"}, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
