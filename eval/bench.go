package eval

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed data/*.jsonl data/PROVENANCE.md
var dataFS embed.FS

// Problem is one evaluation item: a question and its reference answer.
type Problem struct {
	ID      string // stable identifier inside its benchmark (the file's `id`, or the row index)
	Problem string // the question text shown to the model, without any instruction suffix
	Answer  string // the reference ("gold") answer
	// HasInstruction is true when Problem already carries an answer-format instruction (verl rows whose
	// chat prompt was built with the suffix); the harness then does not append the suffix again.
	HasInstruction bool
}

// Benchmark is a named list of problems and the number of samples the protocol draws per problem.
type Benchmark struct {
	Name     string    // registry name, or the file stem for benchmarks loaded by path
	Title    string    // display name in tables (e.g. "AIME24")
	DefaultK int       // samples per problem in the JustRL protocol (avg@k); 1 for files loaded by path
	Source   string    // "embedded:data/<file>" or the path the problems were read from
	Problems []Problem // in file order; IDs are unique
}

// benchSpec describes one embedded benchmark.
type benchSpec struct {
	name    string   // canonical registry name (the file stem)
	file    string   // file under data/
	title   string   // display name
	k       int      // JustRL samples per problem
	aliases []string // other names accepted on the command line and in responses files
}

// registry lists the embedded benchmarks. k follows JustRL's evals/gen_vllm.py (spec §3.3): 32 samples
// for the small competition sets, 4 for the large ones. GSM8K is not in JustRL's table; it gets 1.
var registry = []benchSpec{
	{"aime2024", "aime2024.jsonl", "AIME24", 32, []string{"aime24", "aime_2024"}},
	{"aime2025", "aime2025.jsonl", "AIME25", 32, []string{"aime25", "aime_2025"}},
	{"amc2023", "amc2023.jsonl", "AMC23", 32, []string{"amc23", "amc_2023"}},
	{"math500", "math500.jsonl", "MATH-500", 4, []string{"math_500", "math-500"}},
	{"minerva_math", "minerva_math.jsonl", "Minerva", 4, []string{"minerva"}},
	{"olympiadbench", "olympiadbench_math_en.jsonl", "OlympiadBench", 4, []string{"olympiadbench_math_en", "olympiad_bench"}},
	{"hmmt_feb_2025", "hmmt_feb_2025.jsonl", "HMMT25", 32, []string{"hmmt25", "hmmt_2025", "hmmt"}},
	{"brumo_2025", "brumo_2025.jsonl", "BRUMO25", 32, []string{"brumo25", "brumo"}},
	{"cmimc_2025", "cmimc_2025.jsonl", "CMIMC25", 32, []string{"cmimc25", "cmimc"}},
	{"gsm8k", "gsm8k_test.jsonl", "GSM8K", 1, []string{"gsm8k_test"}},
}

// groups are names that stand for several benchmarks.
var groups = map[string][]string{
	// justrl9 is the nine-benchmark table of JustRL (arXiv 2512.16649, README = paper tables).
	"justrl9": {"aime2024", "aime2025", "amc2023", "math500", "minerva_math", "olympiadbench",
		"hmmt_feb_2025", "brumo_2025", "cmimc_2025"},
}

// Names returns the canonical names of the embedded benchmarks, in table order.
func Names() []string {
	out := make([]string, len(registry))
	for i, s := range registry {
		out[i] = s.name
	}
	return out
}

// GroupNames returns the names of benchmark groups (e.g. "justrl9"), sorted.
func GroupNames() []string {
	out := make([]string, 0, len(groups))
	for g := range groups {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

// lookupSpec finds an embedded benchmark by canonical name or alias (case-insensitive).
func lookupSpec(name string) (benchSpec, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, s := range registry {
		if s.name == n {
			return s, true
		}
		for _, a := range s.aliases {
			if a == n {
				return s, true
			}
		}
	}
	return benchSpec{}, false
}

// CanonicalName maps a benchmark name or alias to its registry name; unknown names are returned as is.
func CanonicalName(name string) string {
	if s, ok := lookupSpec(name); ok {
		return s.name
	}
	return name
}

// knownNamesError is the error for a name that is neither a benchmark, a group nor a file.
func knownNamesError(name string) error {
	return fmt.Errorf("eval: unknown benchmark %q; known benchmarks: %s; groups: %s; or give a path to a .jsonl/.parquet file",
		name, strings.Join(Names(), ", "), strings.Join(GroupNames(), ", "))
}

// ExpandNames splits a comma-separated list of benchmark names, group names and file paths, expands
// groups, and removes duplicates while keeping the order. Unknown names that are not existing files
// return an error listing the known names.
func ExpandNames(list string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, raw := range strings.Split(list, ",") {
		n := strings.TrimSpace(raw)
		if n == "" {
			continue
		}
		if g, ok := groups[strings.ToLower(n)]; ok {
			for _, m := range g {
				add(m)
			}
			continue
		}
		if s, ok := lookupSpec(n); ok {
			add(s.name)
			continue
		}
		if isDataPath(n) {
			if _, err := os.Stat(n); err != nil {
				return nil, fmt.Errorf("eval: benchmark file %s: %w", n, err)
			}
			add(n)
			continue
		}
		return nil, knownNamesError(n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("eval: no benchmark given; known benchmarks: %s; groups: %s",
			strings.Join(Names(), ", "), strings.Join(GroupNames(), ", "))
	}
	return out, nil
}

// isDataPath reports whether s looks like a path to a problems file rather than a registry name.
func isDataPath(s string) bool {
	ext := strings.ToLower(filepath.Ext(s))
	return strings.ContainsRune(s, os.PathSeparator) || ext == ".jsonl" || ext == ".json" || ext == ".parquet"
}

// Load returns a benchmark by registry name or alias, or reads a JSONL/verl-parquet file by path.
func Load(nameOrPath string) (*Benchmark, error) {
	if s, ok := lookupSpec(nameOrPath); ok {
		data, err := dataFS.ReadFile("data/" + s.file)
		if err != nil {
			return nil, fmt.Errorf("eval: embedded benchmark %s: %w", s.name, err)
		}
		probs, err := parseJSONL(data, "data/"+s.file)
		if err != nil {
			return nil, err
		}
		return &Benchmark{Name: s.name, Title: s.title, DefaultK: s.k, Source: "embedded:data/" + s.file, Problems: probs}, nil
	}
	if !isDataPath(nameOrPath) {
		return nil, knownNamesError(nameOrPath)
	}
	return LoadFile(nameOrPath)
}

// LoadFile reads problems from a JSONL file (fields problem/question/prompt, answer/gold/ground_truth/
// reward_model.ground_truth, optional id) or a verl parquet file (prompt as a chat list,
// reward_model.ground_truth, data_source, extra_info). The benchmark is named after the file stem.
func LoadFile(path string) (*Benchmark, error) {
	var probs []Problem
	var err error
	if strings.EqualFold(filepath.Ext(path), ".parquet") {
		probs, err = readParquet(path)
	} else {
		var data []byte
		data, err = os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("eval: read %s: %w", path, err)
		}
		probs, err = parseJSONL(data, path)
	}
	if err != nil {
		return nil, err
	}
	stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return &Benchmark{Name: stem, Title: stem, DefaultK: 1, Source: path, Problems: probs}, nil
}

// Provenance returns the embedded PROVENANCE.md describing where each benchmark file comes from.
func Provenance() string {
	b, _ := dataFS.ReadFile("data/PROVENANCE.md")
	return string(b)
}

// byID indexes a benchmark's problems by ID.
func (b *Benchmark) byID() map[string]*Problem {
	m := make(map[string]*Problem, len(b.Problems))
	for i := range b.Problems {
		m[b.Problems[i].ID] = &b.Problems[i]
	}
	return m
}
