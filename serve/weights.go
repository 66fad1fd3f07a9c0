package serve

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

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

// weights is one served version of the weights; the server swaps the whole value atomically.
type weights struct {
	dec      *model.Decoder // the scheduler's decoder for these weights (scheduler goroutine only)
	config   model.Config
	maxLen   int       // the decoder's positions per row: Config.MaxModelLen
	path     string    // the checkpoint directory, or BuiltinTiny
	version  int64     // 1 for the weights loaded at start, +1 per successful update
	label    string    // optional weight_version label given by the client in the update request
	loadedAt time.Time // when this version started serving
}

// kvRows is how many decoder rows of maxLen positions fit in budget bytes of key/value cache:
// min(want, budget / bytes per row), at least 1.
func kvRows(c model.Config, maxLen, want int, budget int64) int {
	perRow := int64(2*c.NumHiddenLayers*c.NumKeyValueHeads*c.Dim()*maxLen) * 4 // keys + values, float32
	return int(max(1, min(int64(want), budget/max(perRow, 1))))
}

// newWeights builds the decoder for p (Server.rows rows of MaxModelLen positions).
func (s *Server) newWeights(path string, p *model.Params) *weights {
	return &weights{dec: model.NewDecoder(p, s.rows, s.cfg.MaxModelLen), config: p.Config, maxLen: s.cfg.MaxModelLen,
		path: path, loadedAt: time.Now()}
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

// loadParams reads the weights at path (a checkpoint directory or BuiltinTiny) and checks them
// against tok.
func loadParams(path string, tok tokenizer.Tokenizer, seed uint64) (*model.Params, error) {
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
	if err := p.Check(); err != nil {
		return nil, fmt.Errorf("serve: model %s: %w", path, err)
	}
	return p, nil
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
		"max_model_len": s.cfg.MaxModelLen,
	})
}

// updateRequest is the body of POST /update_weights_from_disk (SGLang's names).
type updateRequest struct {
	ModelPath     string `json:"model_path"`     // checkpoint directory to load
	LoadFormat    string `json:"load_format"`    // only "" or "auto"
	WeightVersion string `json:"weight_version"` // optional label reported by /get_model_info
}

// handleUpdateWeights loads a checkpoint, builds its decoder and swaps it in. It answers after
// the new weights serve; requests received before finish on the old ones.
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
	p, err := loadParams(req.ModelPath, s.tok, s.cfg.Seed)
	if err == nil && p.Config.MaxPositionEmbeddings < s.cfg.MaxModelLen {
		err = fmt.Errorf("serve: model %s has a context of %d tokens, under this server's max_model_len %d", req.ModelPath, p.Config.MaxPositionEmbeddings, s.cfg.MaxModelLen)
	}
	if err == nil && p.Config.VocabSize != s.w.Load().config.VocabSize {
		err = fmt.Errorf("serve: model %s has vocab_size %d; the served model has %d", req.ModelPath, p.Config.VocabSize, s.w.Load().config.VocabSize)
	}
	if err != nil {
		fail(http.StatusBadRequest, err.Error())
		return
	}
	nw := s.newWeights(req.ModelPath, p)
	old := s.w.Load()
	nw.version, nw.label = old.version+1, req.WeightVersion
	s.w.Store(nw)
	writeJSON(w, http.StatusOK, map[string]any{"success": true,
		"message":         fmt.Sprintf("loaded %s as weights version %d", req.ModelPath, nw.version),
		"weights_version": nw.version, "load_seconds": time.Since(start).Seconds(),
		"bytes": checkpointBytes(req.ModelPath), "num_paused_requests": 0})
}
