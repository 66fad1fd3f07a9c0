package main

// ascent verify: measure the math and physics verifier against labelled cases, or judge one pair.
//
//	ascent verify --cases ../shared/testdata/verify/cases.jsonl [--tier core] [--mode strict] [--json]
//	ascent verify --cases ../shared/testdata/physics/cases.jsonl --json
//	ascent verify --gold '\frac{1}{2}' --pred 'so the answer is $\boxed{0.5}$'
//	ascent verify --type 'Numerical Value' --unit m --gold '5.31\times10^{-11}' --pred '\boxed{0.0531}\ \mathrm{nm}'

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/answer"
)

func init() {
	var (
		casesPath, mode, tier, gold, pred string
		answerType, unit                  string
		asJSON                            bool
		maxRows, passes                   int
	)
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the math and physics verifier against labelled cases (accuracy, disagreements, latency) or judge one pair",
		Long: `verify reads a JSONL file whose lines carry "gold", "pred" (a response or a bare answer) and
optionally "expected" (the label) and "tier"; a line with "answer_type" (and "gold_unit") is a
physics case (../shared/testdata/physics/cases.jsonl) compared by its answer type and unit; other
fields are ignored. It prints accuracy, false accepts and rejects overall and per answer_type, a
table of disagreements, throughput and p50/p99 latency (one goroutine). Without labels it prints
each verdict. --gold/--pred judges a single pair (a physics one with --type and --unit).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opt := answer.DefaultOptions()
			switch mode {
			case "standard":
			case "strict":
				opt.Strict = true
			default:
				return fmt.Errorf("--mode %q: want standard or strict", mode)
			}
			out := cmd.OutOrStdout()
			if casesPath == "" {
				if gold == "" && pred == "" {
					return fmt.Errorf("give --cases FILE.jsonl, or --gold and --pred")
				}
				var v answer.Verdict
				if answerType != "" || unit != "" {
					t, err := answer.ParseAnswerType(answerType)
					if err != nil {
						return fmt.Errorf("--type: %w", err)
					}
					g := []answer.PhysicsGold{{Answer: gold, Unit: unit, Type: t}}
					v = answer.GradePhysics(pred, g, opt).Verdicts[0]
				} else {
					v = answer.Verify(gold, pred, opt)
				}
				if asJSON {
					return json.NewEncoder(out).Encode(v)
				}
				fmt.Fprintf(out, "correct=%v status=%s gold=%q pred=%q (%s)\n", v.Correct, v.Status, v.Gold, v.Pred, v.Detail)
				return nil
			}
			cases, err := answer.ReadCases(casesPath)
			if err != nil {
				return err
			}
			if tier != "" {
				kept := cases[:0]
				for _, c := range cases {
					if c.Tier == tier {
						kept = append(kept, c)
					}
				}
				if len(kept) == 0 {
					return fmt.Errorf("--tier %q: no case in %s has that tier", tier, casesPath)
				}
				cases = kept
			}
			r := answer.RunPasses(cases, opt, passes)
			if asJSON {
				return json.NewEncoder(out).Encode(r)
			}
			printReport(out, r, maxRows)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&casesPath, "cases", "", "JSONL file of cases (gold, pred, optional expected and tier)")
	f.StringVar(&mode, "mode", "standard", "standard (the equivalence verifier) or strict (JustRL's exact boxed-string check)")
	f.StringVar(&tier, "tier", "", "only cases whose tier field equals this (core, policy, synthetic)")
	f.StringVar(&gold, "gold", "", "gold answer, for a single pair")
	f.StringVar(&pred, "pred", "", "response or predicted answer, for a single pair")
	f.StringVar(&answerType, "type", "", `physics answer type for a single pair ("Numerical Value", "Expression", "Equation", "Inequality", "Multiple Choice")`)
	f.StringVar(&unit, "unit", "", "physics gold unit for a single pair (m, km/h, eV, ...)")
	f.BoolVar(&asJSON, "json", false, "print one JSON object instead of the report")
	f.IntVar(&maxRows, "max-rows", 50, "most disagreement (or verdict) rows printed")
	f.IntVar(&passes, "passes", 1, "time every case this many times and report its fastest pass (filters a busy machine's preemptions)")
	rootCmd.AddCommand(cmd)
}

func printReport(w io.Writer, r answer.Report, maxRows int) {
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	clip := func(s string) string {
		s = strings.Join(strings.Fields(s), " ")
		if len(s) > 48 {
			return s[:45] + "..."
		}
		return s
	}
	rows := 0
	if r.Labelled > 0 {
		fmt.Fprintln(tw, "id\texpected\tverdict\tstatus\tgold\tpred\tdetail")
		for _, o := range r.Outcomes {
			if o.Case.Expected == nil || *o.Case.Expected == o.Verdict.Correct {
				continue
			}
			if rows++; rows <= maxRows {
				fmt.Fprintf(tw, "%s\t%v\t%v\t%s\t%s\t%s\t%s\n", o.Case.ID, *o.Case.Expected, o.Verdict.Correct,
					o.Verdict.Status, clip(o.Verdict.Gold), clip(o.Verdict.Pred), o.Verdict.Detail)
			}
		}
	} else {
		fmt.Fprintln(tw, "id\tverdict\tstatus\tgold\tpred")
		for _, o := range r.Outcomes {
			if rows++; rows <= maxRows {
				fmt.Fprintf(tw, "%s\t%v\t%s\t%s\t%s\n", o.Case.ID, o.Verdict.Correct, o.Verdict.Status, clip(o.Verdict.Gold), clip(o.Verdict.Pred))
			}
		}
	}
	tw.Flush()
	if rows > maxRows {
		fmt.Fprintf(w, "... %d more rows (--max-rows)\n", rows-maxRows)
	}
	fmt.Fprintf(w, "\ncases %d", r.Total)
	if r.Labelled > 0 {
		fmt.Fprintf(w, ", labelled %d: accuracy %.4f (%d agree), false accepts %d, false rejects %d",
			r.Labelled, r.Accuracy, r.Agree, r.FalseAccepts, r.FalseRejects)
	}
	if len(r.ByType) > 1 || r.ByType["math"] == nil && len(r.ByType) > 0 {
		types := make([]string, 0, len(r.ByType))
		for t := range r.ByType {
			types = append(types, t)
		}
		sort.Strings(types)
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "answer_type\tcases\taccuracy\tfalse accepts\tfalse rejects")
		for _, t := range types {
			tr := r.ByType[t]
			fmt.Fprintf(tw, "%s\t%d\t%.4f\t%d\t%d\n", t, tr.Labelled, tr.Accuracy, tr.FalseAccepts, tr.FalseRejects)
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\nstatuses: timeouts %d, errors %d, unparsable %d\n", r.Timeouts, r.Errors, r.Unparsable)
	fmt.Fprintf(w, "throughput %.0f cases/s on one goroutine, latency p50 %.3f ms, p99 %.3f ms", r.CasesPerSec, r.P50ms, r.P99ms)
	if r.Passes > 1 {
		fmt.Fprintf(w, " (fastest of %d passes per case)", r.Passes)
	}
	fmt.Fprintln(w)
}
