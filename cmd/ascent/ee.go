package main

// ascent ee: event extraction with thousands of types (package ee; LLM-PEE and EEMT).
//
//	ascent ee score --gold dev.jsonl --pred pred.jsonl --json
//	ascent ee recall --ontology ontology.jsonl --data dev.jsonl --k 5,10,20,50 --json

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/ee"
)

func init() {
	root := &cobra.Command{
		Use:   "ee",
		Short: "Event extraction: score (TI/TC/AI/AC), type recall, LLM extraction and collaborative annotation",
		Long: `Event extraction with thousands of event types (LLM-PEE): the ontology and annotated sentences of
../shared/data/ee (schemas in its README), TI/TC/AI/AC precision, recall and F1, and BM25 recall of
candidate types. See docs/ee.md.`,
	}
	root.AddCommand(eeScoreCmd(), eeRecallCmd(), eeExtractCmd(), eeAnnotateCmd())
	rootCmd.AddCommand(root)
}

func eeScoreCmd() *cobra.Command {
	var gold, pred, ontology string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "score",
		Short: "TI/TC/AI/AC precision, recall and F1 of predictions against gold sentences",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var ont *ee.Ontology
			if ontology != "" {
				var err error
				if ont, err = ee.LoadOntology(ontology); err != nil {
					return err
				}
			}
			g, err := ee.LoadSentences(gold, ont)
			if err != nil {
				return err
			}
			p, err := ee.LoadSentences(pred, ont)
			if err != nil {
				return err
			}
			s := ee.Score(g, p)
			if asJSON {
				return json.NewEncoder(os.Stdout).Encode(s)
			}
			fmt.Printf("| level | P | R | F1 | tp | pred | gold |\n|---|---|---|---|---|---|---|\n")
			for _, lv := range []struct {
				name string
				v    ee.PRF
			}{{"TI", s.TI}, {"TC", s.TC}, {"AI", s.AI}, {"AC", s.AC}} {
				fmt.Printf("| %s | %.4f | %.4f | %.4f | %d | %d | %d |\n", lv.name, lv.v.P, lv.v.R, lv.v.F1, lv.v.TP, lv.v.Pred, lv.v.Gold)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&gold, "gold", "", "gold sentences (JSONL, required)")
	f.StringVar(&pred, "pred", "", "predicted sentences (JSONL, required; offsets are checked against their own text)")
	f.StringVar(&ontology, "ontology", "", "also check types and roles against this ontology")
	f.BoolVar(&asJSON, "json", false, `print {"TI": {"p","r","f1",…}, "TC": …, "AI": …, "AC": …}`)
	cmd.MarkFlagRequired("gold")
	cmd.MarkFlagRequired("pred")
	return cmd
}

func eeRecallCmd() *cobra.Command {
	var ontology, data, ks string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "recall",
		Short: "Recall@k of BM25 candidate types: the share of gold events whose type is in their sentence's top k",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ont, err := ee.LoadOntology(ontology)
			if err != nil {
				return err
			}
			sents, err := ee.LoadSentences(data, ont)
			if err != nil {
				return err
			}
			var list []int
			for _, f := range strings.Split(ks, ",") {
				k, err := strconv.Atoi(strings.TrimSpace(f))
				if err != nil || k < 1 {
					return fmt.Errorf("ee recall: --k: %q is not a positive integer", f)
				}
				list = append(list, k)
			}
			r := ee.NewIndex(ont).RecallAtK(sents, list)
			if asJSON {
				out := map[string]float64{}
				for k, v := range r {
					out[strconv.Itoa(k)] = v
				}
				return json.NewEncoder(os.Stdout).Encode(map[string]any{"recall_at_k": out})
			}
			fmt.Println("| k | recall |\n|---|---|")
			for _, k := range list {
				fmt.Printf("| %d | %.4f |\n", k, r[k])
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&ontology, "ontology", "", "ontology JSONL (required)")
	f.StringVar(&data, "data", "", "annotated sentences JSONL (required)")
	f.StringVar(&ks, "k", "5,10,20,50", "comma-separated k values")
	f.BoolVar(&asJSON, "json", false, `print {"recall_at_k": {"5": …, …}}`)
	cmd.MarkFlagRequired("ontology")
	cmd.MarkFlagRequired("data")
	return cmd
}
