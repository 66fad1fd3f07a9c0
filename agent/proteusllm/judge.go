package proteusllm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/internal/atomicfile"
	"github.com/ascent-rl/ascent/proteus"
)

// DefaultAxes are the rubric axes of the open-ended judge.
var DefaultAxes = []string{"novelty", "soundness", "evidence", "clarity"}

// Judge scores hypotheses open-endedly over the endpoint (role "judge"), 1–5 per axis. Scores
// are cached by (model, axes, hypothesis, evidence) in a JSON file so a rerun asks nothing twice,
// and at most MaxCalls new calls are made per run.
type Judge struct {
	Session  *agent.Session // client, trace and budget (the judge's calls are traced too)
	Prompts  agent.Prompts  // templates (workflow "proteus", role "judge")
	Axes     []string       // rubric axes (default DefaultAxes)
	Cache    string         // cache file ("" for none)
	MaxCalls int            // new calls per run (0: one per hypothesis)
}

// JudgeStats counts a judging run.
type JudgeStats struct {
	Scored   int `json:"scored"`    // hypotheses with a score
	Cached   int `json:"cached"`    // of those, served from the cache
	Failed   int `json:"failed"`    // replies without a valid score for every axis
	Skipped  int `json:"skipped"`   // left unscored by MaxCalls
	NewCalls int `json:"new_calls"` // calls made
}

// Score scores every hypothesis of s, setting its Score.
func (j *Judge) Score(ctx context.Context, s *proteus.Study) (JudgeStats, error) {
	if len(j.Axes) == 0 {
		j.Axes = DefaultAxes
	}
	cache := map[string]proteus.Score{}
	if j.Cache != "" {
		if b, err := os.ReadFile(j.Cache); err == nil {
			if err := json.Unmarshal(b, &cache); err != nil {
				return JudgeStats{}, fmt.Errorf("judge cache %s: %w", j.Cache, err)
			}
		}
	}
	model := j.Session.Client.Config().Model
	var st JudgeStats
	for _, h := range s.Hypotheses {
		evidence := evidenceText(s, h)
		key := cacheKey(model, j.Axes, h.Text, evidence)
		if sc, ok := cache[key]; ok {
			h.Score = &sc
			st.Scored++
			st.Cached++
			continue
		}
		if j.MaxCalls > 0 && st.NewCalls >= j.MaxCalls {
			st.Skipped++
			continue
		}
		prompt, err := j.Prompts.Render("judge", map[string]any{"Statement": h.Text, "Evidence": evidence, "Axes": strings.Join(j.Axes, ", ")})
		if err != nil {
			return st, err
		}
		st.NewCalls++
		var sc proteus.Score
		_, err = j.Session.Call(ctx, "judge", 1, []agent.Message{{Role: "user", Content: prompt}}, func(text string) (string, error) {
			var perr error
			sc, perr = parseScore(text, j.Axes)
			if perr != nil {
				return "", perr
			}
			return fmt.Sprintf("total %.2f", sc.Total), nil
		})
		var pe *agent.ParseError
		if errors.As(err, &pe) {
			st.Failed++
			continue
		}
		if err != nil {
			return st, err
		}
		sc.Judge = model
		h.Score = &sc
		cache[key] = sc
		st.Scored++
	}
	if j.Cache != "" {
		b, _ := json.MarshalIndent(cache, "", " ")
		if err := atomicfile.WriteFile(j.Cache, b, 0o644); err != nil {
			return st, err
		}
	}
	return st, nil
}

// evidenceText lists a hypothesis's evidence edges as the judge sees them.
func evidenceText(s *proteus.Study, h *proteus.Hypothesis) string {
	var parts []string
	for _, id := range h.Evidence {
		if e := s.Graph.Edge(id); e != nil {
			parts = append(parts, fmt.Sprintf("%s in %s (%s): %s = %.3g, p = %.2g, q = %.2g, n = %d", e.Test, e.Cohort, e.Role, e.EffectOf, e.Effect, e.P, e.Q, e.N))
		}
	}
	return strings.Join(parts, "; ")
}

func cacheKey(model string, axes []string, text, evidence string) string {
	h := sha256.Sum256([]byte(model + "\x00" + strings.Join(axes, ",") + "\x00" + text + "\x00" + evidence))
	return hex.EncodeToString(h[:12])
}

// parseScore reads {"axis": score, ...}; every axis must be present with a score in [1, 5].
func parseScore(text string, axes []string) (proteus.Score, error) {
	i, k := strings.Index(text, "{"), strings.LastIndex(text, "}")
	if i < 0 || k < i {
		return proteus.Score{}, errors.New("no JSON object")
	}
	var m map[string]float64
	if err := json.Unmarshal([]byte(text[i:k+1]), &m); err != nil {
		return proteus.Score{}, err
	}
	sc := proteus.Score{Axes: map[string]float64{}}
	for _, a := range axes {
		v, ok := m[a]
		if !ok || v < 1 || v > 5 {
			return proteus.Score{}, fmt.Errorf("axis %q missing or outside 1–5", a)
		}
		sc.Axes[a] = v
		sc.Total += v / float64(len(axes))
	}
	return sc, nil
}
