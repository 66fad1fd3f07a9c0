package model

// Tensor is a dense float32 tensor in row-major order. Weights are kept in float32 in memory
// whatever their dtype on disk (bf16 checkpoints are widened on load and narrowed on save).
type Tensor struct {
	Shape []int     // e.g. [out, in] for a linear layer, as Hugging Face stores it
	Data  []float32 // len = product of Shape
}

// Layer holds one decoder block's weights. Struct tags give the Hugging Face tensor name suffix
// after "model.layers.N.".
type Layer struct {
	InputNorm *Tensor `hf:"input_layernorm.weight"`          // [D]
	Q         *Tensor `hf:"self_attn.q_proj.weight"`         // [H·hd, D]
	K         *Tensor `hf:"self_attn.k_proj.weight"`         // [KV·hd, D]
	V         *Tensor `hf:"self_attn.v_proj.weight"`         // [KV·hd, D]
	QBias     *Tensor `hf:"self_attn.q_proj.bias"`           // [H·hd]; nil unless Config.AttentionBias (Qwen2)
	KBias     *Tensor `hf:"self_attn.k_proj.bias"`           // [KV·hd]; nil unless Config.AttentionBias
	VBias     *Tensor `hf:"self_attn.v_proj.bias"`           // [KV·hd]; nil unless Config.AttentionBias
	O         *Tensor `hf:"self_attn.o_proj.weight"`         // [D, H·hd]
	PostNorm  *Tensor `hf:"post_attention_layernorm.weight"` // [D]
	Gate      *Tensor `hf:"mlp.gate_proj.weight"`            // [I, D]
	Up        *Tensor `hf:"mlp.up_proj.weight"`              // [I, D]
	Down      *Tensor `hf:"mlp.down_proj.weight"`            // [D, I]
}

// Params are the weights of a decoder-only transformer of the Qwen2/Llama family, in the Hugging
// Face layout so that checkpoints round-trip with transformers unchanged.
type Params struct {
	Config    Config
	Embed     *Tensor `hf:"model.embed_tokens.weight"` // [V, D]
	Layers    []Layer
	FinalNorm *Tensor `hf:"model.norm.weight"` // [D]
	LMHead    *Tensor `hf:"lm_head.weight"`    // [V, D]; nil when Config.TieWordEmbeddings (Embed is used)
}
