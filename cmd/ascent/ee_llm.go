package main

// ascent ee extract / annotate: LLM-PEE's two-stage extraction and EEMT's collaborative
// annotation over OpenAI-compatible endpoints (package agent/eeextract; docs/ee.md).
//
//	ascent ee extract --ontology O --data D --endpoint URL --model M --k 20 --partition level --size 5 --out DIR
//	ascent ee annotate --ontology O --data D --annotator URL,MODEL[,PERSONA] ... [--escalate URL,MODEL] --out DIR

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/agent/eeextract"
	"github.com/ascent-rl/ascent/ee"
	"github.com/ascent-rl/ascent/internal/atomicfile"
)

// eeLLMFlags are the flags extract and annotate share.
type eeLLMFlags struct {
	ontology, data, out, partition, prompts, apiKey string
	k, size, concurrency, maxTokens, budgetTokens   int
	seed                                            uint64
	timeout, budgetWall                             time.Duration
	temperature                                     float64
	asJSON                                          bool
}

func (l *eeLLMFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&l.ontology, "ontology", "", "ontology JSONL (required)")
	f.StringVar(&l.data, "data", "", "sentences JSONL (required; their events, when present, are the gold)")
	f.StringVar(&l.out, "out", "", "output directory (required; a trace there is resumed)")
	f.IntVar(&l.k, "k", 20, "candidate types recalled per sentence (BM25)")
	f.StringVar(&l.partition, "partition", "level", "partition strategy: random, average or level")
	f.IntVar(&l.size, "size", 5, "candidate types per prompt")
	f.Uint64Var(&l.seed, "seed", 0, "seed of the random partitioner")
	f.StringVar(&l.prompts, "prompts", "", "directory of prompt templates overriding the embedded ones")
	f.StringVar(&l.apiKey, "api-key", "", "bearer key for the endpoints (default: none)")
	f.IntVar(&l.concurrency, "concurrency", 4, "calls in flight per endpoint")
	f.IntVar(&l.maxTokens, "max-tokens", 0, "completion limit per call (0: the server's default)")
	f.DurationVar(&l.timeout, "call-timeout", 120*time.Second, "timeout of one call (retried 3 times)")
	f.Float64Var(&l.temperature, "temperature", 0, "sampling temperature")
	f.BoolVar(&l.asJSON, "json", false, "print the summary as JSON")
	f.IntVar(&l.budgetTokens, "budget-tokens", 0, "stop starting sentences once this many prompt + completion tokens are spent per endpoint (0: no limit)")
	f.DurationVar(&l.budgetWall, "budget-wall", 0, "stop starting sentences after this wall time (0: no limit)")
	for _, name := range []string{"ontology", "data", "out"} {
		cmd.MarkFlagRequired(name)
	}
}

// load reads the ontology and sentences and makes the output directory.
func (l *eeLLMFlags) load() (*ee.Ontology, []ee.Sentence, ee.Partitioner, error) {
	p, err := ee.LookupPartitioner(l.partition)
	if err != nil {
		return nil, nil, nil, err
	}
	ont, err := ee.LoadOntology(l.ontology)
	if err != nil {
		return nil, nil, nil, err
	}
	sents, err := ee.LoadSentences(l.data, ont)
	if err != nil {
		return nil, nil, nil, err
	}
	return ont, sents, p, os.MkdirAll(l.out, 0o755)
}

// session builds a checked client for endpoint/model and a session tracing into out/trace.
func (l *eeLLMFlags) session(ctx context.Context, workflow, endpoint, model, trace string) (*agent.Session, error) {
	c, err := agent.NewClient(agent.Config{Endpoint: endpoint, Model: model, APIKey: l.apiKey, Workflow: workflow,
		Timeout: l.timeout, Concurrency: l.concurrency, MaxTokens: l.maxTokens, Temperature: l.temperature})
	if err != nil {
		return nil, err
	}
	if err := c.CheckModel(ctx); err != nil {
		return nil, err
	}
	tr, err := agent.OpenTrace(filepath.Join(l.out, trace))
	if err != nil {
		return nil, err
	}
	return agent.NewSession(c, tr, agent.Budget{MaxTokens: l.budgetTokens, MaxWall: l.budgetWall}), nil
}

// extractor builds an extractor on s.
func (l *eeLLMFlags) extractor(s *agent.Session, ont *ee.Ontology, idx *ee.Index, p ee.Partitioner, persona string) *eeextract.Extractor {
	return &eeextract.Extractor{Session: s, Prompts: agent.Prompts{Workflow: eeextract.PromptWorkflow, Dir: l.prompts},
		Ontology: ont, Index: idx, K: l.k, Partition: p, Size: l.size, Seed: l.seed, Persona: persona}
}

// writeJSONL writes one JSON value per line, atomically.
func writeJSONL[T any](path string, rows []T) error {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return atomicfile.WriteFile(path, []byte(b.String()), 0o644)
}

// annotated reports whether any sentence carries gold events.
func annotated(sents []ee.Sentence) bool {
	for _, s := range sents {
		if len(s.Events) > 0 {
			return true
		}
	}
	return false
}

// printSummary prints the summary as JSON or as indented JSON under a title.
func printSummary(w io.Writer, title string, asJSON bool, summary map[string]any) error {
	if asJSON {
		return json.NewEncoder(w).Encode(summary)
	}
	b, _ := json.MarshalIndent(summary, "", "  ")
	_, err := fmt.Fprintf(w, "%s\n%s\n", title, b)
	return err
}

func eeExtractCmd() *cobra.Command {
	var l eeLLMFlags
	var endpoint, model string
	cmd := &cobra.Command{
		Use:   "extract",
		Short: "Two-stage LLM extraction (LLM-PEE): recall types, partition, detect triggers, extract arguments",
		Long: `Per sentence: BM25 recalls --k candidate types, --partition splits them into prompts of --size types,
each prompt asks the model for triggers with their type (llmpee/detect), and each detected trigger gets
an argument call with its type's roles (llmpee/arguments). Spans not in the sentence and malformed
replies are counted and dropped. Writes DIR/predictions.jsonl, DIR/trace.jsonl and, when the data is
annotated, DIR/scores.json.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ont, sents, p, err := l.load()
			if err != nil {
				return err
			}
			s, err := l.session(ctx, "llmpee", endpoint, model, "trace.jsonl")
			if err != nil {
				return err
			}
			x := l.extractor(s, ont, ee.NewIndex(ont), p, "")
			pred, st, err := x.Run(ctx, sents)
			if err != nil {
				return err
			}
			if err := writeJSONL(filepath.Join(l.out, "predictions.jsonl"), pred); err != nil {
				return err
			}
			summary := map[string]any{"stats": st, "tokens": s.Tokens(), "out": l.out}
			if annotated(sents) {
				sc := ee.Score(sents, pred)
				b, _ := json.Marshal(sc)
				if err := atomicfile.WriteFile(filepath.Join(l.out, "scores.json"), append(b, '\n'), 0o644); err != nil {
					return err
				}
				summary["scores"] = sc
			}
			if err := s.Finish(st.BudgetEnd, map[string]any{"stats": st}); err != nil {
				return err
			}
			return printSummary(cmd.OutOrStdout(), "ee extract: "+l.out, l.asJSON, summary)
		},
	}
	l.register(cmd)
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (required)")
	cmd.Flags().StringVar(&model, "model", "", "model name the endpoint serves (required)")
	cmd.MarkFlagRequired("endpoint")
	cmd.MarkFlagRequired("model")
	return cmd
}

// parseEndpoint splits "URL,MODEL[,PERSONA]" (the persona may hold commas).
func parseEndpoint(flag, v string, persona bool) (url, model, pers string, err error) {
	n := 2
	if persona {
		n = 3
	}
	parts := strings.SplitN(v, ",", n)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "", "", "", fmt.Errorf("%s %q: want URL,MODEL%s", flag, v, map[bool]string{true: "[,PERSONA]"}[persona])
	}
	if len(parts) == 3 {
		pers = parts[2]
	}
	return parts[0], parts[1], pers, nil
}

func eeAnnotateCmd() *cobra.Command {
	var l eeLLMFlags
	var annotators []string
	var escalate string
	cmd := &cobra.Command{
		Use:   "annotate",
		Short: "Collaborative annotation (EEMT): several LLM annotators, majority vote, re-vote, re-check, escalation",
		Long: `Every --annotator extracts (as in extract, headers eemt/detect and eemt/arguments); trigger spans with
no majority type are re-voted as a multiple-choice question with a "none of these" option (eemt/refine);
a re-vote with no majority goes to the --escalate model (eemt/escalate); each annotator re-checks its
arguments of the kept events against the span rules (eemt/recheck); the final majority vote is the
annotation. Writes DIR/annotations.jsonl, DIR/votes.jsonl, DIR/majority.jsonl, DIR/resolutions.jsonl
and one trace per annotator (DIR/trace_a1.jsonl, …, DIR/trace_escalate.jsonl).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if len(annotators) < 2 {
				return fmt.Errorf("ee annotate: need at least 2 --annotator (3 to break ties), got %d", len(annotators))
			}
			ont, sents, p, err := l.load()
			if err != nil {
				return err
			}
			idx := ee.NewIndex(ont)
			col := &eeextract.Collab{Ontology: ont, Prompts: agent.Prompts{Workflow: eeextract.AnnotateWorkflow, Dir: l.prompts}}
			var sessions []*agent.Session
			for i, a := range annotators {
				url, model, persona, err := parseEndpoint("--annotator", a, true)
				if err != nil {
					return err
				}
				name := fmt.Sprintf("a%d", i+1)
				s, err := l.session(ctx, "eemt", url, model, "trace_"+name+".jsonl")
				if err != nil {
					return fmt.Errorf("annotator %s: %w", name, err)
				}
				sessions = append(sessions, s)
				col.Annotators = append(col.Annotators, eeextract.Annotator{Name: name, Extractor: l.extractor(s, ont, idx, p, persona)})
			}
			if escalate != "" {
				url, model, _, err := parseEndpoint("--escalate", escalate, false)
				if err != nil {
					return err
				}
				if col.Escalate, err = l.session(ctx, "eemt", url, model, "trace_escalate.jsonl"); err != nil {
					return fmt.Errorf("escalation model: %w", err)
				}
				sessions = append(sessions, col.Escalate)
			}
			anns, st, err := col.Run(ctx, sents)
			if err != nil {
				return err
			}
			return writeAnnotations(cmd.OutOrStdout(), l, sents, anns, st, sessions)
		},
	}
	l.register(cmd)
	cmd.Flags().StringArrayVar(&annotators, "annotator", nil, "an annotator as URL,MODEL[,PERSONA] (repeat; named a1, a2, … in order)")
	cmd.Flags().StringVar(&escalate, "escalate", "", "the stronger model for re-votes with no majority, as URL,MODEL")
	return cmd
}

// writeAnnotations writes annotate's files, the traces' final records and the summary.
func writeAnnotations(w io.Writer, l eeLLMFlags, sents []ee.Sentence, anns []eeextract.Annotation, st eeextract.AnnotateStats, sessions []*agent.Session) error {
	var final []ee.Sentence
	var votes []ee.Vote
	var majority []ee.Majority
	type resolved struct {
		ID          string                 `json:"id"`
		Resolutions []eeextract.Resolution `json:"resolutions"`
	}
	var res []resolved
	for _, a := range anns {
		final = append(final, ee.Sentence{ID: a.ID, Text: a.Text, Events: a.Majority.Events})
		votes = append(votes, a.Votes...)
		majority = append(majority, a.Majority)
		res = append(res, resolved{a.ID, a.Resolutions})
	}
	for _, w := range []struct {
		name string
		err  func(string) error
	}{
		{"annotations.jsonl", func(p string) error { return writeJSONL(p, final) }},
		{"votes.jsonl", func(p string) error { return writeJSONL(p, votes) }},
		{"majority.jsonl", func(p string) error { return writeJSONL(p, majority) }},
		{"resolutions.jsonl", func(p string) error { return writeJSONL(p, res) }},
	} {
		if err := w.err(filepath.Join(l.out, w.name)); err != nil {
			return err
		}
	}
	tokens := 0
	for _, s := range sessions {
		tokens += s.Tokens()
		if err := s.Finish(st.BudgetEnd, map[string]any{"stats": st}); err != nil {
			return err
		}
	}
	summary := map[string]any{"stats": st, "tokens": tokens, "out": l.out}
	if annotated(sents) {
		summary["scores"] = ee.Score(sents, final)
	}
	return printSummary(w, "ee annotate: "+l.out, l.asJSON, summary)
}
