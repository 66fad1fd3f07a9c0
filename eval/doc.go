// Package eval is Ascent's benchmark harness, used by `ascent eval`:
//
//	ascent eval --bench justrl9 --endpoint http://127.0.0.1:8000/v1 --model MODEL --out runs/eval1
//	ascent eval --responses gens.jsonl --group-by model --out runs/rescore
//
// It generates k samples per problem from an OpenAI-compatible server (or takes responses someone else
// generated), grades them with the rule checker of package answer (optionally followed by an LLM judge,
// as JustRL's grader does), and reports avg@k, unbiased pass@k, maj@k with bootstrap confidence
// intervals, per benchmark and averaged over benchmarks, in a terminal table, results.json, report.md
// and samples.jsonl.
//
// The evaluation sets of JustRL's nine-benchmark table (and GSM8K) are embedded under data/ with their
// provenance (data/PROVENANCE.md), so they are found by name: Load("aime2024"), or the group "justrl9".
package eval
