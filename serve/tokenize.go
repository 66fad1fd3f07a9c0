package serve

import (
	"net/http"

	"github.com/ascent-rl/ascent/model/tokenizer"
)

// tokenizeRequest is the body of POST /tokenize (vLLM's): a prompt, or chat messages rendered with
// the chat template.
type tokenizeRequest struct {
	modelField
	Prompt              *string       `json:"prompt"`
	Messages            []chatMessage `json:"messages"`
	AddSpecialTokens    *bool         `json:"add_special_tokens"`    // prompt: the BOS the completions endpoint adds (default true)
	AddGenerationPrompt *bool         `json:"add_generation_prompt"` // messages: end with the assistant header (default true)
	ReturnTokenStrs     bool          `json:"return_token_strs"`     // also each token's text
}

// detokenizeRequest is the body of POST /detokenize (vLLM's).
type detokenizeRequest struct {
	modelField
	Tokens []int `json:"tokens"`
}

// modelField is the optional model of a request body.
type modelField struct {
	Model string `json:"model"`
}

func (m *modelField) model() string { return m.Model }

// decodeFor decodes a body whose model must be empty or the served name.
func (s *Server) decodeFor(r *http.Request, v interface{ model() string }) error {
	if err := decodeStrict(r, v); err != nil {
		return err
	}
	return s.checkModel(v.model())
}

// handleTokenize is POST /tokenize: {"count", "max_model_len", "tokens", "token_strs"}, the ids
// /v1/completions (prompt) or /v1/chat/completions (messages) would see.
func (s *Server) handleTokenize(w http.ResponseWriter, r *http.Request) {
	var req tokenizeRequest
	if err := s.decodeFor(r, &req); err != nil {
		writeErr(w, err)
		return
	}
	var ids []int
	var err error
	switch {
	case req.Prompt != nil && req.Messages != nil:
		err = errorf("messages", "send either prompt or messages, not both")
	case req.Prompt != nil:
		if req.AddSpecialTokens == nil || *req.AddSpecialTokens {
			ids, err = tokenizer.EncodePrompt(s.tok, *req.Prompt)
		} else {
			ids, err = s.tok.Encode(*req.Prompt)
		}
		if err != nil {
			err = errorf("prompt", "prompt: %v", err)
		}
	case req.Messages != nil:
		if req.AddGenerationPrompt != nil && !*req.AddGenerationPrompt {
			ids, err = s.chatPromptOpts(req.Messages, false)
		} else {
			ids, err = s.chatPrompt(req.Messages)
		}
	default:
		err = errorf("prompt", "prompt or messages is required")
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	out := map[string]any{"count": len(ids), "max_model_len": s.cfg.MaxModelLen, "tokens": nonNil(ids), "token_strs": nil}
	if req.ReturnTokenStrs {
		strs := make([]string, len(ids))
		for i, id := range ids {
			strs[i] = s.tokenString(id)
		}
		out["token_strs"] = strs
	}
	writeJSON(w, http.StatusOK, out)
}

// handleDetokenize is POST /detokenize: {"prompt": text}.
func (s *Server) handleDetokenize(w http.ResponseWriter, r *http.Request) {
	var req detokenizeRequest
	if err := s.decodeFor(r, &req); err != nil {
		writeErr(w, err)
		return
	}
	if req.Tokens == nil {
		writeErr(w, errorf("tokens", "tokens is required: a list of token ids"))
		return
	}
	vocab := s.w.Load().config.VocabSize
	for i, t := range req.Tokens {
		if t < 0 || t >= vocab {
			writeErr(w, errorf("tokens", "tokens[%d] = %d is outside the vocabulary [0, %d)", i, t, vocab))
			return
		}
	}
	text, err := s.tok.Decode(req.Tokens)
	if err != nil {
		writeErr(w, errorf("tokens", "%v", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"prompt": text})
}

// checkModel accepts an empty model or the served name.
func (s *Server) checkModel(m string) error {
	if m != "" && m != s.cfg.ServedModelName {
		return errorf("model", "model %q is not served here; this server serves %q", m, s.cfg.ServedModelName)
	}
	return nil
}
