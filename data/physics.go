package data

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// PhysicsDataSource is the data_source of physics examples: the reward registry's "physics"
// reward (the mean of per-sub-answer correctness, answer.GradePhysics) reads GroundTruth.
const PhysicsDataSource = "physics"

// PhysicsConfig is the difficulty of the physics task: short problems with several answers, each
// a number with a unit written after its \boxed{} (P1's output format, in the tiny model's
// alphabet: units are plain letters such as m/s, m/s/s, N*m, ohm).
type PhysicsConfig struct {
	// Parts is how many answers each problem asks for (1..3).
	Parts int `json:"parts"`
	// MaxValue bounds the given quantities (3..50).
	MaxValue int `json:"max_value"`
	// Kinds is the set of problem kinds, a non-empty subset of kinematics, circuit, energy, optics.
	Kinds []string `json:"kinds"`
}

var physicsKinds = map[string]func(r *rng, max int) physicsProblem{
	"kinematics": kinematics, "circuit": circuit, "energy": energy, "optics": optics,
}

// physicsLevels are the difficulty presets 1..4.
var physicsLevels = []PhysicsConfig{
	{Parts: 1, MaxValue: 5, Kinds: []string{"kinematics", "circuit", "energy"}},
	{Parts: 2, MaxValue: 9, Kinds: []string{"kinematics", "circuit", "energy"}},
	{Parts: 2, MaxValue: 20, Kinds: []string{"kinematics", "circuit", "energy", "optics"}},
	{Parts: 3, MaxValue: 30, Kinds: []string{"kinematics", "circuit", "energy", "optics"}},
}

// Validate returns an error naming the first out-of-range field.
func (c PhysicsConfig) Validate() error {
	switch {
	case c.Parts < 1 || c.Parts > 3:
		return fmt.Errorf("data: physics config: parts = %d, want 1..3", c.Parts)
	case c.MaxValue < 3 || c.MaxValue > 50:
		return fmt.Errorf("data: physics config: max_value = %d, want 3..50", c.MaxValue)
	case len(c.Kinds) == 0:
		return fmt.Errorf("data: physics config: kinds is empty; known: circuit, energy, kinematics, optics")
	}
	for _, k := range c.Kinds {
		if physicsKinds[k] == nil {
			return fmt.Errorf("data: physics config: kind %q; known: circuit, energy, kinematics, optics", k)
		}
	}
	return nil
}

// physicsAnswer is one required answer: its name, value, unit and the arithmetic that gives it
// (the formula with the givens substituted, e.g. "2+4*3" for v = v0 + a·t).
type physicsAnswer struct {
	name, value, unit, calc string
}

// physicsGiven is one given quantity: its name, value and unit.
type physicsGiven struct {
	name  string
	value int
	unit  string
}

// physicsProblem is one generated problem before it is cut to Parts answers.
type physicsProblem struct {
	kind    string
	givens  []physicsGiven
	extra   string          // a fixed condition the long prompt states ("in series", "from rest")
	answers []physicsAnswer // always 3, in the order asked
}

// long is the givens with their units, as the chat prompt states them ("v0=2 m/s, a=4 m/s/s").
func (p physicsProblem) long() string {
	parts := make([]string, len(p.givens))
	for i, g := range p.givens {
		parts[i] = g.name + "=" + itoa(g.value) + " " + g.unit
	}
	s := strings.Join(parts, ", ")
	if p.extra != "" {
		s += " " + p.extra
	}
	return s
}

// short is the givens without units, as the compact prompt states them ("v0=2 a=4 t=3"): every
// kind has one unit system, which the worked demonstrations teach.
func (p physicsProblem) short() string {
	parts := make([]string, len(p.givens))
	for i, g := range p.givens {
		parts[i] = g.name + "=" + itoa(g.value)
	}
	return strings.Join(parts, " ")
}

// Physics is the multi-part physics task. Each problem has two prompts: the chat prompt
// "kinematics: v0=2 m/s, a=4 m/s/s, t=3 s. find v in m/s, x in m. Put each answer in its own
// \boxed{}, …" for chat models, and the compact PromptText "kinematics v0=2 a=4 t=3: v x" (≤ 38
// characters at every level, ≤ 30 at level 2) for the tiny character-level model, whose context is
// short. The
// demonstration works each answer out with its arithmetic, boxes it and writes the unit after the
// box (P1's format), one operation at a time: "v=2+4*3=2+12=14 \boxed{14} m/s\nx=(2+14)*3/2=16*3/2=48/2=24
// \boxed{24} m". Ground truth
// [{"answer": "14", "unit": "m/s", "type": "Numerical Value"}, …].
type Physics struct {
	cfg PhysicsConfig
}

// NewPhysics validates cfg.
func NewPhysics(cfg PhysicsConfig) (*Physics, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Physics{cfg: cfg}, nil
}

// Config returns the task's difficulty config.
func (p *Physics) Config() PhysicsConfig { return p.cfg }

// Name returns "physics".
func (p *Physics) Name() string { return "physics" }

// DataSource returns PhysicsDataSource.
func (p *Physics) DataSource() string { return PhysicsDataSource }

// Generate returns the i-th physics problem of split from seed.
func (p *Physics) Generate(seed uint64, split Split, i int) (Example, error) {
	if err := split.validate(); err != nil {
		return Example{}, err
	}
	if i < 0 {
		return Example{}, fmt.Errorf("data: physics: negative index %d", i)
	}
	for attempt := 0; attempt < maxSplitAttempts; attempt++ {
		r := newRNG(seed, splitID(split), uint64(i), uint64(attempt), 0x9f)
		kind := p.cfg.Kinds[r.intn(len(p.cfg.Kinds))]
		pr := physicsKinds[kind](r, p.cfg.MaxValue)
		if SplitOf(pr.kind+":"+pr.long()) != split {
			continue
		}
		return p.example(pr, seed, split, i)
	}
	return Example{}, fmt.Errorf("data: physics: no %s problem for index %d after %d attempts", split, i, maxSplitAttempts)
}

// example cuts a problem to Parts answers and formats it; its demonstration works each answer out
// one operation at a time (workedCalc).
func (p *Physics) example(pr physicsProblem, seed uint64, split Split, i int) (Example, error) {
	ans := pr.answers[:p.cfg.Parts]
	asks := make([]string, len(ans))
	names := make([]string, len(ans))
	steps := make([]string, len(ans))
	golds := make([]map[string]string, len(ans))
	for k, a := range ans {
		worked, err := workedCalc(a.calc)
		if err != nil {
			return Example{}, fmt.Errorf("data: physics %s %s: %w", pr.kind, pr.long(), err)
		}
		if !strings.HasSuffix(worked, "="+a.value) {
			return Example{}, fmt.Errorf("data: physics %s %s: %s works out to %s, want %s", pr.kind, pr.long(), a.name, worked, a.value)
		}
		asks[k], names[k], steps[k] = a.name, a.name, a.name+"="+worked+" \\boxed{"+a.value+"}"
		if a.unit != "" {
			asks[k] += " in " + a.unit
			steps[k] += " " + a.unit
		}
		golds[k] = map[string]string{"answer": a.value, "unit": a.unit, "type": "Numerical Value"}
	}
	prompt := pr.kind + ": " + pr.long() + ". find " + strings.Join(asks, ", ") + "."
	truth, _ := json.Marshal(golds)
	return Example{
		ID:            exampleID("physics", split, seed, i),
		Prompt:        []Message{{Role: "user", Content: prompt + " Put each answer in its own \\boxed{}, in order, with its unit after the box."}},
		PromptText:    pr.kind + " " + pr.short() + ": " + strings.Join(names, " ") + "\n",
		GroundTruth:   string(truth),
		DataSource:    PhysicsDataSource,
		Demonstration: strings.Join(steps, "\n"),
		ExtraInfo:     map[string]any{"split": string(split), "index": i, "seed": seed, "task": "physics", "kind": pr.kind, "parts": len(ans)},
	}, nil
}

func itoa(v int) string { return strconv.Itoa(v) }

// kinematics: uniform acceleration from v0 (a even so that every answer is an integer).
func kinematics(r *rng, max int) physicsProblem {
	v0, a, t := r.between(0, max), 2*r.between(1, max/2+1), r.between(1, max)
	v, x := v0+a*t, v0*t+a*t*t/2
	return physicsProblem{kind: "kinematics",
		givens: []physicsGiven{{"v0", v0, "m/s"}, {"a", a, "m/s/s"}, {"t", t, "s"}},
		answers: []physicsAnswer{
			{"v", itoa(v), "m/s", fmt.Sprintf("%d+%d*%d", v0, a, t)},   // v = v0 + a·t
			{"x", itoa(x), "m", fmt.Sprintf("(%d+%d)*%d/2", v0, v, t)}, // x = (v0 + v)·t/2
			{"vavg", itoa(x / t), "m/s", fmt.Sprintf("%d/%d", x, t)},   // vavg = x/t
		}}
}

// circuit: two resistors in series across a source (u chosen so that the current is an integer).
func circuit(r *rng, max int) physicsProblem {
	r1, r2, i := r.between(1, max), r.between(1, max), r.between(1, max/3+1)
	rs := r1 + r2
	u := i * rs
	return physicsProblem{kind: "circuit",
		givens: []physicsGiven{{"u", u, "volt"}, {"r1", r1, "ohm"}, {"r2", r2, "ohm"}}, extra: "in series",
		answers: []physicsAnswer{
			{"i", itoa(i), "A", fmt.Sprintf("%d/(%d+%d)", u, r1, r2)}, // i = u/(r1+r2)
			{"u1", itoa(i * r1), "volt", fmt.Sprintf("%d*%d", i, r1)}, // u1 = i·r1
			{"p", itoa(u * i), "W", fmt.Sprintf("%d*%d", u, i)},       // p = u·i
		}}
}

// energy: a mass dropped from rest from h = 5k*k m with g = 10 m/s/s (so v = 10k m/s).
func energy(r *rng, max int) physicsProblem {
	m, k := r.between(1, max), r.between(1, 1+max/3)
	h, v := 5*k*k, 10*k
	return physicsProblem{kind: "energy",
		givens: []physicsGiven{{"m", m, "kg"}, {"h", h, "m"}}, extra: "falls from rest, g=10 m/s/s",
		answers: []physicsAnswer{
			{"e", itoa(m * 10 * h), "N*m", fmt.Sprintf("%d*10*%d", m, h)}, // e = m·g·h
			{"v", itoa(v), "m/s", fmt.Sprintf("(20*%d)**(1/2)", h)},       // v = √(2gh)
			{"q", itoa(m * v), "N*s", fmt.Sprintf("%d*%d", m, v)},         // q = m·v
		}}
}

// optics: a thin converging lens, object at d = f + c with c dividing f (integer image distance
// and magnification).
func optics(r *rng, max int) physicsProblem {
	f := r.between(2, max)
	var divs []int
	for c := 1; c <= f; c++ {
		if f%c == 0 {
			divs = append(divs, c)
		}
	}
	c := divs[r.intn(len(divs))]
	d, ho := f+c, r.between(1, max/5+1)
	i, mag := f+f*f/c, f/c
	return physicsProblem{kind: "optics",
		givens: []physicsGiven{{"f", f, "cm"}, {"d", d, "cm"}, {"y", ho, "cm"}}, extra: "(thin lens, object height y)",
		answers: []physicsAnswer{
			{"di", itoa(i), "cm", fmt.Sprintf("%d*%d/(%d-%d)", f, d, d, f)}, // 1/di = 1/f − 1/d
			{"yi", itoa(mag * ho), "cm", fmt.Sprintf("%d*%d/%d", ho, i, d)}, // yi = y·di/d
			{"mag", itoa(mag), "", fmt.Sprintf("%d/%d", i, d)},              // mag = di/d
		}}
}

func init() {
	RegisterTask(TaskInfo{
		Name:        "physics",
		DataSource:  PhysicsDataSource,
		Description: `multi-part physics with units: "kinematics v0=2 a=4 t=3: v" -> "v=2+4*3=2+12=14 \boxed{14} m/s"`,
		Levels:      len(physicsLevels),
		New: func(level int, overrides map[string]any) (Task, error) {
			if level < 1 || level > len(physicsLevels) {
				return nil, fmt.Errorf("data: physics: level %d out of range [1, %d]", level, len(physicsLevels))
			}
			cfg := physicsLevels[level-1]
			cfg.Kinds = append([]string(nil), cfg.Kinds...)
			if err := applyOverrides("physics", &cfg, overrides); err != nil {
				return nil, err
			}
			return NewPhysics(cfg)
		},
	})
}
