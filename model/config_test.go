package model

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// qwen25Config is Qwen2.5-0.5B-Instruct's config.json as published (trimmed of nothing).
const qwen25Config = `{
  "architectures": ["Qwen2ForCausalLM"],
  "attention_dropout": 0.0,
  "bos_token_id": 151643,
  "eos_token_id": 151645,
  "hidden_act": "silu",
  "hidden_size": 896,
  "initializer_range": 0.02,
  "intermediate_size": 4864,
  "max_position_embeddings": 32768,
  "max_window_layers": 21,
  "model_type": "qwen2",
  "num_attention_heads": 14,
  "num_hidden_layers": 24,
  "num_key_value_heads": 2,
  "rms_norm_eps": 1e-06,
  "rope_theta": 1000000.0,
  "sliding_window": 32768,
  "tie_word_embeddings": true,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.43.1",
  "use_cache": true,
  "use_sliding_window": false,
  "vocab_size": 151936
}`

func TestParseConfigAcceptsHFQuirks(t *testing.T) {
	cfg, err := ParseConfig([]byte(qwen25Config))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Dim() != 64 || !cfg.AttentionBias || !cfg.TieWordEmbeddings || cfg.NumKeyValueHeads != 2 ||
		cfg.RopeTheta != 1e6 || cfg.EOSTokenID != 151645 || cfg.TorchDtype != "bfloat16" {
		t.Fatalf("parsed %+v", cfg)
	}
	list := strings.Replace(qwen25Config, `"eos_token_id": 151645`, `"eos_token_id": [151645, 151643]`, 1)
	cfg, err = ParseConfig([]byte(list))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.EOSTokenID != 151645 || len(cfg.EOSTokenIDs) != 2 || cfg.EOSTokenIDs[1] != 151643 {
		t.Fatalf("eos list parsed as %d %v", cfg.EOSTokenID, cfg.EOSTokenIDs)
	}
	llama := `{"model_type": "llama", "vocab_size": 100, "hidden_size": 64, "intermediate_size": 128,
	  "num_hidden_layers": 2, "num_attention_heads": 4, "bos_token_id": 1, "eos_token_id": 2, "rope_scaling": null}`
	cfg, err = ParseConfig([]byte(llama))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AttentionBias || cfg.NumKeyValueHeads != 4 || cfg.MaxPositionEmbeddings != 2048 || cfg.RopeTheta != 10000 || cfg.TieWordEmbeddings {
		t.Fatalf("llama defaults not applied: %+v", cfg)
	}
}

func TestParseConfigRejectsWithFieldNames(t *testing.T) {
	cases := []struct {
		name, from, to string
		want           []string
	}{
		{"an unknown architecture lists the known ones", `"model_type": "qwen2"`, `"model_type": "mistral"`, []string{"model_type", "mistral", "llama, qwen2"}},
		{"a missing size names the field", `"hidden_size": 896,`, ``, []string{"hidden_size", "missing"}},
		{"a string where a number belongs names the field", `"vocab_size": 151936`, `"vocab_size": "big"`, []string{"vocab_size", "integer"}},
		{"heads that do not divide are rejected", `"num_key_value_heads": 2`, `"num_key_value_heads": 3`, []string{"num_key_value_heads", "divisor"}},
		{"rope scaling is rejected", `"rope_theta": 1000000.0`, `"rope_theta": 1000000.0, "rope_scaling": {"type": "yarn"}`, []string{"rope_scaling"}},
		{"sliding windows are rejected", `"use_sliding_window": false`, `"use_sliding_window": true`, []string{"use_sliding_window"}},
		{"another activation is rejected", `"hidden_act": "silu"`, `"hidden_act": "gelu"`, []string{"hidden_act", "gelu"}},
		{"an eos outside the vocabulary is rejected", `"eos_token_id": 151645`, `"eos_token_id": [5, 200000]`, []string{"eos_token_id", "200000"}},
		{"a negative epsilon is rejected", `"rms_norm_eps": 1e-06`, `"rms_norm_eps": -1`, []string{"rms_norm_eps"}},
		{"a non-object is rejected", qwen25Config, `[1, 2]`, []string{"JSON object"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(qwen25Config, tc.from, tc.to, 1)
			if text == qwen25Config {
				t.Fatal("test edit did not apply")
			}
			path := filepath.Join(t.TempDir(), "config.json")
			os.WriteFile(path, []byte(text), 0o644)
			_, err := LoadConfig(path)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range append(tc.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestConfigSaveWritesEverythingTransformersReads(t *testing.T) {
	for _, cfg := range []Config{TinyConfig(), Small30MConfig(), func() Config {
		c := TinyConfig()
		c.ModelType, c.AttentionBias, c.EOSTokenIDs = "llama", false, []int{1, 2}
		return c
	}()} {
		path := filepath.Join(t.TempDir(), "config.json")
		if err := cfg.Save(path); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"architectures", "model_type", "hidden_act", "initializer_range", "use_cache",
			"rms_norm_eps", "rope_theta", "max_position_embeddings", "num_key_value_heads", "tie_word_embeddings",
			"bos_token_id", "eos_token_id", "torch_dtype", "vocab_size", "intermediate_size", "attention_dropout"} {
			if _, ok := m[f]; !ok {
				t.Fatalf("%s config.json lacks %q", cfg.ModelType, f)
			}
		}
		if arch := m["architectures"].([]any)[0]; arch != cfg.Architecture() {
			t.Fatalf("architectures = %v", arch)
		}
		back, err := LoadConfig(path)
		if err != nil {
			t.Fatal(err)
		}
		back.TorchDtype, back.HeadDim = cfg.TorchDtype, cfg.HeadDim
		if len(cfg.EOSTokenIDs) < 2 {
			back.EOSTokenIDs = cfg.EOSTokenIDs
		}
		a, _ := json.Marshal(cfg)
		b, _ := json.Marshal(back)
		if string(a) != string(b) || len(back.EOSTokenIDs) != len(cfg.EOSTokenIDs) {
			t.Fatalf("round trip changed the config:\n%s\n%s", a, b)
		}
	}
	bad := TinyConfig()
	bad.AttentionBias = false
	if err := bad.Save(filepath.Join(t.TempDir(), "c.json")); err == nil || !strings.Contains(err.Error(), "attention_bias") {
		t.Fatalf("qwen2 without biases saved: %v", err)
	}
}

func TestPresetsHaveTheDocumentedSizes(t *testing.T) {
	if n := NewRandom(TinyConfig(), 1).NumParams(); n < 500_000 || n > 600_000 {
		t.Fatalf("TinyConfig has %d parameters", n)
	}
	if n := NewRandom(Small30MConfig(), 1).NumParams(); n < 25_000_000 || n > 35_000_000 {
		t.Fatalf("Small30MConfig has %d parameters", n)
	}
	a, b := NewRandom(TinyConfig(), 7), NewRandom(TinyConfig(), 7)
	bn := b.Named()
	for name, t1 := range a.Named() {
		for i, v := range t1.Data {
			if bn[name].Data[i] != v {
				t.Fatalf("NewRandom is not deterministic at %s[%d]", name, i)
			}
		}
	}
	if a.Layers[0].QBias.Data[0] != 0 || a.FinalNorm.Data[3] != 1 || a.Embed.Data[0] == 0 {
		t.Fatal("NewRandom does not initialise biases to 0, norms to 1 and matrices randomly")
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(qwen25Config))
	f.Add([]byte(`{"model_type": "llama", "eos_token_id": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if cfg, err := ParseConfig(data); err == nil {
			if err := cfg.Validate(); err != nil {
				t.Fatalf("ParseConfig accepted a config Validate rejects: %v", err)
			}
		}
	})
}
