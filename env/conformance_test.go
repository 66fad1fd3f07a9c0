package env

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// The same checks run on the in-process simulator and on the simulator served over HTTP by a
// real server on 127.0.0.1: a remote LIBERO server must pass the spirit of these too.

func catalogs(t *testing.T) map[string]Catalog {
	srv := NewServer(SimCatalog{})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return map[string]Catalog{"in-process": SimCatalog{}, "http": NewClient(ts.URL)}
}

func TestConformance(t *testing.T) {
	for name, cat := range catalogs(t) {
		t.Run(name, func(t *testing.T) {
			for _, c := range conformanceChecks {
				t.Run(c.name, func(t *testing.T) { c.check(t, cat) })
			}
		})
	}
}

func newEnv(t *testing.T, cat Catalog, ep Episode) (Env, *Observation) {
	t.Helper()
	e, err := cat.NewEnv(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	obs, err := e.Reset(context.Background(), ep)
	if err != nil {
		t.Fatal(err)
	}
	return e, obs
}

// sameResult compares an env's result with the in-process shadow's.
func sameResult(t *testing.T, at string, got, want *StepResult) {
	t.Helper()
	if got.Executed != want.Executed || got.FinishStep != want.FinishStep || got.Done != want.Done ||
		got.Success != want.Success || got.Truncated != want.Truncated || got.Pushcut != want.Pushcut {
		t.Fatalf("%s: got %+v, want %+v", at, got, want)
	}
	if !bytes.Equal(got.Obs.Image.Pix, want.Obs.Image.Pix) || !slices.Equal(got.Obs.Proprio, want.Obs.Proprio) {
		t.Fatalf("%s: observation differs from the in-process simulator's", at)
	}
}

var conformanceChecks = []struct {
	name  string
	check func(t *testing.T, cat Catalog)
}{
	{"suites describe shapes and instructions", func(t *testing.T, cat Catalog) {
		suites, err := cat.Suites(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range suites {
			names = append(names, s.Suite)
			if s.ActionDim != 4 || s.ChunkLen != 8 || s.NTasks != len(s.Instructions) || len(s.NormStats.Q01) != 4 {
				t.Errorf("suite %s: %+v", s.Suite, s)
			}
		}
		if !slices.Equal(names, []string{"long", "pick", "pick_local", "push"}) {
			t.Errorf("suites %v", names)
		}
	}},
	{"an unknown suite lists the known ones", func(t *testing.T, cat Catalog) {
		e, _ := cat.NewEnv(context.Background())
		defer e.Close()
		_, err := e.Reset(context.Background(), Episode{Suite: "libero_90"})
		if err == nil || !strings.Contains(err.Error(), "known: long, pick, pick_local, push") {
			t.Fatalf("error %v", err)
		}
	}},
	{"reset is deterministic and honours the config", func(t *testing.T, cat Catalog) {
		ep := Episode{Suite: "pick", Task: 4, Trial: 5100, Config: Config{Resolution: 32, NumStepsWait: 10}}
		_, a := newEnv(t, cat, ep)
		_, b := newEnv(t, cat, ep)
		if a.Image.Bounds().Dx() != 32 || !bytes.Equal(a.Image.Pix, b.Image.Pix) || !slices.Equal(a.Proprio, b.Proprio) {
			t.Fatal("two resets differ or ignore the resolution")
		}
		if a.Instruction != "put the red block on the green plate" || len(a.Proprio) != SimProprioDim {
			t.Fatalf("instruction %q proprio %v", a.Instruction, a.Proprio)
		}
	}},
	{"the expert's episode matches the in-process simulator step for step", func(t *testing.T, cat Catalog) {
		ep := Episode{Suite: "long", Task: 7, Trial: 5003}
		e, _ := newEnv(t, cat, ep)
		shadow := NewSim()
		shadow.Reset(context.Background(), ep)
		for n := 0; ; n++ {
			chunk := shadow.ExpertChunk(SimChunkLen)
			want, _ := shadow.Step(context.Background(), chunk, StepOptions{})
			got, err := e.Step(context.Background(), chunk, StepOptions{})
			if err != nil {
				t.Fatal(err)
			}
			sameResult(t, fmt.Sprintf("decision %d", n), got, want)
			if got.Done {
				if !got.Success {
					t.Fatal("the expert failed")
				}
				break
			}
		}
	}},
	{"bad chunks name the env and the step", func(t *testing.T, cat Catalog) {
		e, _ := newEnv(t, cat, Episode{Suite: "push", Task: 2, Trial: 9})
		_, err := e.Step(context.Background(), [][]float32{{0, 0, 0}}, StepOptions{})
		if err == nil || !strings.Contains(err.Error(), "push/2/9") || !strings.Contains(err.Error(), "step 0") {
			t.Fatalf("error %v", err)
		}
	}},
	{"the step cap truncates and a done env idles", func(t *testing.T, cat Catalog) {
		e, _ := newEnv(t, cat, Episode{Suite: "push", Task: 0, Trial: 1, Config: Config{MaxSteps: 12}})
		idle := [][]float32{{0, 0, 0, -1}, {0, 0, 0, -1}, {0, 0, 0, -1}, {0, 0, 0, -1}, {0, 0, 0, -1}, {0, 0, 0, -1}, {0, 0, 0, -1}, {0, 0, 0, -1}}
		var last *StepResult
		for i := 0; i < 3; i++ {
			r, err := e.Step(context.Background(), idle, StepOptions{RecordFrames: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Frames) != r.Executed {
				t.Fatalf("%d frames for %d steps", len(r.Frames), r.Executed)
			}
			last = r
		}
		if !last.Done || !last.Truncated || last.FinishStep != 12 || last.Executed != 0 {
			t.Fatalf("after the cap: %+v", last)
		}
	}},
	{"config.chunk_len sets K", func(t *testing.T, cat Catalog) {
		e, _ := newEnv(t, cat, Episode{Suite: "pick", Task: 1, Trial: 2, Config: Config{ChunkLen: 25}})
		cs, _ := RandomPolicy{}.Act(context.Background(), []Decision{{Env: e}})
		r, err := e.Step(context.Background(), cs[0], StepOptions{})
		if err != nil || r.Executed != 25 {
			t.Fatalf("a 25-row chunk: %+v, %v", r, err)
		}
		_, err = e.Step(context.Background(), append(cs[0], cs[0][0]), StepOptions{})
		if err == nil || !strings.Contains(err.Error(), "want 1..25") {
			t.Fatalf("a 26-row chunk: %v", err)
		}
	}},
	{"a batch step equals stepping each env alone", func(t *testing.T, cat Catalog) {
		var envs []Env
		var shadows []*Sim
		for i := 0; i < 6; i++ {
			ep := Episode{Suite: SimSuiteNames()[i%3], Task: i, Trial: 5000 + i}
			e, _ := newEnv(t, cat, ep)
			s := NewSim()
			s.Reset(context.Background(), ep)
			envs, shadows = append(envs, e), append(shadows, s)
		}
		for n := 0; n < 30; n++ {
			chunks := make([][][]float32, len(envs))
			for i, s := range shadows {
				chunks[i] = s.ExpertChunk(SimChunkLen)
			}
			rs, errs := StepAll(context.Background(), envs, chunks, StepOptions{})
			for i, s := range shadows {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				want, _ := s.Step(context.Background(), chunks[i], StepOptions{})
				sameResult(t, "batch", rs[i], want)
			}
		}
	}},
	{"RunEpisodes with the random policy is deterministic", func(t *testing.T, cat Catalog) {
		var eps []Episode
		for tr := 0; tr < 6; tr++ {
			eps = append(eps, Episode{Suite: "push", Task: tr % 8, Trial: tr})
		}
		a, sa, err := RunEpisodes(context.Background(), cat, RandomPolicy{Seed: 3}, eps, RunOptions{Parallel: 4})
		if err != nil {
			t.Fatal(err)
		}
		b, _, _ := RunEpisodes(context.Background(), SimCatalog{}, RandomPolicy{Seed: 3}, eps, RunOptions{Parallel: 2})
		for i := range a {
			if a[i].FinishStep != b[i].FinishStep || a[i].Success != b[i].Success || a[i].Err != "" {
				t.Fatalf("episode %d: %+v vs in-process %+v", i, a[i], b[i])
			}
		}
		if sa.Episodes != 6 || sa.Errors != 0 {
			t.Fatalf("summary %+v", sa)
		}
	}},
}
