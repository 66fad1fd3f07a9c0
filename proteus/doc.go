// Package proteus turns raw clinical multi-omics files into data-grounded hypotheses, after
// PROTEUS ("Automating Exploratory Multiomics Research via Language Models", arXiv 2506.07591):
//
//	ascent proteus --data ../shared/data/omics/cohort_a --validate ../shared/data/omics/cohort_b --out out/
//
// The pipeline: ingestion and profiling of feature × sample matrices, a mutation table and a
// clinical table ([LoadCohort]); an entity graph whose edges are statistical results and whose
// process records hold every direction tried and tool run ([Graph]); a planner that proposes
// research directions and runs tools from the stats registry (the built-in systematic planner,
// [Builtin], or an LLM over an OpenAI-compatible endpoint in agent/proteusllm); hypotheses from the
// significant edges with BH control per family; and external validation of each hypothesis on an
// independent cohort ([Validate]).
//
// Every number in a hypothesis comes from a stats tool call recorded in the graph; an LLM never
// computes one. See docs/proteus.md.
package proteus
