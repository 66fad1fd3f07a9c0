// Command fidelity tests, on the built-in tasks and the tiny model, whether each method does what
// its paper claims (issue #21): eight experiments, each a fixed set of `trainer.Run`s per seed,
// each claim judged from the seeds by one stated rule (verdict.go), written as one table with
// curves into docs/fidelity.md.
//
//	GOEXPERIMENT=simd go run ./bench/fidelity --seeds 1 --out bench-out/fidelity --write-docs
//	GOEXPERIMENT=simd go run ./bench/fidelity --only 2 --seeds 1     # one row, a few minutes
//
// Every setting is fixed in experiments.go before any seed runs. Runs that start from SFT share
// one checkpoint per seed and settings, cached under OUT/sft; a finished run's extracted result is
// cached under OUT/results, so a later call with more seeds (--seeds 2,3) only trains what is
// missing and the table is regenerated from everything measured. The runs themselves are under
// OUT/runs: `ascent runs compare --runs OUT/runs grpo-s1 clip_cov-s1` or `ascent dash --runs OUT/runs`.
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	only := flag.String("only", "", "comma-separated experiment numbers 1..8 (default: all)")
	seeds := flag.String("seeds", "1,2,3", "seeds to run: a count N (seeds 1..N) or a comma-separated list")
	out := flag.String("out", "bench-out/fidelity", "output directory (runs, caches, plots)")
	writeDocs := flag.Bool("write-docs", false, "write the table and curves to --docs and docs/img/fidelity-*.png")
	docs := flag.String("docs", "docs/fidelity.md", "the markdown file --write-docs writes")
	reportOnly := flag.Bool("report-only", false, "train nothing: judge and write from the cached results only")
	smoke := flag.Bool("smoke", false, "shrink every budget to a few steps to check the bench end to end (results meaningless; use another --out)")
	flag.Parse()
	if *smoke {
		rlSteps, longSteps, evalEvery, fineEvery, evalGreedy, passK, passKProbs = 2, 4, 2, 1, 10, 4, 4
		prompts, miniPrompts, sftSteps, arithSFT = 4, 4, 3, 2
		reportSeeds = []uint64{1, 2}
	}
	setup()
	if err := run(*only, *seeds, *out, *writeDocs, *docs, *reportOnly); err != nil {
		fmt.Fprintln(os.Stderr, "bench/fidelity:", err)
		os.Exit(1)
	}
}

// parseSeeds reads "3" as seeds 1..3 and "2,3" as those seeds.
func parseSeeds(s string) ([]uint64, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, ",") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10 {
			return nil, fmt.Errorf("--seeds %q: want a count 1..10 or a comma-separated list of seeds", s)
		}
		out := make([]uint64, n)
		for i := range out {
			out[i] = uint64(i + 1)
		}
		return out, nil
	}
	var out []uint64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil || v == 0 {
			return nil, fmt.Errorf("--seeds: %q is not a seed ≥ 1", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// parseOnly reads the experiment numbers of --only.
func parseOnly(s string) ([]int, error) {
	var out []int
	if strings.TrimSpace(s) == "" {
		for _, e := range experiments {
			out = append(out, e.num)
		}
		return out, nil
	}
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || experimentByNum(n) == nil {
			return nil, fmt.Errorf("--only: %q is not an experiment number (1..%d)", f, len(experiments))
		}
		out = append(out, n)
	}
	sort.Ints(out)
	return out, nil
}

func run(only, seedList, out string, writeDocs bool, docs string, reportOnly bool) error {
	seeds, err := parseSeeds(seedList)
	if err != nil {
		return err
	}
	nums, err := parseOnly(only)
	if err != nil {
		return err
	}
	b := &bench{out: out}
	start := time.Now()
	cpu0 := cpuSeconds()
	// Train what the selected experiments need for the selected seeds (cached runs are reused).
	for _, seed := range seeds {
		if reportOnly {
			break
		}
		for _, n := range nums {
			for _, spec := range experimentByNum(n).runs {
				if _, err := b.result(spec, seed); err != nil {
					return fmt.Errorf("experiment %d, run %s, seed %d: %w", n, spec.name, seed, err)
				}
			}
		}
	}
	b.wall, b.cpu = time.Since(start).Seconds(), cpuSeconds()-cpu0
	fmt.Printf("bench: %.0f s wall, %.0f s CPU this call\n", b.wall, b.cpu)
	// Judge every selected experiment on every seed measured so far (this call's and earlier ones').
	rep, err := b.report(nums)
	if err != nil {
		return err
	}
	fmt.Print(rep.table())
	if writeDocs {
		return rep.writeDocs(docs)
	}
	return nil
}
