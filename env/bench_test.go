package env

import (
	"context"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time so far: on a shared, loaded machine steps per
// CPU-second is steadier than steps per wall-second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// report records steps/s (wall) and steps/cpu-s since cpu0.
func report(b *testing.B, steps int, cpu0 time.Duration) {
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
	if dt := (cpuTime() - cpu0).Seconds(); dt > 0 {
		b.ReportMetric(float64(steps)/dt, "steps/cpu-s")
	}
}

// Simulator throughput, one core: go test -bench . -benchtime 2s -cpu 1 -run '^$' ./env
// Each op of the Env benchmarks is one chunk of 8 low-level steps; steps/s is reported.

// benchChunks returns n random chunks, reused round-robin.
func benchChunks(n int) [][][]float32 {
	ds := make([]Decision, n)
	for i := range ds {
		ds[i] = Decision{Episode: Episode{Suite: "bench", Trial: i}, Step: i}
	}
	cs, _ := RandomPolicy{Seed: 1}.Act(context.Background(), ds)
	return cs
}

func benchEnvStep(b *testing.B, suite string, res int) {
	ctx := context.Background()
	s := NewSim()
	ep := Episode{Suite: suite, Config: Config{Resolution: res}}
	s.Reset(ctx, ep)
	chunks := benchChunks(64)
	steps := 0
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		r, err := s.Step(ctx, chunks[i%len(chunks)], StepOptions{})
		if err != nil {
			b.Fatal(err)
		}
		steps += r.Executed
		if r.Done {
			ep.Trial++
			s.Reset(ctx, ep)
		}
	}
	report(b, steps, cpu0)
}

func BenchmarkSimEnvStepPick64(b *testing.B) { benchEnvStep(b, "pick", 64) }
func BenchmarkSimEnvStepLong64(b *testing.B) { benchEnvStep(b, "long", 64) }
func BenchmarkSimEnvStepLong32(b *testing.B) { benchEnvStep(b, "long", 32) }

// BenchmarkSimPhysicsStep is one low-level step of the kinematics alone (no rendering).
func BenchmarkSimPhysicsStep(b *testing.B) {
	t := &simSuites["long"].Tasks[0]
	w := layout("long", t, 0, 0)
	chunks := benchChunks(64)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		w.step(chunks[(i/8)%64][i%8])
	}
	report(b, b.N, cpu0)
}

// BenchmarkSimRender64 is one 64×64 observation render.
func BenchmarkSimRender64(b *testing.B) {
	t := &simSuites["long"].Tasks[0]
	w := layout("long", t, 0, 0)
	bg := background(w, 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		render(w, 64, bg)
	}
}

// BenchmarkRemoteBatchStep16 steps 16 envs in one batch request over HTTP on 127.0.0.1.
func BenchmarkRemoteBatchStep16(b *testing.B) {
	srv := NewServer(SimCatalog{})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	defer srv.Close()
	c := NewClient(ts.URL)
	ctx := context.Background()
	envs := make([]Env, 16)
	eps := make([]Episode, 16)
	for i := range envs {
		envs[i], _ = c.NewEnv(ctx)
		eps[i] = Episode{Suite: "long", Task: i % 10, Trial: i}
		envs[i].Reset(ctx, eps[i])
	}
	chunks := benchChunks(16)
	steps := 0
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		rs, errs := StepAll(ctx, envs, chunks, StepOptions{})
		for j, r := range rs {
			if errs[j] != nil {
				b.Fatal(errs[j])
			}
			steps += r.Executed
			if r.Done {
				eps[j].Trial += 16
				envs[j].Reset(ctx, eps[j])
			}
		}
	}
	report(b, steps, cpu0)
}
