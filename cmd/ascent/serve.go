package main

// ascent serve: the OpenAI-compatible HTTP server (package serve).
//
//	ascent serve --model builtin:tiny
//	ascent serve --model runs/r1/ckpt --addr 127.0.0.1:8000 --api-key K --served-model-name policy

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/serve"
)

func init() {
	var cfg serve.Config
	var addr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a checkpoint over the OpenAI API (completions, chat, streaming, weight updates)",
		Long: `Serve a checkpoint (Ascent's, or a Hugging Face Qwen2/Llama directory) or builtin:tiny (a small
random model with the byte tokenizer) over the OpenAI-compatible HTTP API: POST /v1/completions,
POST /v1/chat/completions, GET /v1/models, GET /health, plus SGLang's POST /update_weights_from_disk
and GET /get_model_info for weight updates without a restart, and vLLM's POST /tokenize and
/detokenize. Concurrent requests share decode steps (continuous batching) and tokens stream as
they are sampled; log-probs with top alternatives (logprobs, top_logprobs, prompt_logprobs, echo).
Binds to loopback unless --addr says otherwise. SIGINT/SIGTERM shut down gracefully. See docs/serving.md.`,
		Example: `  ascent serve --model builtin:tiny
  ascent serve --model runs/r1/ckpt --addr 127.0.0.1:8000 --api-key secret`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if key := os.Getenv("ASCENT_API_KEY"); cfg.APIKey == "" && key != "" {
				cfg.APIKey = key
			}
			s, err := serve.New(cfg)
			if err != nil {
				return err
			}
			l, err := net.Listen("tcp", addr)
			if err != nil {
				s.Close()
				return fmt.Errorf("serve: listen on %s: %w", addr, err)
			}
			fmt.Fprintf(os.Stderr, "ascent serve: %s on http://%s/v1 (weights version %d)\n", cfg.Model, l.Addr(), s.WeightsVersion())
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			err = s.Serve(ctx, l)
			fmt.Fprintln(os.Stderr, "ascent serve: stopped")
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Model, "model", "", "checkpoint directory or "+serve.BuiltinTiny+" (required)")
	f.StringVar(&cfg.Tokenizer, "tokenizer", "", "char, byte or a tokenizer.json path (default: the model directory's tokenizer.json; byte for builtin:tiny)")
	f.StringVar(&addr, "addr", "127.0.0.1:8000", "listen address (loopback by default; use 0.0.0.0:PORT deliberately)")
	f.StringVar(&cfg.APIKey, "api-key", "", "require Authorization: Bearer KEY (or set ASCENT_API_KEY)")
	f.StringVar(&cfg.ServedModelName, "served-model-name", "", "model id clients use (default: --model)")
	f.StringVar(&cfg.ChatTemplate, "chat-template", "chatml", "chat template for /v1/chat/completions: chatml or qwen3")
	f.IntVar(&cfg.MaxTokens, "max-tokens-limit", 0, "largest max_tokens a request may ask for (default: the model's context)")
	f.IntVar(&cfg.MaxQueue, "max-queue", 256, "requests that may wait for a decoder row; more get 503 with Retry-After")
	f.IntVar(&cfg.MaxBatchRows, "max-batch-rows", 64, "sequences decoded together (decoder rows)")
	f.IntVar(&cfg.MaxModelLen, "max-model-len", 0, "largest prompt + max_tokens (vLLM's max_model_len; default: the model's context)")
	f.Int64Var(&cfg.KVCacheBytes, "kv-cache-bytes", 4<<30, "bound on the KV cache; fewer rows than --max-batch-rows when it cannot hold them")
	f.IntVar(&cfg.MaxLogprobs, "max-logprobs", 20, "largest logprobs / top_logprobs / prompt_logprobs (vLLM's max_logprobs)")
	f.StringVar(&cfg.Batching, "batching", serve.BatchingContinuous, "continuous (join at the next decode step) or request (a batch runs to its end; for comparison)")
	f.DurationVar(&cfg.BatchWindow, "batch-window", 5*time.Millisecond, "--batching request: how long a batch waits for more requests")
	f.Uint64Var(&cfg.Seed, "seed", 0, "seed of builtin:tiny's weights and of unseeded requests' sampling")
	_ = cmd.MarkFlagRequired("model")
	rootCmd.AddCommand(cmd)
}
