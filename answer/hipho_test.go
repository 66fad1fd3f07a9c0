package answer

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/internal/testutil"
)

// TestEveryHiPhOGoldGradesItself grades, for every HiPhO item, a response that boxes the gold
// answers in order against those golds: every gold unit must be in the unit table and every
// sub-answer must match itself.
func TestEveryHiPhOGoldGradesItself(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testutil.SharedPath(t), "data", "physics", "hipho", "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no HiPhO files: %v", err)
	}
	items, subs, bad := 0, 0, 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			var it struct {
				ID     string    `json:"id"`
				Answer []string  `json:"answer"`
				Types  []string  `json:"answer_type"`
				Units  []*string `json:"unit"`
			}
			if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			var golds []PhysicsGold
			var resp strings.Builder
			for i, a := range it.Answer {
				typ, err := ParseAnswerType(it.Types[min(i, len(it.Types)-1)])
				if err != nil {
					t.Fatalf("%s: %v", it.ID, err)
				}
				if typ == TypeOpen {
					golds = nil
					break
				}
				g := PhysicsGold{Answer: a, Type: typ}
				if i < len(it.Units) && it.Units[i] != nil {
					g.Unit = *it.Units[i]
				}
				golds = append(golds, g)
				resp.WriteString("so " + a + ".\n")
			}
			if len(golds) == 0 {
				continue
			}
			items++
			subs += len(golds)
			r := GradePhysics(resp.String(), golds, DefaultOptions())
			for i, v := range r.Verdicts {
				if v.Status == StatusError {
					t.Errorf("%s sub-answer %d: %+v", it.ID, i, v)
				}
				if v.Correct {
					continue
				}
				bad++
				// the golds that do not match themselves are malformed in the data (an unclosed
				// box or bracket, "= =", "None"): they must be unparsable, never silently false
				if v.Status != StatusUnparsable && stripDollars(physicsClean(golds[i].Answer)) != "None" {
					t.Errorf("%s sub-answer %d (%s, unit %q): %+v", it.ID, i, golds[i].Type, golds[i].Unit, v)
				}
			}
		}
		fh.Close()
	}
	t.Logf("%d items, %d sub-answers, %d not matching themselves (malformed golds)", items, subs, bad)
	if bad > 10 {
		t.Errorf("%d golds do not match themselves, want at most the 10 malformed ones", bad)
	}
}
