package local

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/model"
)

// The engine's own files inside a checkpoint directory, next to the model package's config.json and
// model.safetensors: the AdamW moments and the heads' tensors (written by the model package's
// safetensors codec), and the optimizer step with the heads' names in creation order.
const (
	stateFile     = "engine_state.safetensors"
	stateMetaFile = "engine_state.json"
)

// stateMeta is engine_state.json.
type stateMeta struct {
	Step   int      `json:"step"`                      // completed optimizer steps
	Origin int      `json:"schedule_origin,omitempty"` // the step the LR schedule starts at (absent: 0)
	Heads  []string `json:"heads"`                     // value_head / logz_head, in creation order (optimizer slot order)
}

// Save writes the weights (Hugging Face layout: config.json + model.safetensors, float32 so that a
// resumed run is bit-identical) and the engine state (AdamW moments and step, heads) to dir. It
// writes into a temporary sibling directory and renames it into place, so dir is either the old
// or the new checkpoint, never a mix.
func (e *Engine) Save(dir string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("save checkpoint %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("save checkpoint %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp)
	if err := e.params.Save(tmp, "float32"); err != nil {
		return fmt.Errorf("save checkpoint %s: %w", dir, err)
	}
	state := map[string]*model.Tensor{}
	for i, r := range e.refs {
		t := r.get()
		state["m."+r.name] = &model.Tensor{Shape: t.Shape, Data: e.opt.m[i]}
		state["v."+r.name] = &model.Tensor{Shape: t.Shape, Data: e.opt.v[i]}
	}
	meta := stateMeta{Step: e.opt.step, Origin: e.opt.origin, Heads: []string{}}
	for _, h := range e.heads {
		k := e.headIndex(h)
		meta.Heads = append(meta.Heads, h.name)
		for j, t := range []struct {
			suffix string
			t      *model.Tensor
		}{{".weight", h.w}, {".bias", h.b}} {
			n := h.name + t.suffix
			state[n] = t.t
			state["m."+n] = &model.Tensor{Shape: t.t.Shape, Data: e.opt.m[k+j]}
			state["v."+n] = &model.Tensor{Shape: t.t.Shape, Data: e.opt.v[k+j]}
		}
	}
	if err := model.WriteSafetensors(filepath.Join(tmp, stateFile), state, model.DtypeF32); err != nil {
		return fmt.Errorf("save checkpoint %s: %w", dir, err)
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("save checkpoint %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, stateMetaFile), mb, 0o644); err != nil {
		return fmt.Errorf("save checkpoint %s: %w", dir, err)
	}
	old := ""
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("save checkpoint %s: move old checkpoint aside: %w", dir, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return fmt.Errorf("save checkpoint %s: %w", dir, err)
	}
	if old != "" {
		_ = os.RemoveAll(old)
	}
	return nil
}

// Load restores weights, optimizer state and heads from a directory written by Save. The model
// architecture in config.json must equal the engine's. A model directory without the engine's
// state is an error wrapping engine.ErrNoState, before anything changes.
func (e *Engine) Load(dir string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	loaded, err := model.Load(dir)
	if err != nil {
		return err
	}
	if !hasState(dir) {
		return fmt.Errorf("load checkpoint %s: %w (no %s)", dir, engine.ErrNoState, stateFile)
	}
	if cfg := loaded.Config; !sameArchitecture(cfg, e.params.Config) {
		return fmt.Errorf("load checkpoint: %s: architecture %+v differs from the engine's %+v", filepath.Join(dir, model.ConfigFile), cfg, e.params.Config)
	}
	weights := loaded.Named()
	state, err := model.ReadSafetensors(filepath.Join(dir, stateFile))
	if err != nil {
		return fmt.Errorf("load checkpoint: %w", err)
	}
	var meta stateMeta
	mb, err := os.ReadFile(filepath.Join(dir, stateMetaFile))
	if err == nil {
		err = json.Unmarshal(mb, &meta)
	}
	if err != nil {
		return fmt.Errorf("load checkpoint: %w", err)
	}
	step := meta.Step
	if step < 0 {
		return fmt.Errorf("load checkpoint: %s: step %d: expected a non-negative integer", filepath.Join(dir, stateMetaFile), step)
	}
	if meta.Origin < 0 || meta.Origin > step {
		return fmt.Errorf("load checkpoint: %s: schedule_origin %d: expected 0 to the step %d", filepath.Join(dir, stateMetaFile), meta.Origin, step)
	}
	// Check everything before changing anything.
	need := func(src map[string]*model.Tensor, file, name string, shape []int) (*model.Tensor, error) {
		t, ok := src[name]
		if !ok {
			return nil, fmt.Errorf("load checkpoint: %s: missing tensor %s", filepath.Join(dir, file), name)
		}
		if !slices.Equal(t.Shape, shape) {
			return nil, fmt.Errorf("load checkpoint: %s: tensor %s has shape %v, expected %v", filepath.Join(dir, file), name, t.Shape, shape)
		}
		return t, nil
	}
	type copyOp struct{ dst, src []float32 }
	var ops []copyOp
	for i, r := range e.refs {
		t := r.get()
		for _, x := range []struct {
			src  map[string]*model.Tensor
			file string
			name string
			dst  []float32
		}{{weights, model.WeightsFile, r.name, t.Data}, {state, stateFile, "m." + r.name, e.opt.m[i]}, {state, stateFile, "v." + r.name, e.opt.v[i]}} {
			s, err := need(x.src, x.file, x.name, t.Shape)
			if err != nil {
				return err
			}
			ops = append(ops, copyOp{x.dst, s.Data})
		}
	}
	var heads []*head
	var hm, hv [][]float32
	{
		D := e.params.Config.HiddenSize
		for _, name := range meta.Heads {
			if name != "value_head" && name != "logz_head" {
				return fmt.Errorf("load checkpoint: %s: unknown head %q (expected value_head or logz_head)", filepath.Join(dir, stateMetaFile), name)
			}
			h := &head{name: name}
			for _, part := range []struct {
				suffix string
				shape  []int
				dst    **model.Tensor
			}{{".weight", []int{1, D}, &h.w}, {".bias", []int{1}, &h.b}} {
				n := name + part.suffix
				w, err := need(state, stateFile, n, part.shape)
				if err != nil {
					return err
				}
				m, err := need(state, stateFile, "m."+n, part.shape)
				if err != nil {
					return err
				}
				v, err := need(state, stateFile, "v."+n, part.shape)
				if err != nil {
					return err
				}
				*part.dst = &model.Tensor{Shape: part.shape, Data: w.Data}
				hm, hv = append(hm, m.Data), append(hv, v.Data)
			}
			heads = append(heads, h)
		}
	}
	for _, op := range ops {
		copy(op.dst, op.src)
	}
	np := len(e.refs)
	e.opt.m, e.opt.v = append(e.opt.m[:np], hm...), append(e.opt.v[:np], hv...)
	e.opt.step, e.opt.origin = step, meta.Origin
	e.heads = heads
	e.invalidate()
	return nil
}

// sameArchitecture reports whether two configs describe tensors of the same shapes and the same
// forward pass.
func sameArchitecture(a, b model.Config) bool {
	return a.VocabSize == b.VocabSize && a.HiddenSize == b.HiddenSize && a.IntermediateSize == b.IntermediateSize &&
		a.NumHiddenLayers == b.NumHiddenLayers && a.NumAttentionHeads == b.NumAttentionHeads &&
		a.NumKeyValueHeads == b.NumKeyValueHeads && a.Dim() == b.Dim() && a.TieWordEmbeddings == b.TieWordEmbeddings &&
		a.AttentionBias == b.AttentionBias && a.RopeTheta == b.RopeTheta && a.RMSNormEps == b.RMSNormEps
}

// hasState reports whether dir is an engine checkpoint with optimizer state (written by Save), as
// opposed to a bare Hugging Face model directory.
func hasState(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, stateFile))
	return err == nil && st.Mode().IsRegular()
}

// OptimizerState returns a copy of the AdamW moments and step of the model weights (not the
// heads'), for HandOver.
func (e *Engine) OptimizerState() engine.OptimizerState {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := engine.OptimizerState{Step: e.opt.step, M: map[string][]float32{}, V: map[string][]float32{}}
	for i, r := range e.refs {
		s.M[r.name] = slices.Clone(e.opt.m[i])
		s.V[r.name] = slices.Clone(e.opt.v[i])
	}
	return s
}

// SetOptimizerState continues another engine's optimizer (an SFT warm-up's): it takes its moments
// and step (bias correction goes on from there) and drops this engine's heads, as Load of that
// engine's checkpoint would; EnsureHeads recreates them. This engine's own LR schedule (warm-up,
// cosine) starts at the handed-over step. Every tensor is checked before anything changes.
func (e *Engine) SetOptimizerState(s engine.OptimizerState) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s.Step < 0 {
		return fmt.Errorf("optimizer state: step %d: want ≥ 0", s.Step)
	}
	for _, r := range e.refs {
		n := len(r.get().Data)
		if len(s.M[r.name]) != n || len(s.V[r.name]) != n {
			return fmt.Errorf("optimizer state: tensor %s has %d/%d moments, expected %d", r.name, len(s.M[r.name]), len(s.V[r.name]), n)
		}
	}
	for i, r := range e.refs {
		copy(e.opt.m[i], s.M[r.name])
		copy(e.opt.v[i], s.V[r.name])
	}
	np := len(e.refs)
	e.opt.m, e.opt.v = e.opt.m[:np], e.opt.v[:np]
	e.opt.step, e.opt.origin = s.Step, s.Step
	e.heads = nil
	e.invalidate()
	return nil
}
