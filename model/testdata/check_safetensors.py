#!/usr/bin/env python3
"""Independent check of a checkpoint directory written by Ascent (model.Params.Save).

Usage: python3 check_safetensors.py DIR

Standard library only (struct + json): parses config.json, model.safetensors or
model.safetensors.index.json and its shards, and checks every header against the Hugging Face
Qwen2/Llama layout: tensor names, shapes, dtype = config torch_dtype, data offsets tiling the data
section, 8-byte aligned data start, {"format": "pt"} metadata and exact file sizes. Exits 1 with a
message naming the file and tensor on the first mismatch; prints "ok N tensors" otherwise.
"""
import json
import os
import struct
import sys

DTYPES = {"float32": ("F32", 4), "bfloat16": ("BF16", 2), "float16": ("F16", 2)}


def expected(cfg):
    d, i, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    h, kv = cfg["num_attention_heads"], cfg.get("num_key_value_heads", cfg["num_attention_heads"])
    hd = cfg.get("head_dim") or d // h
    bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
    want = {"model.embed_tokens.weight": [v, d], "model.norm.weight": [d]}
    for n in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % n
        want[p + "input_layernorm.weight"] = [d]
        want[p + "post_attention_layernorm.weight"] = [d]
        want[p + "self_attn.q_proj.weight"] = [h * hd, d]
        want[p + "self_attn.k_proj.weight"] = [kv * hd, d]
        want[p + "self_attn.v_proj.weight"] = [kv * hd, d]
        want[p + "self_attn.o_proj.weight"] = [d, h * hd]
        want[p + "mlp.gate_proj.weight"] = [i, d]
        want[p + "mlp.up_proj.weight"] = [i, d]
        want[p + "mlp.down_proj.weight"] = [d, i]
        if bias:
            want[p + "self_attn.q_proj.bias"] = [h * hd]
            want[p + "self_attn.k_proj.bias"] = [kv * hd]
            want[p + "self_attn.v_proj.bias"] = [kv * hd]
    if not cfg.get("tie_word_embeddings", False):
        want["lm_head.weight"] = [v, d]
    return want


def check_file(path, dtype, size):
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) != 8:
            sys.exit("%s: shorter than 8 bytes" % path)
        (n,) = struct.unpack("<Q", raw)
        header = json.loads(f.read(n).decode("utf-8"))
    if (8 + n) % 8 != 0:
        sys.exit("%s: data section starts at byte %d, not 8-byte aligned" % (path, 8 + n))
    meta = header.pop("__metadata__", None)
    if meta != {"format": "pt"}:
        sys.exit("%s: __metadata__ is %r, expected {'format': 'pt'}" % (path, meta))
    spans, shapes = [], {}
    for name, e in header.items():
        if e["dtype"] != dtype[0]:
            sys.exit("%s: tensor %s has dtype %s, expected %s" % (path, name, e["dtype"], dtype[0]))
        count = 1
        for s in e["shape"]:
            count *= s
        b, end = e["data_offsets"]
        if end - b != count * dtype[1]:
            sys.exit("%s: tensor %s spans %d bytes, expected %d" % (path, name, end - b, count * dtype[1]))
        spans.append((b, end, name))
        shapes[name] = e["shape"]
    pos = 0
    for b, end, name in sorted(spans):
        if b != pos:
            sys.exit("%s: tensor %s starts at %d, expected %d" % (path, name, b, pos))
        pos = end
    if 8 + n + pos != size:
        sys.exit("%s: file is %d bytes, header describes %d" % (path, size, 8 + n + pos))
    return shapes


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    arch = {"qwen2": "Qwen2ForCausalLM", "llama": "LlamaForCausalLM"}[cfg["model_type"]]
    if cfg.get("architectures") != [arch]:
        sys.exit("config.json: architectures is %r, expected [%r]" % (cfg.get("architectures"), arch))
    for field in ("hidden_act", "rms_norm_eps", "rope_theta", "max_position_embeddings", "initializer_range", "use_cache"):
        if field not in cfg:
            sys.exit("config.json: field %s missing (transformers needs it)" % field)
    dtype = DTYPES[cfg["torch_dtype"]]
    want = expected(cfg)
    single = os.path.join(d, "model.safetensors")
    got = {}
    if os.path.exists(single):
        got = check_file(single, dtype, os.path.getsize(single))
    else:
        with open(os.path.join(d, "model.safetensors.index.json")) as f:
            index = json.load(f)
        total = 0
        for shard in sorted(set(index["weight_map"].values())):
            p = os.path.join(d, shard)
            shapes = check_file(p, dtype, os.path.getsize(p))
            for name, shape in shapes.items():
                if index["weight_map"].get(name) != shard:
                    sys.exit("%s: tensor %s is not mapped to this shard in the index" % (p, name))
                count = 1
                for s in shape:
                    count *= s
                total += count * dtype[1]
            got.update(shapes)
        if index["metadata"]["total_size"] != total:
            sys.exit("index: total_size %d, shards hold %d bytes" % (index["metadata"]["total_size"], total))
    for name, shape in want.items():
        if name not in got:
            sys.exit("tensor %s missing" % name)
        if got[name] != shape:
            sys.exit("tensor %s has shape %s, expected %s" % (name, got[name], shape))
    for name in got:
        if name not in want:
            sys.exit("tensor %s unexpected" % name)
    print("ok %d tensors" % len(got))


if __name__ == "__main__":
    main()
