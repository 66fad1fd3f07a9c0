package proteus

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// VarType is the inferred type of a clinical variable.
type VarType string

// The variable types profiling assigns.
const (
	Continuous   VarType = "continuous"     // numeric with many distinct values
	Categorical  VarType = "categorical"    // unordered labels
	Ordinal      VarType = "ordinal"        // ordered levels (stage I–IV, grade G1–G3, small integer scores)
	SurvivalTime VarType = "survival_time"  // follow-up time of a survival pair
	SurvivalEvt  VarType = "survival_event" // event indicator (1 = event, 0 = censored) of a survival pair
	Identifier   VarType = "id"             // sample or patient identifier
)

// Variable is one clinical column after typing.
type Variable struct {
	Name    string    // column name
	Type    VarType   // inferred type
	Levels  []string  // categorical or ordinal levels, in order (ordinal: low to high)
	Missing int       // empty or NA cells
	Num     []float64 `json:"-"` // numeric value per sample (ordinal: level rank 1..k), NaN when missing
	Str     []string  `json:"-"` // raw value per sample, "" when missing
}

// Survival is a (time, event) pair of clinical columns, e.g. os_time_days + os_event.
type Survival struct {
	Name     string    // entity name, e.g. "overall_survival"
	TimeCol  string    // time column
	EventCol string    // event column
	Events   int       // events among the samples
	Censored int       // censored observations
	Time     []float64 `json:"-"` // per sample, NaN when missing
	Event    []int     `json:"-"` // per sample, −1 when missing
}

// Clinical is the clinical table: one row per sample.
type Clinical struct {
	Path      string            // file
	Samples   []string          // sample ids, in file order
	PatientOf map[string]string `json:"-"` // sample → patient (when a patient column exists)
	Vars      []*Variable       // every non-id, non-survival column, typed
	Survivals []*Survival       // survival pairs found
	index     map[string]int
}

// Var returns the variable called name, or nil.
func (c *Clinical) Var(name string) *Variable {
	for _, v := range c.Vars {
		if v.Name == name {
			return v
		}
	}
	return nil
}

var (
	romanRe = regexp.MustCompile(`^(?i)(stage\s*)?(IV|III|II|I)([ABC])?$`)
	gradeRe = regexp.MustCompile(`^(?i)G([1-4])$`)
)

// survivalNames maps common prefixes to entity names.
var survivalNames = map[string]string{"os": "overall_survival", "pfs": "progression_free_survival", "dfs": "disease_free_survival", "rfs": "recurrence_free_survival", "dss": "disease_specific_survival"}

// ReadClinical reads and types a clinical table whose first column (or "sample_id") holds unique
// sample ids. Survival pairs are columns <prefix>_time[_days|_months] with <prefix>_event or
// <prefix>_status. Errors name the file, line and column: duplicate sample ids, a negative or
// non-numeric survival time, an event that is not 0/1.
func ReadClinical(path string) (*Clinical, error) {
	header, rows, lines, err := readTable(path)
	if err != nil {
		return nil, err
	}
	idCol := 0
	for j, h := range header {
		if strings.EqualFold(h, "sample_id") || strings.EqualFold(h, "sample") {
			idCol = j
			break
		}
	}
	c := &Clinical{Path: path, PatientOf: map[string]string{}, index: map[string]int{}}
	for r, row := range rows {
		id := row[idCol]
		if id == "" {
			return nil, fmt.Errorf("%s:%d: column %q: empty sample id", path, lines[r], header[idCol])
		}
		if k, dup := c.index[id]; dup {
			return nil, fmt.Errorf("%s:%d: column %q: duplicate sample id %q (first at line %d)", path, lines[r], header[idCol], id, lines[k])
		}
		c.index[id] = r
		c.Samples = append(c.Samples, id)
	}
	used := map[int]bool{idCol: true}
	for j, h := range header {
		if j != idCol && (strings.EqualFold(h, "patient_id") || strings.EqualFold(h, "patient") || strings.EqualFold(h, "case_id")) {
			used[j] = true
			for _, row := range rows {
				c.PatientOf[row[idCol]] = row[j]
			}
		}
	}
	if err := c.findSurvival(header, rows, lines, used); err != nil {
		return nil, err
	}
	for j, h := range header {
		if used[j] {
			continue
		}
		col := make([]string, len(rows))
		for r, row := range rows {
			col[r] = row[j]
		}
		c.Vars = append(c.Vars, typeVariable(h, col))
	}
	return c, nil
}

func (c *Clinical) findSurvival(header []string, rows [][]string, lines []int, used map[int]bool) error {
	timeRe := regexp.MustCompile(`^(?i)(.+?)[_.]?(time|time_days|days|time_months|months|time_years)$`)
	for j, h := range header {
		m := timeRe.FindStringSubmatch(h)
		if m == nil || used[j] {
			continue
		}
		prefix := strings.TrimRight(m[1], "_.")
		ev := -1
		for k, h2 := range header {
			l := strings.ToLower(h2)
			p := strings.ToLower(prefix)
			if l == p+"_event" || l == p+"_status" || l == p+".event" || l == p+".status" {
				ev = k
			}
		}
		if ev < 0 {
			continue
		}
		name := survivalNames[strings.ToLower(prefix)]
		if name == "" {
			name = strings.ToLower(prefix) + "_survival"
		}
		s := &Survival{Name: name, TimeCol: h, EventCol: header[ev], Time: make([]float64, len(rows)), Event: make([]int, len(rows))}
		for r, row := range rows {
			s.Time[r], s.Event[r] = math.NaN(), -1
			tc, ec := row[j], row[ev]
			if missingTokens[tc] || missingTokens[ec] {
				continue
			}
			t, err := strconv.ParseFloat(tc, 64)
			if err != nil || math.IsNaN(t) || math.IsInf(t, 0) {
				return fmt.Errorf("%s:%d: column %q: survival time %q is not a number", c.Path, lines[r], h, tc)
			}
			if t < 0 {
				return fmt.Errorf("%s:%d: column %q: negative survival time %v", c.Path, lines[r], h, t)
			}
			e, err := strconv.Atoi(ec)
			if err != nil || (e != 0 && e != 1) {
				return fmt.Errorf("%s:%d: column %q: event %q is not 0 (censored) or 1 (event)", c.Path, lines[r], header[ev], ec)
			}
			s.Time[r], s.Event[r] = t, e
			if e == 1 {
				s.Events++
			} else {
				s.Censored++
			}
		}
		used[j], used[ev] = true, true
		c.Survivals = append(c.Survivals, s)
	}
	return nil
}

// typeVariable infers a column's type from its values.
func typeVariable(name string, col []string) *Variable {
	v := &Variable{Name: name, Str: col, Num: make([]float64, len(col))}
	distinct := map[string]bool{}
	numeric, roman, grade := true, true, true
	for i, s := range col {
		if missingTokens[s] {
			v.Missing++
			v.Str[i] = ""
			continue
		}
		distinct[s] = true
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			numeric = false
		}
		if !romanRe.MatchString(s) {
			roman = false
		}
		if !gradeRe.MatchString(s) {
			grade = false
		}
	}
	levels := make([]string, 0, len(distinct))
	for s := range distinct {
		levels = append(levels, s)
	}
	sort.Strings(levels)
	switch {
	case len(distinct) == 0:
		v.Type = Categorical
	case numeric && len(distinct) > 5:
		v.Type = Continuous
		for i, s := range col {
			v.Num[i] = parseOrNaN(s)
		}
		return v
	case numeric && len(distinct) > 2:
		v.Type = Ordinal
		sort.Slice(levels, func(a, b int) bool { return parseOrNaN(levels[a]) < parseOrNaN(levels[b]) })
	case (roman || grade) && len(distinct) > 1:
		v.Type = Ordinal
		sort.Slice(levels, func(a, b int) bool { return ordinalRank(levels[a]) < ordinalRank(levels[b]) })
	default:
		v.Type = Categorical
	}
	v.Levels = levels
	rank := map[string]float64{}
	for i, l := range levels {
		rank[l] = float64(i + 1)
	}
	for i, s := range v.Str {
		if s == "" {
			v.Num[i] = math.NaN()
		} else if v.Type == Ordinal {
			v.Num[i] = rank[s]
		} else {
			v.Num[i] = math.NaN()
		}
	}
	return v
}

func parseOrNaN(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// ordinalRank orders stage and grade labels: I < IIA < IIB < III < IV; G1 < G2.
func ordinalRank(s string) float64 {
	if m := gradeRe.FindStringSubmatch(s); m != nil {
		f, _ := strconv.ParseFloat(m[1], 64)
		return f
	}
	m := romanRe.FindStringSubmatch(s)
	if m == nil {
		return math.Inf(1)
	}
	r := map[string]float64{"I": 1, "II": 2, "III": 3, "IV": 4}[strings.ToUpper(m[2])]
	if m[3] != "" {
		r += float64(strings.ToUpper(m[3])[0]-'A'+1) / 10
	}
	return r
}
