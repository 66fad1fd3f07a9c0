// Command ee measures event-type recall and partitioning on the shared event-extraction data:
// the BM25 recall@k curve (k = 5…50) and, for each partition strategy, the share of gold events
// whose type shares its prompt with every recalled confusable sibling (same domain).
//
//	GOEXPERIMENT=simd go run ./bench/ee                      # ../shared/data/ee, tables
//	GOEXPERIMENT=simd go run ./bench/ee --dir DIR --k 20 --size 5
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ascent-rl/ascent/ee"
)

func main() {
	dir := flag.String("dir", "../shared/data/ee", "directory with ontology.jsonl, train.jsonl, dev.jsonl")
	k := flag.Int("k", 20, "candidates recalled per sentence for the partition comparison")
	size := flag.Int("size", 5, "types per partition")
	flag.Parse()
	if err := run(*dir, *k, *size); err != nil {
		fmt.Fprintln(os.Stderr, "bench/ee:", err)
		os.Exit(1)
	}
}

func run(dir string, k, size int) error {
	ont, err := ee.LoadOntology(filepath.Join(dir, "ontology.jsonl"))
	if err != nil {
		return err
	}
	var sents []ee.Sentence
	for _, f := range []string{"train.jsonl", "dev.jsonl"} {
		s, err := ee.LoadSentences(filepath.Join(dir, f), ont)
		if err != nil {
			return err
		}
		sents = append(sents, s...)
	}
	idx := ee.NewIndex(ont)
	ks := []int{1, 5, 10, 15, 20, 30, 40, 50}
	r := idx.RecallAtK(sents, ks)
	events := 0
	for _, s := range sents {
		events += len(s.Events)
	}
	fmt.Printf("BM25 type recall over %d types, %d sentences, %d events (train + dev)\n\n| k | recall@k |\n|---|---|\n", len(ont.Types), len(sents), events)
	for _, kk := range ks {
		fmt.Printf("| %d | %.3f |\n", kk, r[kk])
	}
	fmt.Printf("\nPartitions of the top %d candidates into prompts of %d types: share of events whose type shares its prompt with all its recalled same-domain siblings\n\n| strategy | together |\n|---|---|\n", k, size)
	for _, name := range []string{"random", "average", "level"} {
		p, _ := ee.LookupPartitioner(name)
		fmt.Printf("| %s | %.3f |\n", name, ee.SiblingCohesion(idx, sents, k, size, p, 1))
	}
	return nil
}
