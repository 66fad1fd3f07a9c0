package eval

import (
	"math"
	"testing"
)

func TestPassAtKMatchesExactBinomials(t *testing.T) {
	for n := 1; n <= 64; n++ {
		for c := 0; c <= n; c++ {
			for k := 1; k <= n; k++ {
				got, want := PassAtK(n, c, k), passAtKExact(n, c, k)
				if math.Abs(got-want) > 1e-12 {
					t.Fatalf("PassAtK(%d,%d,%d) = %.15g, exact %.15g", n, c, k, got, want)
				}
			}
		}
	}
}

func TestPassAtKKnownValues(t *testing.T) {
	tests := []struct {
		name    string
		n, c, k int
		want    float64
	}{
		{"pass@1 is the fraction correct", 10, 3, 1, 0.3},
		{"no correct sample gives zero", 32, 0, 8, 0},
		{"all correct gives one", 4, 4, 2, 1},
		{"k larger than the wrong samples gives one", 5, 3, 3, 1},
		{"two of four, pass@2 is 1 - C(2,2)/C(4,2)", 4, 2, 2, 1 - 1.0/6},
		{"large n stays finite", 1024, 1, 512, 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PassAtK(tc.n, tc.c, tc.k); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("PassAtK(%d,%d,%d) = %g, want %g", tc.n, tc.c, tc.k, got, tc.want)
			}
		})
	}
}

func TestMajorityVote(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want int
	}{
		{"the most frequent answer wins", []string{"1", "2", "2", "3"}, 1},
		{"a tie goes to the answer seen first", []string{"5", "7", "7", "5"}, 0},
		{"empty answers do not vote", []string{"", "", "4"}, 2},
		{"no answers at all gives -1", []string{"", ""}, -1},
		{"a later larger group beats an earlier one", []string{"a", "b", "b", "c", "b", "a"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MajorityVote(tc.keys); got != tc.want {
				t.Errorf("MajorityVote(%q) = %d, want %d", tc.keys, got, tc.want)
			}
		})
	}
}

func TestBootstrapIsSeededAndBracketsTheMean(t *testing.T) {
	vals := [][]float64{{0, 1, 1, 0, 1, 0.5, 0.25, 1}, {1, 1, 0, 0}}
	a, avgA := bootstrap(vals, 2000, 7)
	b, avgB := bootstrap(vals, 2000, 7)
	if a[0] != b[0] || a[1] != b[1] || avgA != avgB {
		t.Fatalf("same seed gave different intervals: %v %v vs %v %v", a, avgA, b, avgB)
	}
	many := make([]float64, 50)
	for i := range many {
		many[i] = float64(i*i%37) / 37
	}
	c1, _ := bootstrap([][]float64{many}, 500, 1)
	c2, _ := bootstrap([][]float64{many}, 500, 2)
	if c1[0] == c2[0] {
		t.Errorf("different seeds gave identical intervals %v", c1[0])
	}
	mean0 := (0 + 1 + 1 + 0 + 1 + 0.5 + 0.25 + 1) / 8.0
	if !(a[0][0] < mean0 && mean0 < a[0][1]) {
		t.Errorf("interval %v does not contain the mean %g", a[0], mean0)
	}
	if !(avgA[0] < avgA[1]) {
		t.Errorf("average interval %v is empty", avgA)
	}
}

func TestLengthStats(t *testing.T) {
	got := lengthStats([]float64{10, 1, 4, 3, 2, 5, 6, 7, 8, 9})
	want := LengthStats{Mean: 5.5, P50: 5, P90: 9, Max: 10}
	if got != want {
		t.Errorf("lengthStats = %+v, want %+v", got, want)
	}
	if (lengthStats(nil) != LengthStats{}) {
		t.Errorf("lengthStats(nil) is not zero")
	}
}

func TestAggregateComputesAvgPassAndMaj(t *testing.T) {
	mk := func(id string, idx int, key string, ok bool) Sample {
		return Sample{Benchmark: "b", ProblemID: id, SampleIndex: idx, VoteKey: key, Correct: ok, Status: "ok", Graded: true, Response: "xx"}
	}
	samples := []Sample{
		// p1: 3 of 4 correct, majority "4" correct.
		mk("p1", 0, "4", true), mk("p1", 1, "5", false), mk("p1", 2, "4", true), mk("p1", 3, "4", true),
		// p2: 1 of 4 correct, majority "9" wrong.
		mk("p2", 3, "9", false), mk("p2", 1, "9", false), mk("p2", 2, "2", true), mk("p2", 0, "", false),
	}
	res, err := Aggregate(samples, []string{"b"}, nil, ScoreOptions{Bootstrap: 200, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Benchmarks["b"]
	if b.NProblems != 2 || b.K != 4 || b.NSamples != 8 || b.NoAnswer != 1 {
		t.Fatalf("counts: %+v", b)
	}
	if math.Abs(b.AvgAtK-0.5) > 1e-12 || math.Abs(b.PassAtK["1"]-0.5) > 1e-12 {
		t.Errorf("avg@4 = %g, pass@1 = %g, want 0.5", b.AvgAtK, b.PassAtK["1"])
	}
	if want := (PassAtK(4, 3, 2) + PassAtK(4, 1, 2)) / 2; math.Abs(b.PassAtK["2"]-want) > 1e-12 {
		t.Errorf("pass@2 = %g, want %g", b.PassAtK["2"], want)
	}
	if b.PassAtK["4"] != 1 || b.MajAtK != 0.5 {
		t.Errorf("pass@4 = %g maj@4 = %g, want 1 and 0.5", b.PassAtK["4"], b.MajAtK)
	}
	if res.Average != b.AvgAtK {
		t.Errorf("average of one benchmark %g != %g", res.Average, b.AvgAtK)
	}
}

func TestAggregateRejectsDuplicateSampleIndex(t *testing.T) {
	s := Sample{Benchmark: "b", ProblemID: "p", Graded: true}
	if _, err := Aggregate([]Sample{s, s}, nil, nil, ScoreOptions{}); err == nil {
		t.Fatal("duplicate sample_index accepted")
	}
}
