// Package model is the policy network: a decoder-only transformer of the Qwen2/Llama family
// (token embeddings, RMSNorm, rotary position embeddings, grouped-query attention, SwiGLU MLP), its
// Hugging Face config.json and safetensors I/O, and a plain-Go forward pass (a slow reference and a
// fast KV-cache decoder) that the sampler uses.
package model

// Config is the architecture, read from and written to a Hugging Face config.json.
type Config struct {
	ModelType             string  `json:"model_type"`              // "qwen2" or "llama"
	VocabSize             int     `json:"vocab_size"`              // V
	HiddenSize            int     `json:"hidden_size"`             // D
	IntermediateSize      int     `json:"intermediate_size"`       // I, the SwiGLU width
	NumHiddenLayers       int     `json:"num_hidden_layers"`       // L
	NumAttentionHeads     int     `json:"num_attention_heads"`     // H
	NumKeyValueHeads      int     `json:"num_key_value_heads"`     // KV (GQA); H when equal to it
	HeadDim               int     `json:"head_dim,omitempty"`      // hd; D/H when 0
	MaxPositionEmbeddings int     `json:"max_position_embeddings"` // context length
	RopeTheta             float64 `json:"rope_theta"`              // RoPE base
	RMSNormEps            float64 `json:"rms_norm_eps"`            // RMSNorm epsilon
	TieWordEmbeddings     bool    `json:"tie_word_embeddings"`     // lm_head shares the embedding matrix
	AttentionBias         bool    `json:"attention_bias"`          // q/k/v biases (always true for qwen2)
	BOSTokenID            int     `json:"bos_token_id"`            // beginning-of-sequence id
	EOSTokenID            int     `json:"eos_token_id"`            // end-of-sequence id (the first when config.json lists several)
	EOSTokenIDs           []int   `json:"-"`                       // every end-of-sequence id config.json lists; nil means just EOSTokenID
	TorchDtype            string  `json:"torch_dtype,omitempty"`   // "float32" or "bfloat16" on disk
}

// Dim returns the per-head dimension hd.
func (c Config) Dim() int {
	if c.HeadDim > 0 {
		return c.HeadDim
	}
	if c.NumAttentionHeads <= 0 {
		return 0
	}
	return c.HiddenSize / c.NumAttentionHeads
}
