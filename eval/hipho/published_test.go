package hipho

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/internal/testutil"
)

func TestPublishedScoresReproduceThePapersMedalCounts(t *testing.T) {
	pub, err := LoadPublished(filepath.Join(dataDir(t), "hipho.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pub.Olympiads) != 13 {
		t.Fatalf("%d olympiads, want 13", len(pub.Olympiads))
	}
	st := map[string]Standing{}
	for _, s := range pub.Standings() {
		st[s.Model] = s
	}
	cases := []struct {
		model                string
		gold, silver, bronze int
	}{
		{"P1-235B-A22B", 12, 1, 0},
		{"P1-30B-A3B", 8, 4, 1},
		{"P1-235B-A22B + PhysicsMinions", 12, 1, 0},
		{"Gemini-2.5-Pro", 12, 1, 0},
	}
	for _, c := range cases {
		s, ok := st[c.model]
		if !ok || s.Gold != c.gold || s.Silver != c.silver || s.Bronze != c.bronze {
			t.Errorf("%s: %d/%d/%d, want %d/%d/%d", c.model, s.Gold, s.Silver, s.Bronze, c.gold, c.silver, c.bronze)
		}
	}
	if m := st["P1-235B-A22B"].Medals["EuPhO_2025"]; m != Silver {
		t.Errorf("P1-235B-A22B's silver should be EuPhO 2025, got %s there", m)
	}
	table := MedalTable(pub.Standings(), pub.Exams())
	if !strings.Contains(table, "| P1-235B-A22B | 12 | 1 | 0 |") || !strings.Contains(table, "21.2 🥇") {
		t.Fatalf("table:\n%s", table)
	}
}

func TestMedalThresholds(t *testing.T) {
	th := Thresholds{Gold: 19.7, Silver: 12.1, Bronze: 7.2} // IPhO 2025
	cases := []struct {
		score float64
		want  string
	}{{29.2, Gold}, {19.7, Gold}, {19.69, Silver}, {12.1, Silver}, {7.2, Bronze}, {7.19, None}, {0, None}}
	for _, c := range cases {
		if got := th.Medal(c.score); got != c.want {
			t.Errorf("Medal(%g) = %s, want %s", c.score, got, c.want)
		}
	}
}

// TestDocsCarryThePublishedMedalTable keeps docs/eval.md's HiPhO table equal to the recomputed one.
func TestDocsCarryThePublishedMedalTable(t *testing.T) {
	pub, err := LoadPublished(filepath.Join(dataDir(t), "hipho.json"))
	if err != nil {
		t.Fatal(err)
	}
	table := MedalTable(pub.Standings(), pub.Exams())
	doc, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "docs", "eval.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), table) {
		os.WriteFile(filepath.Join(t.TempDir(), "table.md"), []byte(table), 0o644)
		t.Fatalf("docs/eval.md lacks the recomputed medal table; it is:\n%s", table)
	}
}
