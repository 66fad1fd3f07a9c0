package train

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/model"
)

// BenchmarkStep measures one forward and backward pass (no optimizer) of bench/engine's training
// shapes: `go test ./model/train -run '^$' -bench Step -cpu 1,2`.
func BenchmarkStep(b *testing.B) {
	for _, s := range []struct {
		name string
		cfg  model.Config
		B, T int
	}{{"tiny", model.TinyConfig(), 32, 64}, {"30M", model.Small30MConfig(), 4, 128}} {
		b.Run(s.name, func(b *testing.B) {
			p := model.NewRandom(s.cfg, 1)
			net, ps, g := New(p), NewPass(s.cfg, s.B, s.T), ZeroGrads(p)
			rng := rand.New(rand.NewPCG(1, 2))
			N := s.B * s.T
			tokens, targets, dl := make([]int32, N), make([]int32, N), make([]float32, N)
			for i := range tokens {
				tokens[i], targets[i], dl[i] = int32(rng.IntN(s.cfg.VocabSize)), int32(rng.IntN(s.cfg.VocabSize)), float32(rng.NormFloat64())/float32(N)
			}
			start, cpu0 := time.Now(), cpuSeconds()
			for b.Loop() {
				if err := net.Forward(ps, tokens, targets, 1); err != nil {
					b.Fatal(err)
				}
				if err := net.Backward(ps, dl, nil, nil, g); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(N*b.N)/time.Since(start).Seconds(), "tok/s")
			b.ReportMetric(float64(N*b.N)/(cpuSeconds()-cpu0), "tok/cpu-s")
			b.Logf("%s", fmt.Sprint("activations ", ps.Bytes()>>20, " MiB"))
		})
	}
}
