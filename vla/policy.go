package vla

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"github.com/ascent-rl/ascent/env"
	"github.com/ascent-rl/ascent/model"
)

// Shape is the policy's geometry: the observation it reads and the chunk it writes.
type Shape struct {
	Res      int // observation side in pixels (the env renders at it)
	Patch    int // patch side in pixels; (Res/Patch)² patches
	Proprio  int // proprioception length
	Words    int // instruction length in tokens (padded)
	K, D     int // chunk rows and action dimensions
	Hidden   int // transformer width
	Layers   int // transformer blocks
	Heads    int // attention heads
	MLP      int // SwiGLU width
	PatchDim int // Patch²·3, set by Check
	Patches  int // (Res/Patch)², set by Check
}

// Check validates the geometry and fills the derived sizes.
func (s *Shape) Check() error {
	if s.Res <= 0 || s.Patch <= 0 || s.Res%s.Patch != 0 {
		return fmt.Errorf("vla: resolution %d and patch %d: the patch must divide the resolution", s.Res, s.Patch)
	}
	if s.K <= 0 || s.D <= 1 || s.Words <= 0 || s.Proprio < 0 || s.Hidden <= 0 || s.Layers <= 0 || s.Heads <= 0 || s.Hidden%s.Heads != 0 || s.MLP <= 0 {
		return fmt.Errorf("vla: shape %+v: want positive sizes, D ≥ 2 and heads dividing hidden", *s)
	}
	s.PatchDim, s.Patches = s.Patch*s.Patch*3, (s.Res/s.Patch)*(s.Res/s.Patch)
	return nil
}

// Prefix is the number of input-embedding positions: the patches and the proprioception vector.
func (s Shape) Prefix() int { return s.Patches + 1 }

// ActTokens is K·D, the action tokens of one decision.
func (s Shape) ActTokens() int { return s.K * s.D }

// SeqLen is the training sequence length of one decision: prefix, instruction, the separator and
// every action token but the last (which is only a target).
func (s Shape) SeqLen() int { return s.Prefix() + s.Words + s.ActTokens() }

// Policy is the VLA policy: the transformer (model.Params) and the input encoder that turns an
// observation into the prefix embeddings (a learned linear patch projection, a proprioception
// projection and a learned position embedding per prefix slot).
type Policy struct {
	Shape Shape
	Vocab *Vocab
	Model *model.Params
	// PatchW [PatchDim, Hidden] and PatchB [Hidden] project a patch's pixels (in [−0.5, 0.5]).
	PatchW, PatchB []float32
	// PropW [Proprio, Hidden] and PropB [Hidden] project the proprioception vector.
	PropW, PropB []float32
	// Pos [Prefix, Hidden] is added to each prefix slot.
	Pos []float32
}

// NewPolicy returns a randomly initialised policy.
func NewPolicy(s Shape, seed uint64) (*Policy, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	v := NewVocab()
	cfg := model.Config{ModelType: "qwen2", VocabSize: v.Size, HiddenSize: s.Hidden, IntermediateSize: s.MLP,
		NumHiddenLayers: s.Layers, NumAttentionHeads: s.Heads, NumKeyValueHeads: s.Heads,
		MaxPositionEmbeddings: s.SeqLen() + 1, RopeTheta: 10000, RMSNormEps: 1e-6, AttentionBias: true,
		BOSTokenID: tokAct, EOSTokenID: tokPad}
	p := &Policy{Shape: s, Vocab: v, Model: model.NewRandom(cfg, seed)}
	rng := rand.New(rand.NewPCG(seed, 0xa11ce))
	normal := func(n int, std float64) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = float32(std * rng.NormFloat64())
		}
		return out
	}
	p.PatchW = normal(s.PatchDim*s.Hidden, 1/math.Sqrt(float64(s.PatchDim)))
	p.PatchB = make([]float32, s.Hidden)
	p.PropW = normal(max(s.Proprio, 1)*s.Hidden, 1/math.Sqrt(float64(max(s.Proprio, 1))))
	p.PropB = make([]float32, s.Hidden)
	p.Pos = normal(s.Prefix()*s.Hidden, 0.1)
	return p, nil
}

// Features are one observation's encoder inputs.
type Features struct {
	Patches []float32 // [Patches, PatchDim] pixels scaled to [−0.5, 0.5]
	Proprio []float32 // [Proprio]
	Words   []int     // [Words] instruction tokens
}

// Features extracts the encoder inputs of an observation, checking its size.
func (p *Policy) Features(obs *env.Observation) (*Features, error) {
	s := p.Shape
	if obs == nil || obs.Image == nil {
		return nil, fmt.Errorf("vla: observation without an image")
	}
	if b := obs.Image.Bounds(); b.Dx() != s.Res || b.Dy() != s.Res {
		return nil, fmt.Errorf("vla: observation image is %d×%d, the policy reads %d×%d", b.Dx(), b.Dy(), s.Res, s.Res)
	}
	if len(obs.Proprio) != s.Proprio {
		return nil, fmt.Errorf("vla: observation has %d proprioception values, the policy reads %d", len(obs.Proprio), s.Proprio)
	}
	words, err := p.Vocab.Encode(obs.Instruction, s.Words)
	if err != nil {
		return nil, err
	}
	return &Features{Patches: patches(obs.Image, s.Patch), Proprio: append([]float32(nil), obs.Proprio...), Words: words}, nil
}

// patches cuts img into patch × patch tiles, row-major, each flattened as (y, x, rgb).
func patches(img *image.RGBA, patch int) []float32 {
	n := img.Bounds().Dx() / patch
	out := make([]float32, 0, n*n*patch*patch*3)
	for py := range n {
		for px := range n {
			for y := range patch {
				row := img.Pix[(py*patch+y)*img.Stride+px*patch*4:]
				for x := range patch {
					for c := range 3 {
						out = append(out, float32(row[x*4+c])/255-0.5)
					}
				}
			}
		}
	}
	return out
}

// Embed writes the prefix embeddings of f into dst [Prefix, Hidden].
func (p *Policy) Embed(f *Features, dst []float32) {
	s := p.Shape
	H := s.Hidden
	for i := range s.Patches {
		e := dst[i*H : (i+1)*H]
		copy(e, p.PatchB)
		x := f.Patches[i*s.PatchDim : (i+1)*s.PatchDim]
		for j, v := range x {
			if v == 0 {
				continue
			}
			w := p.PatchW[j*H : (j+1)*H]
			for h := range e {
				e[h] += v * w[h]
			}
		}
	}
	e := dst[s.Patches*H : (s.Patches+1)*H]
	copy(e, p.PropB)
	for j, v := range f.Proprio {
		w := p.PropW[j*H : (j+1)*H]
		for h := range e {
			e[h] += v * w[h]
		}
	}
	for i, v := range p.Pos {
		dst[i] += v
	}
}

// EncoderGrads are the gradients of the encoder weights, shaped like them.
type EncoderGrads struct {
	PatchW, PatchB, PropW, PropB, Pos []float32
}

// newEncoderGrads returns zeroed encoder gradients.
func (p *Policy) newEncoderGrads() *EncoderGrads {
	return &EncoderGrads{PatchW: make([]float32, len(p.PatchW)), PatchB: make([]float32, len(p.PatchB)),
		PropW: make([]float32, len(p.PropW)), PropB: make([]float32, len(p.PropB)), Pos: make([]float32, len(p.Pos))}
}

// EmbedBack adds the encoder-weight gradients of one observation's prefix, given the gradient of
// the loss with respect to its embeddings dE [Prefix, Hidden].
func (p *Policy) EmbedBack(f *Features, dE []float32, g *EncoderGrads) {
	s := p.Shape
	H := s.Hidden
	for i := range s.Patches {
		d := dE[i*H : (i+1)*H]
		addTo(g.PatchB, d)
		for j, v := range f.Patches[i*s.PatchDim : (i+1)*s.PatchDim] {
			if v == 0 {
				continue
			}
			gw := g.PatchW[j*H : (j+1)*H]
			for h := range gw {
				gw[h] += v * d[h]
			}
		}
	}
	d := dE[s.Patches*H : (s.Patches+1)*H]
	addTo(g.PropB, d)
	for j, v := range f.Proprio {
		gw := g.PropW[j*H : (j+1)*H]
		for h := range gw {
			gw[h] += v * d[h]
		}
	}
	addTo(g.Pos, dE)
}

func addTo(y, x []float32) {
	for i, v := range x[:len(y)] {
		y[i] += v
	}
}
