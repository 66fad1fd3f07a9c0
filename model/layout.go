package model

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
)

// TinyConfig is the reference tiny model used by tests, examples and the sampler benchmark:
// Qwen2-shaped (q/k/v biases), 2 layers, D=128, 4 heads of 32 (no GQA), SwiGLU width 512 (4·D, the
// classic GPT ratio; Qwen2 uses about 5.4·D), vocabulary 64, context 64, untied lm_head. About 0.54M
// parameters.
func TinyConfig() Config {
	return Config{ModelType: "qwen2", VocabSize: 64, HiddenSize: 128, IntermediateSize: 512,
		NumHiddenLayers: 2, NumAttentionHeads: 4, NumKeyValueHeads: 4, MaxPositionEmbeddings: 64,
		RopeTheta: 10000, RMSNormEps: 1e-6, AttentionBias: true, BOSTokenID: 0, EOSTokenID: 1}
}

// Small30MConfig is a Qwen2-shaped model of about 28M parameters for CPU experiments that need a
// real capacity: 8 layers, D=512, 8 query heads of 64 sharing 2 KV heads (GQA 4:1, as Qwen2.5),
// SwiGLU width 1536 (3·D), vocabulary 8192, context 1024, tied embeddings (as Qwen2.5-0.5B).
func Small30MConfig() Config {
	return Config{ModelType: "qwen2", VocabSize: 8192, HiddenSize: 512, IntermediateSize: 1536,
		NumHiddenLayers: 8, NumAttentionHeads: 8, NumKeyValueHeads: 2, MaxPositionEmbeddings: 1024,
		RopeTheta: 1000000, RMSNormEps: 1e-6, TieWordEmbeddings: true, AttentionBias: true,
		BOSTokenID: 0, EOSTokenID: 1}
}

// TensorSpec is one tensor a checkpoint of a given Config holds.
type TensorSpec struct {
	Name  string // Hugging Face name, e.g. "model.layers.0.self_attn.q_proj.weight"
	Shape []int  // e.g. [H·hd, D]
}

// Layout returns every tensor a Hugging Face checkpoint of cfg holds, in model order: embeddings,
// then each layer's tensors in Layer field order, the final norm and (unless tied) lm_head.
func Layout(cfg Config) []TensorSpec {
	D, I, V := cfg.HiddenSize, cfg.IntermediateSize, cfg.VocabSize
	qd, kvd := cfg.NumAttentionHeads*cfg.Dim(), cfg.NumKeyValueHeads*cfg.Dim()
	shapes := map[string][]int{
		"input_layernorm.weight": {D}, "self_attn.q_proj.weight": {qd, D},
		"self_attn.k_proj.weight": {kvd, D}, "self_attn.v_proj.weight": {kvd, D},
		"self_attn.q_proj.bias": {qd}, "self_attn.k_proj.bias": {kvd}, "self_attn.v_proj.bias": {kvd},
		"self_attn.o_proj.weight": {D, qd}, "post_attention_layernorm.weight": {D},
		"mlp.gate_proj.weight": {I, D}, "mlp.up_proj.weight": {I, D}, "mlp.down_proj.weight": {D, I},
	}
	specs := []TensorSpec{{"model.embed_tokens.weight", []int{V, D}}}
	lt := reflect.TypeOf(Layer{})
	for l := 0; l < cfg.NumHiddenLayers; l++ {
		for i := 0; i < lt.NumField(); i++ {
			tag := lt.Field(i).Tag.Get("hf")
			if strings.HasSuffix(tag, ".bias") && !cfg.AttentionBias {
				continue
			}
			specs = append(specs, TensorSpec{fmt.Sprintf("model.layers.%d.%s", l, tag), shapes[tag]})
		}
	}
	specs = append(specs, TensorSpec{"model.norm.weight", []int{D}})
	if !cfg.TieWordEmbeddings {
		specs = append(specs, TensorSpec{"lm_head.weight", []int{V, D}})
	}
	return specs
}

// slots returns, for every tensor name of p's layout, where Params keeps it (via the hf tags).
func (p *Params) slots() map[string]**Tensor {
	m := map[string]**Tensor{}
	pv := reflect.ValueOf(p).Elem()
	pt := pv.Type()
	for i := 0; i < pt.NumField(); i++ {
		if tag := pt.Field(i).Tag.Get("hf"); tag != "" {
			m[tag] = pv.Field(i).Addr().Interface().(**Tensor)
		}
	}
	for l := range p.Layers {
		lv := reflect.ValueOf(&p.Layers[l]).Elem()
		lt := lv.Type()
		for i := 0; i < lt.NumField(); i++ {
			tag := lt.Field(i).Tag.Get("hf")
			m[fmt.Sprintf("model.layers.%d.%s", l, tag)] = lv.Field(i).Addr().Interface().(**Tensor)
		}
	}
	return m
}

// Named returns every non-nil tensor of p by its Hugging Face name. The tensors are p's own (not
// copies): writing through them changes p.
func (p *Params) Named() map[string]*Tensor {
	m := map[string]*Tensor{}
	for name, slot := range p.slots() {
		if *slot != nil {
			m[name] = *slot
		}
	}
	return m
}

// NumParams returns the number of scalar parameters (a tied lm_head counted once).
func (p *Params) NumParams() int {
	n := 0
	for _, t := range p.Named() {
		n += len(t.Data)
	}
	return n
}

// NewTensor returns a zero tensor of the given shape.
func NewTensor(shape ...int) *Tensor {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
}

// NewRandom returns freshly initialised weights for cfg, as transformers initialises Qwen2/Llama:
// every matrix drawn from N(0, 0.02²), biases 0, RMSNorm weights 1. The same (cfg, seed) always
// gives the same weights (PCG generator, tensors filled in Layout order). cfg must be valid.
func NewRandom(cfg Config, seed uint64) *Params {
	p := &Params{Config: cfg, Layers: make([]Layer, cfg.NumHiddenLayers)}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	slots := p.slots()
	for _, s := range Layout(cfg) {
		t := NewTensor(s.Shape...)
		switch {
		case strings.HasSuffix(s.Name, "norm.weight"):
			for i := range t.Data {
				t.Data[i] = 1
			}
		case strings.HasSuffix(s.Name, ".bias"):
		default:
			for i := range t.Data {
				t.Data[i] = float32(rng.NormFloat64() * 0.02)
			}
		}
		*slots[s.Name] = t
	}
	return p
}

// Clone returns a deep copy of p.
func (p *Params) Clone() *Params {
	q := &Params{Config: p.Config, Layers: make([]Layer, len(p.Layers))}
	q.Config.EOSTokenIDs = append([]int(nil), p.Config.EOSTokenIDs...)
	dst := q.slots()
	for name, t := range p.Named() {
		*dst[name] = t.Clone()
	}
	return q
}

// Check verifies that p holds exactly the tensors of Layout(p.Config) with the right shapes, and
// returns an error naming the first tensor that is missing, unexpected or misshapen.
func (p *Params) Check() error {
	if err := p.Config.Validate(); err != nil {
		return err
	}
	if len(p.Layers) != p.Config.NumHiddenLayers {
		return fmt.Errorf("params have %d layers; config num_hidden_layers is %d", len(p.Layers), p.Config.NumHiddenLayers)
	}
	named := p.Named()
	for _, s := range Layout(p.Config) {
		t, ok := named[s.Name]
		if !ok {
			return fmt.Errorf("tensor %s is missing; expected shape %v", s.Name, s.Shape)
		}
		if !sameShape(t.Shape, s.Shape) || len(t.Data) != numel(s.Shape) {
			return fmt.Errorf("tensor %s has shape %v (%d values); expected %v", s.Name, t.Shape, len(t.Data), s.Shape)
		}
		delete(named, s.Name)
	}
	for name := range named {
		return fmt.Errorf("tensor %s is unexpected for this config (attention_bias=%v, tie_word_embeddings=%v)",
			name, p.Config.AttentionBias, p.Config.TieWordEmbeddings)
	}
	return nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func numel(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}
