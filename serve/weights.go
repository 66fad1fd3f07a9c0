package serve

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/model/tokenizer"
)

// BuiltinTiny is the --model value that serves a small randomly initialised Qwen2-shaped model with
// the byte tokenizer, so the API can be tried without downloading weights.
const BuiltinTiny = "builtin:tiny"

// TinyConfig is the architecture behind BuiltinTiny: model.TinyConfig widened to the byte
// tokenizer's 259 ids (<bos> 257, <eos> 258) with a 512-token context.
func TinyConfig() model.Config {
	c := model.TinyConfig()
	c.VocabSize = tokenizer.NewByte().VocabSize()
	c.BOSTokenID, c.EOSTokenID = 257, 258
	c.MaxPositionEmbeddings = 512
	return c
}

// engineSampler is what the server needs from an engine: engine.Engine's Sample. The local engine is
// the one used by `ascent serve`.
type engineSampler interface {
	// Sample draws n responses per prompt, prompt-major (see engine.Engine).
	Sample(ctx context.Context, prompts [][]int, n int, p engine.SamplingParams) ([]engine.Sequence, error)
}

// weights is one served version of the weights; the server swaps the whole value atomically.
type weights struct {
	sampler  engineSampler
	config   model.Config
	path     string    // the checkpoint directory, or BuiltinTiny
	version  int64     // 1 for the weights loaded at start, +1 per successful update
	label    string    // optional weight_version label given by the client in the update request
	loadedAt time.Time // when this version started serving
}

// LoadTokenizer resolves the tokenizer for a model: spec when given ("char", "byte" or a path),
// else "byte" for BuiltinTiny, else the tokenizer.json in the model directory.
func LoadTokenizer(modelPath, spec string) (tokenizer.Tokenizer, error) {
	if spec == "" {
		if modelPath == BuiltinTiny {
			spec = "byte"
		} else {
			for _, name := range []string{"tokenizer.json", "tokenizer.json.gz", tokenizer.BuiltinFile} {
				if _, err := os.Stat(filepath.Join(modelPath, name)); err == nil {
					spec = modelPath
				}
			}
			if spec == "" {
				return nil, fmt.Errorf("serve: model %s has no tokenizer.json or %s; pass --tokenizer char|byte|PATH", modelPath, tokenizer.BuiltinFile)
			}
		}
	}
	tok, err := tokenizer.Open(spec)
	if err != nil {
		return nil, fmt.Errorf("serve: tokenizer for model %s: %w", modelPath, err)
	}
	return tok, nil
}

// loadWeights reads the weights at path (a checkpoint directory or BuiltinTiny) into a fresh local
// engine whose stop-string detokenizer is tok.
func loadWeights(path string, tok tokenizer.Tokenizer, seed uint64) (*weights, error) {
	var p *model.Params
	if path == BuiltinTiny {
		p = model.NewRandom(TinyConfig(), seed)
	} else {
		if strings.HasPrefix(path, "builtin:") {
			return nil, fmt.Errorf("serve: model %q: the only built-in model is %q", path, BuiltinTiny)
		}
		var err error
		if p, err = model.Load(path); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
	}
	if v := tok.VocabSize(); p.Config.VocabSize < v {
		return nil, fmt.Errorf("serve: model %s has vocab_size %d, smaller than tokenizer %s's %d ids", path, p.Config.VocabSize, tok.Name(), v)
	}
	eng, err := local.New(p, local.Config{})
	if err != nil {
		return nil, fmt.Errorf("serve: model %s: %w", path, err)
	}
	eng.SetDetokenizer(func(ids []int) string {
		s, _ := tok.Decode(ids)
		return s
	})
	return &weights{sampler: eng, config: p.Config, path: path, loadedAt: time.Now()}, nil
}

// checkpointBytes sums the sizes of the *.safetensors files in dir (0 for BuiltinTiny).
func checkpointBytes(dir string) int64 {
	files, _ := filepath.Glob(filepath.Join(dir, "*.safetensors"))
	var n int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			n += st.Size()
		}
	}
	return n
}

// handleModelInfo is GET /get_model_info (SGLang's endpoint, plus weights_version).
func (s *Server) handleModelInfo(w http.ResponseWriter, r *http.Request) {
	cur := s.w.Load()
	writeJSON(w, http.StatusOK, map[string]any{
		"model_path": cur.path, "tokenizer_path": s.tok.Name(), "is_generation": true,
		"served_model_name": s.cfg.ServedModelName, "weights_version": cur.version,
		"weight_version": cur.label, "loaded_at": cur.loadedAt.UTC().Format(time.RFC3339Nano),
		"max_model_len": cur.config.MaxPositionEmbeddings,
	})
}

// updateRequest is the body of POST /update_weights_from_disk (SGLang's names).
type updateRequest struct {
	ModelPath     string `json:"model_path"`     // checkpoint directory to load
	LoadFormat    string `json:"load_format"`    // only "" or "auto"
	WeightVersion string `json:"weight_version"` // optional label reported by /get_model_info
}

// handleUpdateWeights loads a checkpoint into a new engine and swaps it in. It answers after the
// new weights serve; batches already sampling finish on the old ones.
func (s *Server) handleUpdateWeights(w http.ResponseWriter, r *http.Request) {
	var req updateRequest
	if err := decodeStrict(r, &req); err != nil {
		writeErr(w, err)
		return
	}
	fail := func(status int, msg string) {
		writeJSON(w, status, map[string]any{"success": false, "message": msg,
			"error": apiError{Message: msg, Type: "invalid_request_error"}})
	}
	if req.ModelPath == "" {
		fail(http.StatusBadRequest, "model_path is required")
		return
	}
	if req.LoadFormat != "" && req.LoadFormat != "auto" {
		fail(http.StatusBadRequest, fmt.Sprintf("load_format %q: only \"auto\" is supported", req.LoadFormat))
		return
	}
	s.updMu.Lock()
	defer s.updMu.Unlock()
	start := time.Now()
	nw, err := loadWeights(req.ModelPath, s.tok, s.cfg.Seed)
	if err != nil {
		fail(http.StatusBadRequest, err.Error())
		return
	}
	old := s.w.Load()
	nw.version, nw.label = old.version+1, req.WeightVersion
	s.w.Store(nw)
	writeJSON(w, http.StatusOK, map[string]any{"success": true,
		"message":         fmt.Sprintf("loaded %s as weights version %d", req.ModelPath, nw.version),
		"weights_version": nw.version, "load_seconds": time.Since(start).Seconds(),
		"bytes": checkpointBytes(req.ModelPath), "num_paused_requests": 0})
}
