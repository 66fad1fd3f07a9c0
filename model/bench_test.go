package model

import "testing"

// benchmarkDecoder measures sampling throughput: batch rows share a 16-token prompt (one Prefill
// plus CopyRow), then Step runs until the rows reach maxLen; tokens/s counts generated tokens.
func benchmarkDecoder(b *testing.B, cfg Config, batch, maxLen int) {
	p := NewRandom(cfg, 1)
	dec := NewDecoder(p, batch, maxLen)
	prompt := make([]int, 16)
	for i := range prompt {
		prompt[i] = (i * 7) % cfg.VocabSize
	}
	toks, active := make([]int, batch), make([]bool, batch)
	for r := range active {
		active[r] = true
	}
	generated := 0
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		if _, err := dec.Prefill(0, prompt); err != nil {
			b.Fatal(err)
		}
		for r := 1; r < batch; r++ {
			dec.CopyRow(r, 0)
		}
		for step := len(prompt); step < maxLen; step++ {
			for r := range toks {
				toks[r] = (step*31 + r) % cfg.VocabSize
			}
			if _, err := dec.Step(toks, active); err != nil {
				b.Fatal(err)
			}
			generated += batch
		}
	}
	b.ReportMetric(float64(generated)/b.Elapsed().Seconds(), "tokens/s")
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(generated)/cpu, "tokens/cpu-s")
	}
	b.ReportMetric(0, "ns/op")
	b.Logf("kernels: %s", simdKernels())
}

// BenchmarkDecoderTinyBatch32 is the sampler's target: TinyConfig, 32 rows, 16-token prompt, 48
// sampled tokens per row (the full 64-token context).
func BenchmarkDecoderTinyBatch32(b *testing.B) { benchmarkDecoder(b, TinyConfig(), 32, 64) }

// BenchmarkDecoderSmall30MBatch32 is Small30MConfig, 32 rows, 16-token prompt, 112 sampled tokens.
func BenchmarkDecoderSmall30MBatch32(b *testing.B) { benchmarkDecoder(b, Small30MConfig(), 32, 128) }
