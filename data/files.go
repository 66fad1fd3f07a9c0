package data

import (
	"github.com/ascent-rl/ascent/internal/atomicfile"

	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// LoadFile reads a dataset file by extension: .jsonl (one JSON object per line) or .parquet
// (verl rows). Every row must have a prompt and a ground truth; the first bad row is an error
// naming the file, the 1-based row number and the field.
func LoadFile(path string, opts LoadOptions) (*Dataset, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl":
		return LoadJSONL(path, opts)
	case ".parquet":
		return LoadParquet(path, opts)
	default:
		return nil, fmt.Errorf("data: %s: unknown dataset extension %q; known: .jsonl, .parquet", path, filepath.Ext(path))
	}
}

// LoadMath reads one of the shared math JSONL files (fields id, problem, answer, source, and
// optionally solution): data_source defaults to MathDataSource and source goes to ExtraInfo.
func LoadMath(path string, suffix string) (*Dataset, error) {
	return LoadJSONL(path, LoadOptions{DefaultDataSource: MathDataSource, PromptSuffix: suffix})
}

// LoadJSONL reads a JSONL dataset. Each non-blank line is an object with:
//   - prompt: a chat list [{role, content}] or a string; or problem / question: a string;
//   - reward_model.ground_truth, answer or ground_truth (in that order of preference);
//   - data_source (else opts.DefaultDataSource), extra_info (object), id;
//   - demonstration or solution (a worked solution, or a list of them of which the first is used;
//     \boxed{answer} is appended when missing).
//
// Other fields are copied into ExtraInfo.
func LoadJSONL(path string, opts LoadOptions) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: read %s: %w", path, err)
	}
	defer f.Close()
	d := &Dataset{Name: path}
	br := bufio.NewReaderSize(f, 1<<20)
	for line := 1; ; line++ {
		raw, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return nil, fmt.Errorf("data: read %s line %d: %w", path, line, rerr)
		}
		if line == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")) // UTF-8 byte-order mark
		}
		if trimmed := bytes.TrimSpace(raw); len(trimmed) > 0 {
			dec := json.NewDecoder(bytes.NewReader(trimmed))
			dec.UseNumber()
			var m map[string]any
			if err := dec.Decode(&m); err != nil {
				return nil, rowError(path, line, "", "invalid JSON object: %v", err)
			}
			if dec.More() {
				return nil, rowError(path, line, "", "more than one JSON value on the line")
			}
			if m == nil {
				return nil, rowError(path, line, "", "null row, want a JSON object")
			}
			ex, err := exampleFromRow(m, path, line, opts)
			if err != nil {
				return nil, err
			}
			d.Examples = append(d.Examples, ex)
		}
		if rerr == io.EOF {
			break
		}
	}
	return d, nil
}

// LoadParquet reads a verl-style parquet file (prompt as list<struct<role, content>>,
// reward_model.ground_truth, data_source, extra_info; the JSONL field names also work). It uses
// parquet-go's schema-driven map[string]any reader: typed struct reads return empty lists when
// the list element is named "item" (older pyarrow / HF datasets), map reads handle both "element"
// and "item". Row numbers in errors are 1-based.
func LoadParquet(path string, opts LoadOptions) (d *Dataset, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: read %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("data: read %s: %w", path, err)
	}
	// parquet-go panics on some corrupt inputs; report those as errors about the file.
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("data: read %s: corrupt parquet file: %v", path, p)
		}
	}()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("data: read %s: %w", path, err)
	}
	r := parquet.NewReader(pf)
	defer r.Close()
	d = &Dataset{Name: path, Examples: make([]Example, 0, pf.NumRows())}
	for row := 1; ; row++ {
		m := map[string]any{}
		if err := r.Read(&m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("data: read %s row %d: %w", path, row, err)
		}
		ex, err := exampleFromRow(m, path, row, opts)
		if err != nil {
			return nil, err
		}
		d.Examples = append(d.Examples, ex)
	}
	return d, nil
}

// verlJSONRow is the JSONL shape WriteJSONL emits: verl's parquet columns plus the Example fields
// verl has no column for (id, prompt_text, demonstration).
type verlJSONRow struct {
	ID            string         `json:"id"`
	DataSource    string         `json:"data_source"`
	Prompt        []Message      `json:"prompt"`
	PromptText    string         `json:"prompt_text,omitempty"`
	RewardModel   verlReward     `json:"reward_model"`
	Demonstration string         `json:"demonstration,omitempty"`
	ExtraInfo     map[string]any `json:"extra_info,omitempty"`
}

// verlReward is verl's reward_model column.
type verlReward struct {
	Style       string `json:"style"`
	GroundTruth string `json:"ground_truth"`
}

// WriteJSONL writes examples as verl-shaped JSONL rows that LoadJSONL reads back unchanged (e.g.
// to freeze a generated task split into a file). The write is atomic: a temporary file in the
// same directory is renamed over path.
func WriteJSONL(path string, examples []Example) error {
	err := atomicfile.Write(path, 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for k, ex := range examples {
			row := verlJSONRow{ID: ex.ID, DataSource: ex.DataSource, Prompt: ex.Prompt, PromptText: ex.PromptText,
				RewardModel: verlReward{Style: "rule", GroundTruth: ex.GroundTruth}, Demonstration: ex.Demonstration, ExtraInfo: ex.ExtraInfo}
			if err := enc.Encode(row); err != nil {
				return fmt.Errorf("row %d: %w", k+1, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}
