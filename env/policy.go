package env

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"runtime"
	"sync"
)

// Decision is one environment's input to a policy at a decision step.
type Decision struct {
	// Env is the environment being stepped (privileged policies such as the expert read it).
	Env Env
	// Episode is the episode the env is running.
	Episode Episode
	// Obs is the latest observation.
	Obs *Observation
	// Step is the episode's low-level step count so far.
	Step int
	// Index is the episode's position in the list RunEpisodes plays (so a recording policy can
	// tell replicas of one episode apart).
	Index int
}

// Policy maps a batch of decisions to one action chunk each ([len(ds)][K][D]): one call per
// decision step for every active env, so a batched model forward fits behind it. A trained VLA
// policy implements it; so do the scripted expert and the random baseline here.
type Policy interface {
	Act(ctx context.Context, ds []Decision) ([][][]float32, error)
}

// ExpertPolicy is the scripted expert: it plans on the in-process simulator's privileged state,
// so it drives Sim envs only.
type ExpertPolicy struct {
	// K is the chunk length (0: the env's).
	K int
	// Push makes the expert push blocks onto their plates instead of grasping them (a scripted
	// pushcut, to check that the physics and the env/pushcut_ratio metric allow one).
	Push bool
}

// Act returns the expert's next chunk for every decision.
func (p ExpertPolicy) Act(_ context.Context, ds []Decision) ([][][]float32, error) {
	out := make([][][]float32, len(ds))
	for i, d := range ds {
		s, ok := d.Env.(*Sim)
		if !ok {
			return nil, fmt.Errorf("expert policy: env for %s is %T; the scripted expert needs the in-process simulator", d.Episode, d.Env)
		}
		k, _ := s.Shape()
		out[i] = s.plan(cmp.Or(p.K, k), p.Push)
	}
	return out, nil
}

// Shaper is implemented by envs that state their chunk shape (K rows, D dims).
type Shaper interface {
	Shape() (k, d int)
}

// RandomPolicy samples every action uniformly in [−1, 1], deterministically per (seed, episode, step).
type RandomPolicy struct {
	// Seed varies the stream.
	Seed uint64
	// K and D are the chunk shape (0: the env's Shape, else SimChunkLen and SimActionDim).
	K, D int
}

// Act returns a uniform random chunk per decision.
func (p RandomPolicy) Act(_ context.Context, ds []Decision) ([][][]float32, error) {
	out := make([][][]float32, len(ds))
	for i, d := range ds {
		k, dim := p.K, p.D
		if sh, ok := d.Env.(Shaper); ok && (k == 0 || dim == 0) {
			ek, ed := sh.Shape()
			k, dim = cmp.Or(k, ek), cmp.Or(dim, ed)
		}
		k, dim = cmp.Or(k, SimChunkLen), cmp.Or(dim, SimActionDim)
		h := fnv.New64a()
		fmt.Fprintf(h, "%s/%d", d.Episode, d.Step)
		rng := rand.New(rand.NewPCG(p.Seed, h.Sum64()))
		out[i] = make([][]float32, k)
		for j := range out[i] {
			row := make([]float32, dim)
			for c := range row {
				row[c] = float32(2*rng.Float64() - 1)
			}
			out[i][j] = row
		}
	}
	return out, nil
}

// batchStepper is implemented by envs whose steps can share one call (the remote client's envs).
type batchStepper interface {
	Env
	// batchKey groups envs that can be stepped together (the same server).
	batchKey() any
	// stepBatch steps envs (all of one key) with one chunk each.
	stepBatch(ctx context.Context, envs []Env, chunks [][][]float32, opt StepOptions) ([]*StepResult, []error)
}

// StepAll steps envs[i] with chunks[i] for every i: envs of one remote server go in one batch
// request, the others run concurrently. Errors are per env; one env's failure never stops the rest.
func StepAll(ctx context.Context, envs []Env, chunks [][][]float32, opt StepOptions) ([]*StepResult, []error) {
	res := make([]*StepResult, len(envs))
	errs := make([]error, len(envs))
	groups := map[any][]int{}
	var local []int
	for i, e := range envs {
		if b, ok := e.(batchStepper); ok {
			groups[b.batchKey()] = append(groups[b.batchKey()], i)
		} else {
			local = append(local, i)
		}
	}
	var wg sync.WaitGroup
	for _, idx := range groups {
		wg.Add(1)
		go func(idx []int) {
			defer wg.Done()
			sub := make([]Env, len(idx))
			cs := make([][][]float32, len(idx))
			for j, i := range idx {
				sub[j], cs[j] = envs[i], chunks[i]
			}
			r, e := envs[idx[0]].(batchStepper).stepBatch(ctx, sub, cs, opt)
			for j, i := range idx {
				res[i], errs[i] = r[j], e[j]
			}
		}(idx)
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, i := range local {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			res[i], errs[i] = envs[i].Step(ctx, chunks[i], opt)
		}(i)
	}
	wg.Wait()
	return res, errs
}
