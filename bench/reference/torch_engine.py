#!/usr/bin/env python3
"""PyTorch reference for bench/engine: the same Qwen2-shaped decoder (RMSNorm, RoPE rotate_half, GQA,
SwiGLU, q/k/v biases), sampled with a KV cache and trained with a clipped-ratio policy loss + AdamW,
on random weights and tokens. Prints one JSON object: sample_tok_s, train_tok_s, peak_rss_mib.

Run by `go run ./bench/engine` when `import torch` works (Debian: apt-get install python3-torch).
Torch keeps its default thread settings: on a 2-core box extra intra-op threads only oversubscribe.
"""
import argparse
import json
import math
import resource
import time

import torch
import torch.nn.functional as F


def rms(x, w, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope_tables(T, hd, theta):
    inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    f = torch.outer(torch.arange(T, dtype=torch.float32), inv)
    emb = torch.cat([f, f], -1)
    return emb.cos(), emb.sin()


def rot(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], -1)


class Model(torch.nn.Module):
    def __init__(self, a):
        super().__init__()
        self.a = a
        D, I, H, KV = a.hidden, a.intermediate, a.heads, a.kv_heads
        hd = D // H
        self.hd = hd
        self.embed = torch.nn.Parameter(torch.randn(a.vocab, D) * 0.02)
        self.layers = torch.nn.ModuleList()
        for _ in range(a.layers):
            l = torch.nn.Module()
            l.n1 = torch.nn.Parameter(torch.ones(D))
            l.q = torch.nn.Linear(D, H * hd)
            l.k = torch.nn.Linear(D, KV * hd)
            l.v = torch.nn.Linear(D, KV * hd)
            l.o = torch.nn.Linear(H * hd, D, bias=False)
            l.n2 = torch.nn.Parameter(torch.ones(D))
            l.gate = torch.nn.Linear(D, I, bias=False)
            l.up = torch.nn.Linear(D, I, bias=False)
            l.down = torch.nn.Linear(I, D, bias=False)
            self.layers.append(l)
        self.norm = torch.nn.Parameter(torch.ones(D))
        self.head = None if a.tied else torch.nn.Parameter(torch.randn(a.vocab, D) * 0.02)

    def forward(self, tokens, cache=None, pos=0):
        B, T = tokens.shape
        H, KV, hd = self.a.heads, self.a.kv_heads, self.hd
        cos, sin = rope_tables(pos + T, hd, 10000.0)
        cos, sin = cos[pos:][None, :, None], sin[pos:][None, :, None]
        x = self.embed[tokens]
        new_cache = []
        for i, l in enumerate(self.layers):
            h = rms(x, l.n1)
            q = l.q(h).view(B, T, H, hd)
            k = l.k(h).view(B, T, KV, hd)
            v = l.v(h).view(B, T, KV, hd)
            q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
            if cache is not None:
                pk, pv = cache[i]
                if pk is not None:
                    k, v = torch.cat([pk, k], 1), torch.cat([pv, v], 1)
                new_cache.append((k, v))
            kk = k.repeat_interleave(H // KV, 2).transpose(1, 2)
            vv = v.repeat_interleave(H // KV, 2).transpose(1, 2)
            s = q.transpose(1, 2) @ kk.transpose(2, 3) / math.sqrt(hd)  # [B, H, T, Tk]
            if T > 1:
                Tk = kk.shape[2]
                s = s.masked_fill(torch.ones(T, Tk, dtype=torch.bool).triu(Tk - T + 1), float("-inf"))
            att = torch.softmax(s, -1) @ vv  # [B, H, T, hd]
            x = x + l.o(att.transpose(1, 2).reshape(B, T, H * hd))
            h = rms(x, l.n2)
            x = x + l.down(F.silu(l.gate(h)) * l.up(h))
        x = rms(x, self.norm)
        logits = x @ (self.embed if self.head is None else self.head).T
        return logits, new_cache


def main():
    p = argparse.ArgumentParser()
    for n in ["vocab", "hidden", "intermediate", "layers", "heads", "kv-heads", "sample-rows", "prompt",
              "new-tokens", "train-rows", "train-len", "micro-rows", "steps"]:
        p.add_argument("--" + n, type=int, required=True)
    p.add_argument("--tied", action="store_true")
    a = p.parse_args()
    torch.manual_seed(0)
    m = Model(a)

    prompts = torch.randint(0, a.vocab, (a.sample_rows, a.prompt))
    with torch.no_grad():
        t0 = time.time()
        cache = [(None, None)] * a.layers
        logits, cache = m(prompts, cache, 0)
        tok = torch.multinomial(F.softmax(logits[:, -1], -1), 1)
        for s in range(1, a.new_tokens):
            logits, cache = m(tok, cache, a.prompt + s - 1)
            tok = torch.multinomial(F.softmax(logits[:, -1], -1), 1)
        sample_s = time.time() - t0
    sample_tok_s = a.sample_rows * a.new_tokens / sample_s

    opt = torch.optim.AdamW(m.parameters(), lr=1e-4, weight_decay=0.0)
    seq = torch.randint(0, a.vocab, (a.train_rows, a.train_len))
    half = a.train_len // 2
    adv = torch.randn(a.train_rows, a.train_len - 1)
    old = -5 * torch.rand(a.train_rows, a.train_len - 1)
    mask = torch.zeros(a.train_rows, a.train_len - 1)
    mask[:, half - 1:] = 1

    def step():
        opt.zero_grad()
        total = mask.sum()
        for lo in range(0, a.train_rows, a.micro_rows):
            s = slice(lo, lo + a.micro_rows)
            logits, _ = m(seq[s, :-1])
            lp = torch.log_softmax(logits, -1).gather(-1, seq[s, 1:, None])[..., 0]
            ratio = torch.exp(torch.clamp(lp - old[s], -20, 20))
            l = torch.maximum(-adv[s] * ratio, -adv[s] * torch.clamp(ratio, 0.8, 1.2))
            ((l * mask[s]).sum() / total).backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()

    step()
    t0 = time.time()
    for _ in range(a.steps):
        step()
    train_tok_s = a.train_rows * a.train_len / ((time.time() - t0) / a.steps)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"sample_tok_s": sample_tok_s, "train_tok_s": train_tok_s, "peak_rss_mib": rss}))


if __name__ == "__main__":
    main()
