package local

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ascent-rl/ascent/model"
)

// stateFile is the engine's own file inside a checkpoint directory (next to the model package's
// config.json and model.safetensors): AdamW moments and step, value and log Z heads.
const stateFile = "engine_state.safetensors"

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
	state := map[string]stTensor{}
	for i, r := range e.refs {
		t := r.get()
		state["m."+r.name] = stTensor{shape: t.Shape, data: e.opt.m[i]}
		state["v."+r.name] = stTensor{shape: t.Shape, data: e.opt.v[i]}
	}
	var headNames []string
	for _, h := range e.heads {
		k := e.headIndex(h)
		headNames = append(headNames, h.name)
		for j, t := range []struct {
			suffix string
			t      *model.Tensor
		}{{".weight", h.w}, {".bias", h.b}} {
			n := h.name + t.suffix
			state[n] = stTensor{shape: t.t.Shape, data: t.t.Data}
			state["m."+n] = stTensor{shape: t.t.Shape, data: e.opt.m[k+j]}
			state["v."+n] = stTensor{shape: t.t.Shape, data: e.opt.v[k+j]}
		}
	}
	meta := map[string]string{"format": "pt", "step": strconv.Itoa(e.opt.step), "heads": strings.Join(headNames, ",")}
	if err := writeSafetensors(filepath.Join(tmp, stateFile), state, meta); err != nil {
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
// architecture in config.json must equal the engine's.
func (e *Engine) Load(dir string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	loaded, err := model.Load(dir)
	if err != nil {
		return err
	}
	if cfg := loaded.Config; !sameArchitecture(cfg, e.params.Config) {
		return fmt.Errorf("load checkpoint: %s: architecture %+v differs from the engine's %+v", filepath.Join(dir, model.ConfigFile), cfg, e.params.Config)
	}
	weights := map[string]stTensor{}
	for name, t := range loaded.Named() {
		weights[name] = stTensor{shape: t.Shape, data: t.Data}
	}
	state, meta, err := readSafetensors(filepath.Join(dir, stateFile))
	if err != nil {
		return fmt.Errorf("load checkpoint: %w", err)
	}
	step, err := strconv.Atoi(meta["step"])
	if err != nil || step < 0 {
		return fmt.Errorf("load checkpoint: %s: metadata step %q: expected a non-negative integer", filepath.Join(dir, stateFile), meta["step"])
	}
	// Check everything before changing anything.
	need := func(src map[string]stTensor, file, name string, shape []int) (stTensor, error) {
		t, ok := src[name]
		if !ok {
			return t, fmt.Errorf("load checkpoint: %s: missing tensor %s", filepath.Join(dir, file), name)
		}
		if !slices.Equal(t.shape, shape) {
			return t, fmt.Errorf("load checkpoint: %s: tensor %s has shape %v, expected %v", filepath.Join(dir, file), name, t.shape, shape)
		}
		return t, nil
	}
	type copyOp struct{ dst, src []float32 }
	var ops []copyOp
	for i, r := range e.refs {
		t := r.get()
		for _, x := range []struct {
			src  map[string]stTensor
			file string
			name string
			dst  []float32
		}{{weights, model.WeightsFile, r.name, t.Data}, {state, stateFile, "m." + r.name, e.opt.m[i]}, {state, stateFile, "v." + r.name, e.opt.v[i]}} {
			s, err := need(x.src, x.file, x.name, t.Shape)
			if err != nil {
				return err
			}
			ops = append(ops, copyOp{x.dst, s.data})
		}
	}
	var heads []*head
	var hm, hv [][]float32
	if meta["heads"] != "" {
		D := e.params.Config.HiddenSize
		for _, name := range strings.Split(meta["heads"], ",") {
			if name != "value_head" && name != "logz_head" {
				return fmt.Errorf("load checkpoint: %s: unknown head %q (expected value_head or logz_head)", filepath.Join(dir, stateFile), name)
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
				*part.dst = &model.Tensor{Shape: part.shape, Data: w.data}
				hm, hv = append(hm, m.data), append(hv, v.data)
			}
			heads = append(heads, h)
		}
	}
	for _, op := range ops {
		copy(op.dst, op.src)
	}
	np := len(e.refs)
	e.opt.m, e.opt.v = append(e.opt.m[:np], hm...), append(e.opt.v[:np], hv...)
	e.opt.step = step
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

// HasState reports whether dir is an engine checkpoint with optimizer state (written by Save), as
// opposed to a bare Hugging Face model directory.
func HasState(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, stateFile))
	return err == nil && st.Mode().IsRegular()
}
