package hipho

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/internal/testutil"
)

// dataDir is ../shared/data/physics/hipho.
func dataDir(t testing.TB) string {
	t.Helper()
	return testutil.SharedPath(t, "data", "physics", "hipho")
}

// loadAll loads the 14 exams or fails.
func loadAll(t testing.TB) []*Exam {
	t.Helper()
	exams, err := LoadAll(dataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(exams) != 14 {
		t.Fatalf("loaded %d exams, want 14", len(exams))
	}
	return exams
}

func TestEveryExamRoundTripsWithoutLoss(t *testing.T) {
	for _, e := range loadAll(t) {
		t.Run(e.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := e.Write(&buf); err != nil {
				t.Fatal(err)
			}
			again, err := ReadExam(bytes.NewReader(buf.Bytes()), e.Name)
			if err != nil {
				t.Fatal(err)
			}
			again.Information = e.Information
			if !reflect.DeepEqual(e, again) {
				t.Fatalf("load → write → load differs")
			}
			// Field coverage: every source line, as generic JSON, equals what Write produced.
			src, err := os.ReadFile(filepath.Join(dataDir(t), e.Name+".jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			srcLines := nonEmptyLines(src)
			outLines := nonEmptyLines(buf.Bytes())
			if len(srcLines) != len(outLines) || len(srcLines) != len(e.Problems) {
				t.Fatalf("lines: source %d, written %d, problems %d", len(srcLines), len(outLines), len(e.Problems))
			}
			for i := range srcLines {
				var a, b map[string]any
				if err := json.Unmarshal(srcLines[i], &a); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(outLines[i], &b); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(a, b) {
					for k := range a {
						if !reflect.DeepEqual(a[k], b[k]) {
							t.Errorf("%s: field %q: source %v, written %v", e.Problems[i].ID, k, a[k], b[k])
						}
					}
					t.Fatalf("%s: written line differs from the source", e.Problems[i].ID)
				}
			}
		})
	}
}

func nonEmptyLines(b []byte) [][]byte {
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			out = append(out, append([]byte(nil), sc.Bytes()...))
		}
	}
	return out
}

func TestLoaderKeepsTheFieldsGradingNeeds(t *testing.T) {
	exams := map[string]*Exam{}
	for _, e := range loadAll(t) {
		exams[e.Name] = e
	}
	cases := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"the IPhO 2025 constants sheet comes from the information record", func(t *testing.T) {
			if !strings.Contains(exams["IPhO_2025"].Information, "Speed of light in vacuum") {
				t.Fatalf("information %q", exams["IPhO_2025"].Information[:40])
			}
		}},
		{"IPhO 2025 has 39 problems worth 29.4", func(t *testing.T) {
			e := exams["IPhO_2025"]
			if len(e.Problems) != 39 || !near(e.MaxPoints(), 29.4) {
				t.Fatalf("%d problems, %g points", len(e.Problems), e.MaxPoints())
			}
		}},
		{"sub-answer units, types and points are parallel", func(t *testing.T) {
			p := exams["IPhO_2025"].Problem("IPhO_2025_1_A_2")
			if p == nil || len(p.Unit) != 4 || p.Unit[2] == nil || *p.Unit[2] != "m" || p.AnswerType[2] != "Numerical Value" || p.Points[3] != 0.2 {
				t.Fatalf("%+v", p)
			}
		}},
		{"F=MA has no marking field and PanPhO 2025 6.10 a flat one", func(t *testing.T) {
			if exams["F=MA_2025"].Problems[0].Marking.Present {
				t.Fatal("F=MA marking present")
			}
			m := exams["PanPhO_2025"].Problem("PanPhO_2025_6_10").Marking
			if !m.Flat || len(m.Schemes) != 1 || len(m.Schemes[0]) != 3 {
				t.Fatalf("%+v", m)
			}
		}},
		{"text-only filtering keeps only text-only problems", func(t *testing.T) {
			n := 0
			for _, e := range exams {
				for _, p := range e.TextOnly().Problems {
					if p.Modality != TextOnly {
						t.Fatalf("%s: %s", p.ID, p.Modality)
					}
					n++
				}
			}
			if n != 128 {
				t.Fatalf("%d text-only problems, want 128", n)
			}
		}},
		{"the point totals match SUMMARY.json", func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dataDir(t), "SUMMARY.json"))
			if err != nil {
				t.Fatal(err)
			}
			var sum []struct {
				Exam        string  `json:"exam"`
				Problems    int     `json:"problems"`
				TotalPoints float64 `json:"total_points"`
			}
			if err := json.Unmarshal(b, &sum); err != nil {
				t.Fatal(err)
			}
			for _, s := range sum {
				e := exams[s.Exam]
				if e == nil || len(e.Problems) != s.Problems || !near(e.MaxPoints(), s.TotalPoints) {
					t.Errorf("%s: summary %d problems %g points", s.Exam, s.Problems, s.TotalPoints)
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.check)
	}
}

func TestLoadErrors(t *testing.T) {
	_, err := Load(dataDir(t), "IPhO_2099")
	if err == nil || !strings.Contains(err.Error(), "IPhO_2025") || !strings.Contains(err.Error(), "F=MA_2024") {
		t.Fatalf("unknown exam: %v", err)
	}
	bad := []struct{ name, line, want string }{
		{"unknown field", `{"id":"X_1","answer":["1"],"answer_type":["Expression"],"unit":[null],"points":[1],"colour":"red"}`, "colour"},
		{"lists of different lengths", `{"id":"X_1","answer":["1","2"],"answer_type":["Expression"],"unit":[null],"points":[1]}`, "problem X_1"},
		{"no id", `{"answer":["1"],"answer_type":["Expression"],"unit":[null],"points":[1]}`, "without an id"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			_, err := ReadExam(strings.NewReader(b.line+"\n"), "X")
			if err == nil || !strings.Contains(err.Error(), b.want) || !strings.Contains(err.Error(), "exam X") {
				t.Fatalf("got %v, want an error naming exam X and %q", err, b.want)
			}
		})
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
