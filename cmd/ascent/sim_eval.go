package main

// ascent sim eval: a policy's success rate over a range of trials (see sim.go).
//
//	ascent sim eval --suite long --trials 5000-5199 [--policy expert|pusher|random] [--json] [--videos DIR]

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/env"
)

// parseRange parses "A-B" (inclusive) or "A" into [from, to).
func parseRange(s string) (int, int, error) {
	a, b, found := strings.Cut(s, "-")
	from, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil || from < 0 {
		return 0, 0, fmt.Errorf("--trials %q: want A-B or A with non-negative integers", s)
	}
	if !found {
		return from, from + 1, nil
	}
	to, err := strconv.Atoi(strings.TrimSpace(b))
	if err != nil || to < from {
		return 0, 0, fmt.Errorf("--trials %q: want A-B with A <= B", s)
	}
	return from, to + 1, nil
}

// taskResult is one task's line of an evaluation.
type taskResult struct {
	Suite       string  `json:"suite"`
	Task        int     `json:"task_id"`
	Instruction string  `json:"instruction"`
	SuccessRate float64 `json:"success_rate"`
	Episodes    int     `json:"episodes"`
	Skipped     int     `json:"infeasible_skipped"`
	Errors      int     `json:"errors"`
}

func simEvalCmd() *cobra.Command {
	var (
		suites, tasks, trials, policy, remote string
		videos                                string
		parallel, nVideos                     int
		seed                                  uint64
		asJSON, all                           bool
	)
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Evaluate a policy on a range of trials of every task of a suite",
		Long: `eval plays every (task, trial) of the chosen suites and prints the success rate per task and
overall. By default trials that fail the seed screen (env.Feasible) are skipped, as RoboTwin's
seed lists do; --all keeps them. --json prints {"success_rate", "episodes", ...}.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pol, err := policyByName(policy, seed, remote != "")
			if err != nil {
				return err
			}
			from, to, err := parseRange(trials)
			if err != nil {
				return err
			}
			cat := catalog(remote)
			infos, err := cat.Suites(cmd.Context())
			if err != nil {
				return err
			}
			byName := map[string]env.SuiteInfo{}
			var names []string
			for _, s := range infos {
				byName[s.Suite] = s
				names = append(names, s.Suite)
			}
			want := names
			if suites != "all" {
				want = strings.Split(suites, ",")
			}
			var eps []env.Episode
			var lines []*taskResult
			index := map[[2]any]*taskResult{}
			for _, name := range want {
				info, ok := byName[name]
				if !ok {
					return fmt.Errorf("--suite %q: known: %s", name, strings.Join(names, ", "))
				}
				ids, err := taskIDs(tasks, info.NTasks)
				if err != nil {
					return err
				}
				for _, t := range ids {
					line := &taskResult{Suite: name, Task: t}
					lines = append(lines, line)
					index[[2]any{name, t}] = line
					for tr := from; tr < to; tr++ {
						if !all && remote == "" {
							if ok, _, _ := env.Feasible(name, t, tr); !ok {
								line.Skipped++
								continue
							}
						}
						eps = append(eps, env.Episode{Suite: name, Task: t, Trial: tr})
					}
				}
			}
			start := time.Now()
			ro := env.RunOptions{Parallel: parallel, RecordFrames: videos != "", RecordLimit: nVideos}
			rs, sum, err := env.RunEpisodes(cmd.Context(), cat, pol, eps, ro)
			if err != nil {
				return err
			}
			if err := writeVideos(videos, rs); err != nil {
				return err
			}
			wins := map[*taskResult]int{}
			for _, r := range rs {
				line := index[[2]any{r.Episode.Suite, r.Episode.Task}]
				line.Episodes++
				line.Instruction = r.Instruction
				if r.Err != "" {
					line.Errors++
					fmt.Fprintf(cmd.ErrOrStderr(), "episode %s: %s\n", r.Episode, r.Err)
				} else if r.Success {
					wins[line]++
				}
			}
			for _, l := range lines {
				if n := l.Episodes - l.Errors; n > 0 {
					l.SuccessRate = float64(wins[l]) / float64(n)
				}
			}
			return printEval(cmd.OutOrStdout(), sum, lines, time.Since(start), asJSON)
		},
	}
	f := cmd.Flags()
	f.StringVar(&suites, "suite", "all", "suite, comma-separated suites, or all")
	f.StringVar(&tasks, "tasks", "", "task ids as a range A-B or a single id (default: every task)")
	f.StringVar(&trials, "trials", "5000-5049", "trial ids, A-B inclusive")
	f.StringVar(&policy, "policy", "expert", "policy: expert (grasps), pusher (pushes blocks: a scripted pushcut) or random")
	f.Uint64Var(&seed, "seed", 0, "random policy seed")
	f.IntVar(&parallel, "parallel", 16, "envs stepped together per decision step")
	f.BoolVar(&all, "all", false, "keep trials that fail the seed screen (in-process only)")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	f.StringVar(&remote, "remote", "", "remote simulator server URL (default: the in-process simulator)")
	f.StringVar(&videos, "videos", "", "write a GIF of each of the first --videos-n episodes into this directory")
	f.IntVar(&nVideos, "videos-n", 4, "how many episodes --videos records")
	return cmd
}

// writeVideos writes one GIF per recorded episode into dir, named suite_task_trial_success.gif.
func writeVideos(dir string, rs []env.EpisodeResult) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, r := range rs {
		if len(r.Frames) == 0 {
			continue
		}
		verdict := "fail"
		if r.Success {
			verdict = "success"
		}
		path := filepath.Join(dir, fmt.Sprintf("%s_%d_%d_%s.gif", r.Episode.Suite, r.Episode.Task, r.Episode.Trial, verdict))
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		err = env.WriteGIF(f, r.Frames, 8, 3)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

// taskIDs parses --tasks against a suite of n tasks.
func taskIDs(spec string, n int) ([]int, error) {
	from, to := 0, n
	if spec != "" {
		var err error
		if from, to, err = parseRange(spec); err != nil {
			return nil, fmt.Errorf("--tasks: %w", err)
		}
		if to > n {
			return nil, fmt.Errorf("--tasks %q: the suite has tasks 0..%d", spec, n-1)
		}
	}
	var ids []int
	for t := from; t < to; t++ {
		ids = append(ids, t)
	}
	return ids, nil
}

func printEval(w io.Writer, sum env.Summary, lines []*taskResult, dt time.Duration, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(struct {
			env.Summary
			Seconds float64       `json:"seconds"`
			Tasks   []*taskResult `json:"tasks"`
		}{sum, dt.Seconds(), lines})
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "suite\ttask\tsuccess\tepisodes\tskipped\terrors\tinstruction")
	for _, l := range lines {
		fmt.Fprintf(tw, "%s\t%d\t%.1f%%\t%d\t%d\t%d\t%s\n", l.Suite, l.Task, 100*l.SuccessRate, l.Episodes, l.Skipped, l.Errors, l.Instruction)
	}
	tw.Flush()
	fmt.Fprintf(w, "success %.1f%% over %d episodes (%d errors), pushcut ratio %.3f, mean finish step %.1f, %.0f env steps/s, %.1fs\n",
		100*sum.SuccessRate, sum.Episodes, sum.Errors, sum.PushcutRatio, sum.FinishStepMean, sum.StepsPerSecond, dt.Seconds())
	return nil
}
