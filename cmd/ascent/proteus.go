package main

// ascent proteus: data-driven hypotheses from raw multi-omics files (docs/proteus.md).
//
//	ascent proteus --data ../shared/data/omics/cohort_a --validate ../shared/data/omics/cohort_b --out out/proteus
//	ascent proteus --data DIR --planner llm --endpoint http://127.0.0.1:8000/v1 --model M --out DIR [--judge]
//	ascent proteus synth --out DIR --seed 7          # a fresh discovery/validation pair with planted truth
//	ascent proteus bench --pairs 20 --out DIR        # recall and false discoveries over fresh pairs

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/proteus"
)

func init() {
	var (
		data, validate, out, planner string
		asJSON, judge                bool
		llm                          llmPlannerFlags
	)
	cmd := &cobra.Command{
		Use:   "proteus",
		Short: "Hypotheses from raw multi-omics files: profile, screen, propose, validate on an independent cohort",
		Long: `proteus reads a cohort directory (clinical.tsv, proteome.tsv, transcriptome.tsv, mutations.tsv;
TSV or CSV), profiles it, explores it with a planner, and writes into --out:
  hypotheses.jsonl  one hypothesis a line (entity_a, relation, entity_b, direction, effect, p, q, n,
                    replicated, evidence edge ids)
  graph.json        the entity graph: every result and every direction and tool call behind it
  report.md         tables, forest plots and Kaplan–Meier curves (PNGs beside it)
--planner builtin screens the standard families with BH control per family and needs no model;
--planner llm lets a served model choose directions and tools (it never computes a statistic).
--validate DIR re-tests every hypothesis on an independent cohort and marks it replicated or not.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if data == "" || out == "" {
				return fmt.Errorf("give --data DIR and --out DIR")
			}
			start := time.Now()
			disc, err := proteus.LoadCohort(data)
			if err != nil {
				return err
			}
			var val *proteus.Cohort
			if validate != "" {
				if val, err = proteus.LoadCohort(validate); err != nil {
					return err
				}
			}
			study := proteus.NewStudy(disc, planner)
			var extra func(*proteus.Summary)
			switch planner {
			case "builtin":
				proteus.Builtin(study)
			case "llm":
				if extra, err = llm.run(cmd.Context(), study, out); err != nil {
					return err
				}
			default:
				return fmt.Errorf("--planner %q unknown; known: builtin, llm", planner)
			}
			if val != nil {
				study.Validate(val)
			}
			judged := 0
			if judge {
				if judged, err = llm.judge(cmd.Context(), study, out); err != nil {
					return err
				}
			}
			sum, err := study.Finish(out, val, start)
			if err != nil {
				return err
			}
			if extra != nil {
				extra(sum)
			}
			sum.Judged = judged
			w := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", " ")
				return enc.Encode(sum)
			}
			fmt.Fprintf(w, "%d hypotheses (%d replicated, %d not) from %s in %.1fs; wrote %s/{hypotheses.jsonl,graph.json,report.md}\n",
				sum.Hypotheses, sum.Replicated, sum.NotRepl, data, sum.Seconds, out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&data, "data", "", "discovery cohort directory")
	f.StringVar(&validate, "validate", "", "independent validation cohort directory (optional)")
	f.StringVar(&out, "out", "", "output directory")
	f.StringVar(&planner, "planner", "builtin", "planner: builtin (no LLM) or llm")
	f.BoolVar(&asJSON, "json", false, "print the run summary as JSON")
	f.BoolVar(&judge, "judge", false, "score every hypothesis with the open-ended rubric judge over --endpoint/--model (cached in --out/judge_cache.json)")
	llm.register(cmd)
	cmd.AddCommand(proteusSynthCmd(), proteusBenchCmd())
	rootCmd.AddCommand(cmd)
}

func proteusSynthCmd() *cobra.Command {
	var (
		out string
		cfg proteus.SynthConfig
	)
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "Write a synthetic discovery/validation pair with planted effects and its truth.json",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("give --out DIR")
			}
			t, err := proteus.Synth(out, cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s/{cohort_a,cohort_b,truth.json}: %d planted effects and a decoy (%s)\n", out, len(t.Effects), t.Decoy.EntityA)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "output directory")
	f.Uint64Var(&cfg.Seed, "seed", 1, "random seed")
	f.IntVar(&cfg.Tumours, "tumours", 110, "tumours in the discovery cohort (validation: 10 fewer)")
	f.IntVar(&cfg.Normals, "normals", 22, "matched normals in the discovery cohort (validation: 2 fewer)")
	f.IntVar(&cfg.Proteins, "proteins", 200, "proteins, and as many transcripts")
	f.IntVar(&cfg.Mutations, "mutations", 20, "driver genes")
	return cmd
}

func proteusBenchCmd() *cobra.Command {
	var (
		out    string
		pairs  int
		asJSON bool
		cfg    proteus.SynthConfig
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Recall and false discoveries of the built-in planner over freshly generated pairs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("give --out DIR (the pairs are written there)")
			}
			w := cmd.OutOrStdout()
			var all []proteus.PairScore
			var planted, recovered, repl, falseRepl, decoyProp, decoyRepl int
			for i := 0; i < pairs; i++ {
				c := cfg
				c.Seed = cfg.Seed + uint64(i)
				ps, _, err := proteus.RunPair(fmt.Sprintf("%s/pair%02d", out, i+1), c)
				if err != nil {
					return err
				}
				all = append(all, ps)
				planted, recovered, repl, falseRepl = planted+ps.Planted, recovered+ps.Recovered, repl+ps.Replicated, falseRepl+ps.FalseRepl
				if ps.DecoyProposed {
					decoyProp++
				}
				if ps.DecoyRepl {
					decoyRepl++
				}
				if !asJSON {
					fmt.Fprintf(w, "seed %d: recovered %d/%d, proposed %d, replicated %d, false replicated %d, decoy proposed %v replicated %v, %.1fs\n",
						ps.Seed, ps.Recovered, ps.Planted, ps.Proposed, ps.Replicated, ps.FalseRepl, ps.DecoyProposed, ps.DecoyRepl, ps.Seconds)
				}
			}
			fdr := 0.0
			if repl > 0 {
				fdr = float64(falseRepl) / float64(repl)
			}
			sum := map[string]any{"pairs": all, "recall": float64(recovered) / float64(planted), "replicated_fdr": fdr,
				"decoy_proposed": decoyProp, "decoy_replicated": decoyRepl, "planted": planted, "recovered": recovered,
				"replicated": repl, "false_replicated": falseRepl}
			if asJSON {
				return json.NewEncoder(w).Encode(sum)
			}
			fmt.Fprintf(w, "%d pairs: recall %d/%d = %.3f; replicated false discoveries %d/%d = %.3f; decoy proposed %d/%d, replicated %d/%d\n",
				pairs, recovered, planted, sum["recall"], falseRepl, repl, fdr, decoyProp, pairs, decoyRepl, pairs)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "directory for the generated pairs")
	f.IntVar(&pairs, "pairs", 20, "pairs to generate")
	f.BoolVar(&asJSON, "json", false, "print the scores as JSON")
	f.Uint64Var(&cfg.Seed, "seed", 1, "first seed (pair i uses seed + i)")
	f.IntVar(&cfg.Tumours, "tumours", 110, "tumours per discovery cohort")
	f.IntVar(&cfg.Normals, "normals", 22, "normals per discovery cohort")
	f.IntVar(&cfg.Proteins, "proteins", 200, "proteins (and transcripts)")
	return cmd
}
