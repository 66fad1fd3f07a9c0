package track

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMetricsLinesRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]float64
		want   string
	}{
		{"keys are sorted after the step", map[string]float64{"b": 2, "a": 1.5}, `{"step":3,"a":1.5,"b":2}`},
		{"non-finite values are written as strings", map[string]float64{"x": math.NaN(), "y": math.Inf(1), "z": math.Inf(-1)}, `{"step":3,"x":"NaN","y":"Infinity","z":"-Infinity"}`},
		{"an empty step is just the step", map[string]float64{}, `{"step":3}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, err := encodeRow(3, tt.values)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSuffix(string(line), "\n"); got != tt.want {
				t.Fatalf("encoded %s, want %s", got, tt.want)
			}
			row, err := parseRow(line)
			if err != nil {
				t.Fatal(err)
			}
			if row.Step != 3 || len(row.Values) != len(tt.values) {
				t.Fatalf("parsed %+v", row)
			}
			for k, v := range tt.values {
				g := row.Values[k]
				if !(g == v || math.IsNaN(g) && math.IsNaN(v)) {
					t.Errorf("%s = %v, want %v", k, g, v)
				}
			}
		})
	}
}

func TestReservedMetricNameIsRejected(t *testing.T) {
	if _, err := encodeRow(1, map[string]float64{"step": 1}); err == nil {
		t.Fatal("want an error for a metric named step")
	}
}

func TestReadMetricsWithTruncatedLastLineKeepsTheGoodLinesAndReportsTheBadOne(t *testing.T) {
	p := filepath.Join(t.TempDir(), FileMetrics)
	content := `{"step":1,"actor/entropy":1.2}` + "\n" +
		`{"step":2,"actor/entropy":1.1}` + "\n" +
		`{"step":3,"actor/entr`
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, bad, err := ReadMetrics(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1].Step != 2 || rows[1].Values[MetricEntropy] != 1.1 {
		t.Fatalf("rows = %+v, want steps 1 and 2", rows)
	}
	if len(bad) != 1 || bad[0].Line != 3 || !strings.Contains(bad[0].String(), "truncated last line") ||
		!strings.Contains(bad[0].String(), p) {
		t.Fatalf("bad = %v, want line 3 reported as truncated with its path", bad)
	}

	// Following a live file: the incomplete line is not consumed.
	rows, bad, next, err := ReadMetricsFrom(p, 0)
	if err != nil || len(rows) != 2 || len(bad) != 0 {
		t.Fatalf("ReadMetricsFrom: rows %d bad %v err %v", len(rows), bad, err)
	}
	if want := int64(strings.LastIndex(content, "\n") + 1); next != want {
		t.Fatalf("next offset %d, want %d", next, want)
	}
}

func TestReadMetricsReportsMalformedMiddleLines(t *testing.T) {
	tests := []struct {
		name, line, wantErr string
	}{
		{"a line without step", `{"x":1}`, `missing "step"`},
		{"a negative step", `{"step":-1}`, `want a non-negative integer`},
		{"a non-numeric metric", `{"step":1,"x":"high"}`, `metric "x"`},
		{"garbage", `not json`, `not a JSON object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), FileMetrics)
			os.WriteFile(p, []byte(`{"step":0,"x":1}`+"\n"+tt.line+"\n"+`{"step":2,"x":1}`+"\n"), 0o644)
			rows, bad, err := ReadMetrics(p)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || len(bad) != 1 || bad[0].Line != 2 || !strings.Contains(bad[0].Err.Error(), tt.wantErr) {
				t.Fatalf("rows %d, bad %v; want 2 rows and line 2 bad with %q", len(rows), bad, tt.wantErr)
			}
		})
	}
}

func TestReadMetricsOfAMissingFileIsAnError(t *testing.T) {
	_, _, err := ReadMetrics(filepath.Join(t.TempDir(), "nope.jsonl"))
	if err == nil || !strings.Contains(err.Error(), "nope.jsonl") {
		t.Fatalf("err = %v, want one naming the file", err)
	}
}

func FuzzParseRow(f *testing.F) {
	f.Add([]byte(`{"step":1,"a":2}`))
	f.Add([]byte(`{"step":1,"a":"NaN"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		row, err := parseRow(b)
		if err != nil {
			return
		}
		line, err := encodeRow(row.Step, row.Values)
		if err != nil {
			return // e.g. an empty metric name
		}
		again, err := parseRow(line)
		if err != nil || again.Step != row.Step || len(again.Values) != len(row.Values) {
			t.Fatalf("re-encoding %q gave %q (%v)", b, line, err)
		}
	})
}
