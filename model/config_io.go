package model

import (
	"github.com/ascent-rl/ascent/internal/atomicfile"

	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// architectures maps a supported model_type to the Hugging Face class named in config.json's
// "architectures" list; LoadConfig rejects any other model_type with this list of valid names.
var architectures = map[string]string{
	"qwen2": "Qwen2ForCausalLM",
	"llama": "LlamaForCausalLM",
}

// knownModelTypes lists the supported model_type values, for error messages.
func knownModelTypes() string {
	names := make([]string, 0, len(architectures))
	for k := range architectures {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// hfDefaults are the Hugging Face defaults for optional config.json fields (Qwen2Config and
// LlamaConfig in transformers), applied when the field is absent.
var hfDefaults = map[string]struct {
	maxPos int
	eps    float64
}{
	"qwen2": {maxPos: 32768, eps: 1e-6},
	"llama": {maxPos: 2048, eps: 1e-6},
}

// LoadConfig reads a Hugging Face config.json. It accepts the quirks found in published
// checkpoints: eos_token_id as a number or a list (the first becomes EOSTokenID, all of them
// EOSTokenIDs), an absent head_dim (D/H), absent optional fields (HF defaults), "dtype" instead of
// "torch_dtype". Unsupported features (rope_scaling, sliding windows, activations other than silu)
// and invalid values are errors naming the file and the field.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read model config: %w", err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("model config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig parses the bytes of a Hugging Face config.json (see LoadConfig) and validates it.
func ParseConfig(data []byte) (Config, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return Config{}, fmt.Errorf("not a JSON object: %w", err)
	}
	var c Config
	str := func(field string, dst *string) error {
		v, ok := raw[field]
		if !ok || string(v) == "null" {
			return nil
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return fmt.Errorf("field %q: expected a string, got %s", field, v)
		}
		return nil
	}
	num := func(field string, dst *int, required bool) error {
		v, ok := raw[field]
		if !ok || string(v) == "null" {
			if required {
				return fmt.Errorf("field %q is missing; expected a positive integer", field)
			}
			return nil
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return fmt.Errorf("field %q: expected an integer, got %s", field, v)
		}
		return nil
	}
	flt := func(field string, dst *float64) error {
		v, ok := raw[field]
		if !ok || string(v) == "null" {
			return nil
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return fmt.Errorf("field %q: expected a number, got %s", field, v)
		}
		return nil
	}
	boolean := func(field string, dst *bool) error {
		v, ok := raw[field]
		if !ok || string(v) == "null" {
			return nil
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return fmt.Errorf("field %q: expected true or false, got %s", field, v)
		}
		return nil
	}
	if err := str("model_type", &c.ModelType); err != nil {
		return Config{}, err
	}
	if c.ModelType == "" {
		return Config{}, fmt.Errorf("field \"model_type\" is missing; expected one of %s", knownModelTypes())
	}
	def, ok := hfDefaults[c.ModelType]
	if !ok {
		return Config{}, fmt.Errorf("field \"model_type\" is %q; expected one of %s", c.ModelType, knownModelTypes())
	}
	c.MaxPositionEmbeddings, c.RMSNormEps, c.RopeTheta = def.maxPos, def.eps, 10000
	c.AttentionBias = c.ModelType == "qwen2" // Qwen2 always has q/k/v biases; Llama reads attention_bias
	for _, f := range []struct {
		name     string
		dst      *int
		required bool
	}{
		{"vocab_size", &c.VocabSize, true},
		{"hidden_size", &c.HiddenSize, true},
		{"intermediate_size", &c.IntermediateSize, true},
		{"num_hidden_layers", &c.NumHiddenLayers, true},
		{"num_attention_heads", &c.NumAttentionHeads, true},
		{"num_key_value_heads", &c.NumKeyValueHeads, false},
		{"head_dim", &c.HeadDim, false},
		{"max_position_embeddings", &c.MaxPositionEmbeddings, false},
		{"bos_token_id", &c.BOSTokenID, false},
	} {
		if err := num(f.name, f.dst, f.required); err != nil {
			return Config{}, err
		}
	}
	if c.NumKeyValueHeads == 0 {
		c.NumKeyValueHeads = c.NumAttentionHeads
	}
	if v, ok := raw["eos_token_id"]; ok && string(v) != "null" {
		var one int
		var many []int
		switch {
		case json.Unmarshal(v, &one) == nil:
			c.EOSTokenIDs = []int{one}
		case json.Unmarshal(v, &many) == nil && len(many) > 0:
			c.EOSTokenIDs = many
		default:
			return Config{}, fmt.Errorf("field \"eos_token_id\": expected an integer or a non-empty list of integers, got %s", v)
		}
		c.EOSTokenID = c.EOSTokenIDs[0]
	}
	if err := flt("rope_theta", &c.RopeTheta); err != nil {
		return Config{}, err
	}
	if err := flt("rms_norm_eps", &c.RMSNormEps); err != nil {
		return Config{}, err
	}
	if err := boolean("tie_word_embeddings", &c.TieWordEmbeddings); err != nil {
		return Config{}, err
	}
	if c.ModelType == "llama" {
		if err := boolean("attention_bias", &c.AttentionBias); err != nil {
			return Config{}, err
		}
		var mlpBias bool
		if err := boolean("mlp_bias", &mlpBias); err != nil {
			return Config{}, err
		}
		if mlpBias {
			return Config{}, fmt.Errorf("field \"mlp_bias\" is true; only MLPs without biases are supported")
		}
	}
	if err := str("torch_dtype", &c.TorchDtype); err != nil {
		return Config{}, err
	}
	if c.TorchDtype == "" {
		if err := str("dtype", &c.TorchDtype); err != nil {
			return Config{}, err
		}
	}
	var act string
	if err := str("hidden_act", &act); err != nil {
		return Config{}, err
	}
	if act != "" && act != "silu" {
		return Config{}, fmt.Errorf("field \"hidden_act\" is %q; expected \"silu\" (SwiGLU)", act)
	}
	if v, ok := raw["rope_scaling"]; ok && string(v) != "null" {
		return Config{}, fmt.Errorf("field \"rope_scaling\" is %s; expected null or absent (RoPE scaling is not supported)", v)
	}
	var sliding bool
	if err := boolean("use_sliding_window", &sliding); err != nil {
		return Config{}, err
	}
	if sliding {
		return Config{}, fmt.Errorf("field \"use_sliding_window\" is true; expected false (sliding-window attention is not supported)")
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// maxDim bounds every size field, so that a corrupt config.json is an error rather than an
// attempt to allocate petabytes (the largest published models are far below it).
const maxDim = 1 << 24

// Validate checks that the configuration describes a model this package can build, and returns an
// error naming the first invalid config.json field and what was expected.
func (c Config) Validate() error {
	if _, ok := architectures[c.ModelType]; !ok {
		return fmt.Errorf("field \"model_type\" is %q; expected one of %s", c.ModelType, knownModelTypes())
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"intermediate_size", c.IntermediateSize},
		{"num_hidden_layers", c.NumHiddenLayers}, {"num_attention_heads", c.NumAttentionHeads},
		{"num_key_value_heads", c.NumKeyValueHeads}, {"max_position_embeddings", c.MaxPositionEmbeddings},
	} {
		if f.v <= 0 {
			return fmt.Errorf("field %q is %d; expected a positive integer", f.name, f.v)
		}
		if f.v > maxDim {
			return fmt.Errorf("field %q is %d; expected at most %d", f.name, f.v, maxDim)
		}
	}
	if c.NumAttentionHeads%c.NumKeyValueHeads != 0 {
		return fmt.Errorf("field \"num_key_value_heads\" is %d; expected a divisor of num_attention_heads (%d)",
			c.NumKeyValueHeads, c.NumAttentionHeads)
	}
	if c.HeadDim < 0 || c.HeadDim > maxDim {
		return fmt.Errorf("field \"head_dim\" is %d; expected a positive even integer or absent", c.HeadDim)
	}
	if c.HeadDim == 0 && c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("field \"hidden_size\" is %d; expected a multiple of num_attention_heads (%d) when head_dim is absent",
			c.HiddenSize, c.NumAttentionHeads)
	}
	if c.Dim()%2 != 0 {
		return fmt.Errorf("field \"head_dim\" is %d; expected an even number (RoPE rotates pairs)", c.Dim())
	}
	if !(c.RopeTheta > 0) {
		return fmt.Errorf("field \"rope_theta\" is %v; expected a positive number", c.RopeTheta)
	}
	if !(c.RMSNormEps > 0) {
		return fmt.Errorf("field \"rms_norm_eps\" is %v; expected a positive number", c.RMSNormEps)
	}
	if c.ModelType == "qwen2" && !c.AttentionBias {
		return fmt.Errorf("field \"attention_bias\" is false; qwen2 always has q/k/v biases (use model_type llama)")
	}
	if c.BOSTokenID < 0 || c.BOSTokenID >= c.VocabSize {
		return fmt.Errorf("field \"bos_token_id\" is %d; expected 0 ≤ id < vocab_size (%d)", c.BOSTokenID, c.VocabSize)
	}
	eos := c.EOSTokenIDs
	if len(eos) == 0 {
		eos = []int{c.EOSTokenID}
	}
	for _, id := range eos {
		if id < 0 || id >= c.VocabSize {
			return fmt.Errorf("field \"eos_token_id\" is %d; expected 0 ≤ id < vocab_size (%d)", id, c.VocabSize)
		}
	}
	switch c.TorchDtype {
	case "", "float32", "bfloat16", "float16":
	default:
		return fmt.Errorf("field \"torch_dtype\" is %q; expected float32, bfloat16 or float16", c.TorchDtype)
	}
	return nil
}

// Architecture returns the Hugging Face class name written to config.json's "architectures"
// (Qwen2ForCausalLM or LlamaForCausalLM), or "" for an unknown model_type.
func (c Config) Architecture() string { return architectures[c.ModelType] }

// hfJSON returns config.json's contents: every field transformers' Qwen2Config/LlamaConfig reads, so
// that AutoModelForCausalLM.from_pretrained loads the directory unchanged.
func (c Config) hfJSON() map[string]any {
	eos := any(c.EOSTokenID)
	if len(c.EOSTokenIDs) > 1 {
		eos = c.EOSTokenIDs
	}
	dtype := c.TorchDtype
	if dtype == "" {
		dtype = "float32"
	}
	m := map[string]any{
		"architectures":           []string{c.Architecture()},
		"model_type":              c.ModelType,
		"vocab_size":              c.VocabSize,
		"hidden_size":             c.HiddenSize,
		"intermediate_size":       c.IntermediateSize,
		"num_hidden_layers":       c.NumHiddenLayers,
		"num_attention_heads":     c.NumAttentionHeads,
		"num_key_value_heads":     c.NumKeyValueHeads,
		"head_dim":                c.Dim(),
		"max_position_embeddings": c.MaxPositionEmbeddings,
		"rope_theta":              c.RopeTheta,
		"rope_scaling":            nil,
		"rms_norm_eps":            c.RMSNormEps,
		"tie_word_embeddings":     c.TieWordEmbeddings,
		"bos_token_id":            c.BOSTokenID,
		"eos_token_id":            eos,
		"hidden_act":              "silu",
		"initializer_range":       0.02,
		"use_cache":               true,
		"attention_dropout":       0.0,
		"torch_dtype":             dtype,
		"transformers_version":    "4.46.0",
	}
	switch c.ModelType {
	case "qwen2":
		m["use_sliding_window"] = false
		m["sliding_window"] = c.MaxPositionEmbeddings
		m["max_window_layers"] = c.NumHiddenLayers
	case "llama":
		m["attention_bias"] = c.AttentionBias
		m["mlp_bias"] = false
		m["pretraining_tp"] = 1
	}
	return m
}

// Save validates the configuration and writes it as a Hugging Face config.json, atomically.
func (c Config) Save(path string) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("save model config %s: %w", path, err)
	}
	data, err := json.MarshalIndent(c.hfJSON(), "", "  ")
	if err != nil {
		return fmt.Errorf("save model config %s: %w", path, err)
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// writeFileAtomic writes data to path atomically (temp file + rename).
func writeFileAtomic(path string, data []byte) error { return atomicfile.WriteFile(path, data, 0o644) }
