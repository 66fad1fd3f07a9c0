package ee

import (
	"fmt"
	"testing"
)

// bigOntology repeats the shared ontology under new domain names until it has n types.
func bigOntology(b *testing.B, n int) *Ontology {
	ont, _, _ := load(b)
	var types []Type
	for i := 0; len(types) < n; i++ {
		for _, t := range ont.Types {
			if len(types) == n {
				break
			}
			c := t
			c.Name = fmt.Sprintf("%s%d", t.Name, i)
			types = append(types, c)
		}
	}
	big, err := NewOntology(types)
	if err != nil {
		b.Fatal(err)
	}
	return big
}

// BenchmarkTopK10kTypes recalls 20 candidates for one sentence among 10,000 types.
func BenchmarkTopK10kTypes(b *testing.B) {
	idx := NewIndex(bigOntology(b, 10000))
	_, _, dev := load(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		idx.TopK(dev[i%len(dev)].Text, 20)
	}
}

// BenchmarkScore10kSentences scores 10,000 predicted sentences against 10,000 gold ones.
func BenchmarkScore10kSentences(b *testing.B) {
	_, train, _ := load(b)
	var gold, pred []Sentence
	for i := 0; len(gold) < 10000; i++ {
		s := train[i%len(train)]
		s.ID = fmt.Sprintf("%s-%d", s.ID, i)
		gold = append(gold, s)
		p := s
		if i%3 == 0 && len(p.Events) > 0 {
			p.Events = p.Events[1:]
		}
		pred = append(pred, p)
	}
	b.ResetTimer()
	for b.Loop() {
		Score(gold, pred)
	}
}
