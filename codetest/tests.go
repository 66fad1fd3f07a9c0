package codetest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Tests are one problem's test cases in one of the three forms code-RL datasets store them.
type Tests struct {
	// Inputs and Outputs are stdin/stdout pairs (APPS, TACO, CodeContests, PRIME's
	// `{"inputs", "outputs"}`), or, with FnName set, JSON argument lists and JSON return values.
	Inputs, Outputs []string
	// FnName makes the cases call-based: the solution's function (or LeetCode-style
	// `Solution().FnName`) is called with each input's arguments and its return value compared.
	FnName string
	// Asserts are Python statements run after the solution, each one test (MBPP `test_list`,
	// HumanEval `test` + `check(entry_point)`).
	Asserts []string
}

// Len is the number of test cases.
func (t Tests) Len() int {
	if len(t.Asserts) > 0 {
		return len(t.Asserts)
	}
	return len(t.Inputs)
}

// Validate reports a malformed test set.
func (t Tests) Validate() error {
	switch {
	case len(t.Asserts) > 0 && len(t.Inputs) > 0:
		return fmt.Errorf("codetest: tests have both asserts (%d) and inputs (%d); use one form", len(t.Asserts), len(t.Inputs))
	case len(t.Inputs) != len(t.Outputs):
		return fmt.Errorf("codetest: %d inputs but %d outputs", len(t.Inputs), len(t.Outputs))
	case t.Len() == 0:
		return fmt.Errorf("codetest: no test cases")
	}
	return nil
}

// ParseTests reads a row's tests from JSON in any of the layouts the common datasets use:
//   - `{"inputs": [...], "outputs": [...], "fn_name": "f"}` (APPS/TACO `input_output`, verl's
//     prime_code ground truth); stdio inputs may be strings or lists of lines;
//   - `["assert f(1) == 2", ...]` (MBPP `test_list`);
//   - `{"test": "def check(candidate): ...", "entry_point": "f"}` (HumanEval);
//   - `{"asserts": [...]}`.
//
// A JSON string holding one of these (as parquet rows often store it) is unwrapped first.
func ParseTests(raw []byte) (Tests, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = []byte(s)
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		t := Tests{Asserts: list}
		return t, t.Validate()
	}
	var obj struct {
		Inputs     []json.RawMessage `json:"inputs"`
		Outputs    []json.RawMessage `json:"outputs"`
		FnName     string            `json:"fn_name"`
		Test       string            `json:"test"`
		EntryPoint string            `json:"entry_point"`
		Asserts    []string          `json:"asserts"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return Tests{}, fmt.Errorf("codetest: tests are neither a list of asserts nor an inputs/outputs object: %w", err)
	}
	var t Tests
	switch {
	case obj.Test != "":
		if obj.EntryPoint == "" {
			return Tests{}, fmt.Errorf("codetest: HumanEval-style tests need entry_point")
		}
		t.Asserts = []string{obj.Test + "\ncheck(" + obj.EntryPoint + ")"}
	case len(obj.Asserts) > 0:
		t.Asserts = obj.Asserts
	default:
		t.FnName = obj.FnName
		for i, in := range obj.Inputs {
			v, err := caseText(in, t.FnName != "")
			if err != nil {
				return Tests{}, fmt.Errorf("codetest: inputs[%d]: %w", i, err)
			}
			t.Inputs = append(t.Inputs, v)
		}
		for i, out := range obj.Outputs {
			v, err := caseText(out, t.FnName != "")
			if err != nil {
				return Tests{}, fmt.Errorf("codetest: outputs[%d]: %w", i, err)
			}
			t.Outputs = append(t.Outputs, v)
		}
	}
	return t, t.Validate()
}

// caseText is a stdio case as text (a string, or a list of lines joined), or a call-based case as
// its JSON.
func caseText(raw json.RawMessage, call bool) (string, error) {
	if call {
		return string(raw), nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var lines []string
	if err := json.Unmarshal(raw, &lines); err != nil {
		return "", fmt.Errorf("a stdio case must be a string or a list of lines, got %.40s", raw)
	}
	return strings.Join(lines, "\n") + "\n", nil
}
