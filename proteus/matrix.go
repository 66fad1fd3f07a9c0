package proteus

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Matrix is a feature × sample table (proteome, transcriptome): one row per feature, one column
// per sample. Missing values are NaN.
type Matrix struct {
	Path     string      // the file it was read from
	Kind     string      // entity type of the rows: "protein" or "mrna"
	Features []string    // row names (gene symbols)
	Samples  []string    // column names (sample ids)
	Values   [][]float64 // [feature][sample]
	Missing  int         // NaN cells
	index    map[string]int
	colOf    map[string]int
}

// Row returns the values of feature f and whether it exists.
func (m *Matrix) Row(f string) ([]float64, bool) {
	if m == nil {
		return nil, false
	}
	i, ok := m.index[f]
	if !ok {
		return nil, false
	}
	return m.Values[i], true
}

// missingTokens are the cell spellings read as a missing value.
var missingTokens = map[string]bool{"": true, "NA": true, "NaN": true, "nan": true, "NULL": true, "null": true, "N/A": true, "na": true, "-": true}

// delimiter picks tab or comma by file extension, else by which the header line holds.
func delimiter(path, header string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return ","
	case ".tsv", ".txt", ".tab":
		return "\t"
	}
	if strings.Count(header, ",") > strings.Count(header, "\t") {
		return ","
	}
	return "\t"
}

// readTable reads a delimited file into a header and rows, rejecting ragged rows with the file,
// line and counts. Blank lines are skipped; a trailing CR is dropped.
func readTable(path string) (header []string, rows [][]string, lines []int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	line := 0
	var sep string
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		if header == nil {
			text = strings.TrimPrefix(text, "\ufeff")
			sep = delimiter(path, text)
			header = splitCells(text, sep)
			continue
		}
		cells := splitCells(text, sep)
		if len(cells) != len(header) {
			return nil, nil, nil, fmt.Errorf("%s:%d: ragged row: %d fields, the header has %d", path, line, len(cells), len(header))
		}
		rows = append(rows, cells)
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if header == nil {
		return nil, nil, nil, fmt.Errorf("%s: empty file", path)
	}
	return header, rows, lines, nil
}

func splitCells(s, sep string) []string {
	cells := strings.Split(s, sep)
	for i, c := range cells {
		cells[i] = strings.Trim(strings.TrimSpace(c), `"`)
	}
	return cells
}

// ReadMatrix reads a feature × sample matrix whose first column names the features and whose
// header names the samples. Errors name the file, line and column: ragged rows, a non-numeric
// cell, duplicate sample ids or duplicate features.
func ReadMatrix(path, kind string) (*Matrix, error) {
	header, rows, lines, err := readTable(path)
	if err != nil {
		return nil, err
	}
	if len(header) < 2 {
		return nil, fmt.Errorf("%s:1: a matrix needs a feature column and at least one sample column", path)
	}
	m := &Matrix{Path: path, Kind: kind, Samples: header[1:], index: map[string]int{}}
	seen := map[string]int{}
	for j, s := range m.Samples {
		if s == "" {
			return nil, fmt.Errorf("%s:1: column %d has an empty sample id", path, j+2)
		}
		if k, dup := seen[s]; dup {
			return nil, fmt.Errorf("%s:1: duplicate sample id %q in columns %d and %d", path, s, k+2, j+2)
		}
		seen[s] = j
	}
	for r, row := range rows {
		name := row[0]
		if name == "" {
			return nil, fmt.Errorf("%s:%d: empty feature name", path, lines[r])
		}
		if k, dup := m.index[name]; dup {
			return nil, fmt.Errorf("%s:%d: duplicate feature %q (first at row %d)", path, lines[r], name, k+1)
		}
		vals := make([]float64, len(row)-1)
		for j, cell := range row[1:] {
			if missingTokens[cell] {
				vals[j] = math.NaN()
				m.Missing++
				continue
			}
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				return nil, fmt.Errorf("%s:%d: column %q (%d): %q is not a number", path, lines[r], m.Samples[j], j+2, cell)
			}
			vals[j] = v
		}
		m.index[name] = len(m.Features)
		m.Features = append(m.Features, name)
		m.Values = append(m.Values, vals)
	}
	if len(m.Features) == 0 {
		return nil, fmt.Errorf("%s: no feature rows", path)
	}
	return m, nil
}
