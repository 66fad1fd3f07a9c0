package hipho

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Medals.
const (
	Gold   = "gold"
	Silver = "silver"
	Bronze = "bronze"
	None   = "none"
)

// Thresholds are an exam's official human medal cut-offs, in exam points.
type Thresholds struct {
	Gold   float64 `json:"gold"`
	Silver float64 `json:"silver"`
	Bronze float64 `json:"bronze"`
}

// Medal is the medal a score earns: at least the threshold.
func (t Thresholds) Medal(score float64) string {
	const eps = 1e-9
	switch {
	case score+eps >= t.Gold:
		return Gold
	case score+eps >= t.Silver:
		return Silver
	case score+eps >= t.Bronze:
		return Bronze
	}
	return None
}

// Olympiad is one exam's entry in hipho.json.
type Olympiad struct {
	Name          string       `json:"name"` // e.g. IPhO, F=MA
	Year          int          `json:"year"`
	FullMarkHuman float64      `json:"full_mark_human"`
	FullMarkModel float64      `json:"full_mark_model"` // the theory points models are scored on
	Top1Human     float64      `json:"top1_human"`
	Top1Model     float64      `json:"top1_model"`
	Thresholds    Thresholds   `json:"thresholds"`
	Models        []ModelScore `json:"models"`
}

// Exam is the olympiad's exam name in the data files (IPhO_2025).
func (o *Olympiad) Exam() string { return fmt.Sprintf("%s_%d", o.Name, o.Year) }

// ModelScore is one model's published exam score.
type ModelScore struct {
	Name  string  `json:"name"`
	Score float64 `json:"score"`
}

// Published is hipho.json: the P1 project page's published scores and medal thresholds.
type Published struct {
	Meta            map[string]string `json:"meta"`
	ModelCategories map[string]string `json:"model_categories"`
	Olympiads       []Olympiad        `json:"olympiads"`
}

// LoadPublished reads hipho.json.
func LoadPublished(path string) (*Published, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("hipho: published scores: %w", err)
	}
	var p Published
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("hipho: %s: %w", path, err)
	}
	if len(p.Olympiads) == 0 {
		return nil, fmt.Errorf("hipho: %s: no olympiads", path)
	}
	return &p, nil
}

// Thresholds returns the medal thresholds per exam name.
func (p *Published) Thresholds() map[string]Thresholds {
	out := make(map[string]Thresholds, len(p.Olympiads))
	for i := range p.Olympiads {
		out[p.Olympiads[i].Exam()] = p.Olympiads[i].Thresholds
	}
	return out
}

// Exams lists the exams in published order.
func (p *Published) Exams() []string {
	out := make([]string, len(p.Olympiads))
	for i := range p.Olympiads {
		out[i] = p.Olympiads[i].Exam()
	}
	return out
}

// Standing is one model's row of a medal table: exam scores, medals and counts.
type Standing struct {
	Model  string             `json:"model"`
	Scores map[string]float64 `json:"scores"` // exam → points
	Medals map[string]string  `json:"medals"` // exam → gold|silver|bronze|none
	Gold   int                `json:"gold"`
	Silver int                `json:"silver"`
	Bronze int                `json:"bronze"`
}

// add records one exam result.
func (s *Standing) add(exam string, score float64, medal string) {
	if s.Scores == nil {
		s.Scores, s.Medals = map[string]float64{}, map[string]string{}
	}
	s.Scores[exam], s.Medals[exam] = score, medal
	switch medal {
	case Gold:
		s.Gold++
	case Silver:
		s.Silver++
	case Bronze:
		s.Bronze++
	}
}

// Standings recomputes every model's medals from the published scores and thresholds, ordered as
// the leaderboard: golds, then silvers, then bronzes, then name.
func (p *Published) Standings() []Standing {
	by := map[string]*Standing{}
	for i := range p.Olympiads {
		o := &p.Olympiads[i]
		for _, m := range o.Models {
			s := by[m.Name]
			if s == nil {
				s = &Standing{Model: m.Name}
				by[m.Name] = s
			}
			s.add(o.Exam(), m.Score, o.Thresholds.Medal(m.Score))
		}
	}
	return sortStandings(by)
}

func sortStandings(by map[string]*Standing) []Standing {
	out := make([]Standing, 0, len(by))
	for _, s := range by {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Gold != b.Gold {
			return a.Gold > b.Gold
		}
		if a.Silver != b.Silver {
			return a.Silver > b.Silver
		}
		if a.Bronze != b.Bronze {
			return a.Bronze > b.Bronze
		}
		return a.Model < b.Model
	})
	return out
}

var medalMark = map[string]string{Gold: " 🥇", Silver: " 🥈", Bronze: " 🥉"}

// MedalTable renders standings as a markdown table in the layout of the HiPhO leaderboard: one
// row per model with its medal counts, then each exam's score marked with its medal ("—" when the
// model has no score for the exam).
func MedalTable(standings []Standing, exams []string) string {
	var b strings.Builder
	b.WriteString("| # | Model | 🥇 | 🥈 | 🥉 |")
	for _, e := range exams {
		b.WriteString(" " + strings.ReplaceAll(e, "_", " ") + " |")
	}
	b.WriteString("\n|---:|---|---:|---:|---:|" + strings.Repeat("---:|", len(exams)) + "\n")
	for i, s := range standings {
		fmt.Fprintf(&b, "| %d | %s | %d | %d | %d |", i+1, s.Model, s.Gold, s.Silver, s.Bronze)
		for _, e := range exams {
			if x, ok := s.Scores[e]; ok {
				fmt.Fprintf(&b, " %s%s |", formatPoints(x), medalMark[s.Medals[e]])
			} else {
				b.WriteString(" — |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// formatPoints prints points with at most two decimals.
func formatPoints(x float64) string {
	s := fmt.Sprintf("%.2f", x)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}
