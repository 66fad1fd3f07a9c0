package answer

import (
	"bufio"
	"encoding/json"
	"github.com/ascent-rl/ascent/internal/testutil"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryDatasetGoldParsesAndMatchesItself checks that each gold answer of the shared math
// datasets parses, equals itself and equals a response that boxes it.
func TestEveryDatasetGoldParsesAndMatchesItself(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testutil.SharedPath(t), "data", "math", "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dataset files: %v", err)
	}
	opt := DefaultOptions()
	total := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		line := 0
		for sc.Scan() {
			line++
			var row struct {
				Answer string `json:"answer"`
			}
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				t.Fatalf("%s:%d: %v", f, line, err)
			}
			total++
			a := row.Answer
			if _, err := parse(a, newBudget(opt.Deadline)); err != nil {
				t.Errorf("%s:%d: gold %q does not parse: %v", filepath.Base(f), line, a, err)
				continue
			}
			if v := Equivalent(a, a, opt); !v.Correct || v.Status != StatusOK {
				t.Errorf("%s:%d: gold %q does not match itself: %+v", filepath.Base(f), line, a, v)
			}
			if v := Verify(a, "So the final answer is $\\boxed{"+a+"}$.", opt); !v.Correct || v.Status != StatusOK {
				t.Errorf("%s:%d: gold %q does not match its boxed form: %+v", filepath.Base(f), line, a, v)
			}
		}
		fh.Close()
	}
	if total < 1000 {
		t.Fatalf("only %d gold answers read", total)
	}
}

// TestMutatedDatasetGoldsAreRejected changes the last digit of every gold answer of three
// datasets and checks that the verifier rejects the result (it must not lie in the lenient
// direction). Golds whose last digit is a unit exponent ("cm^2") are skipped: units are
// stripped by design.
func TestMutatedDatasetGoldsAreRejected(t *testing.T) {
	dir := filepath.Join(testutil.SharedPath(t), "data", "math")
	opt := DefaultOptions()
	tried := 0
	for _, name := range []string{"math500.jsonl", "olympiadbench_math_en.jsonl", "minerva_math.jsonl", "train_deepmath_roll5k.jsonl"} {
		fh, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var row struct {
				Answer string `json:"answer"`
			}
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				t.Fatal(err)
			}
			g := row.Answer
			if strings.Contains(g, `\mbox`) || strings.Contains(g, `\text{ `) {
				continue
			}
			b := []byte(g)
			i := strings.LastIndexAny(g, "0123456789")
			if i < 0 {
				continue
			}
			if b[i] == '9' {
				b[i] = '8'
			} else {
				b[i]++
			}
			tried++
			if v := Equivalent(g, string(b), opt); v.Correct {
				t.Errorf("%s: %q accepted for gold %q", name, string(b), g)
			}
		}
		fh.Close()
	}
	if tried < 1000 {
		t.Fatalf("only %d mutations tried", tried)
	}
}
