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

// physicsAnswer is one required answer: its name, value, unit and the worked step that gives it.
type physicsAnswer struct {
	name, value, unit, step string
}

// physicsProblem is one generated problem before it is cut to Parts answers.
type physicsProblem struct {
	kind, givens string
	answers      []physicsAnswer // always 3, in the order asked
}

// Physics is the multi-part physics task. Prompt "kinematics: v0=2 m/s, a=4 m/s/s, t=3 s. find v in
// m/s, x in m.", demonstration "v=v0+a*t=2+4*3=14 \boxed{14} m/s\nx=…=24 \boxed{24} m", ground
// truth [{"answer": "14", "unit": "m/s", "type": "Numerical Value"}, …].
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
		if SplitOf(pr.kind+":"+pr.givens) != split {
			continue
		}
		return p.example(pr, seed, split, i), nil
	}
	return Example{}, fmt.Errorf("data: physics: no %s problem for index %d after %d attempts", split, i, maxSplitAttempts)
}

// example cuts a problem to Parts answers and formats it.
func (p *Physics) example(pr physicsProblem, seed uint64, split Split, i int) Example {
	ans := pr.answers[:p.cfg.Parts]
	asks := make([]string, len(ans))
	steps := make([]string, len(ans))
	golds := make([]map[string]string, len(ans))
	for k, a := range ans {
		asks[k], steps[k] = a.name, a.step+" \\boxed{"+a.value+"}"
		if a.unit != "" {
			asks[k] += " in " + a.unit
			steps[k] += " " + a.unit
		}
		golds[k] = map[string]string{"answer": a.value, "unit": a.unit, "type": "Numerical Value"}
	}
	prompt := pr.kind + ": " + pr.givens + ". find " + strings.Join(asks, ", ") + "."
	truth, _ := json.Marshal(golds)
	return Example{
		ID:            exampleID("physics", split, seed, i),
		Prompt:        []Message{{Role: "user", Content: prompt + " Put each answer in its own \\boxed{}, in order, with its unit after the box."}},
		PromptText:    prompt + "\n",
		GroundTruth:   string(truth),
		DataSource:    PhysicsDataSource,
		Demonstration: strings.Join(steps, "\n"),
		ExtraInfo:     map[string]any{"split": string(split), "index": i, "seed": seed, "task": "physics", "kind": pr.kind, "parts": len(ans)},
	}
}

func itoa(v int) string { return strconv.Itoa(v) }

// kinematics: uniform acceleration from v0 (a even so that every answer is an integer).
func kinematics(r *rng, max int) physicsProblem {
	v0, a, t := r.between(0, max), 2*r.between(1, max/2+1), r.between(1, max)
	v, x := v0+a*t, v0*t+a*t*t/2
	return physicsProblem{kind: "kinematics",
		givens: fmt.Sprintf("v0=%d m/s, a=%d m/s/s, t=%d s", v0, a, t),
		answers: []physicsAnswer{
			{"v", itoa(v), "m/s", fmt.Sprintf("v=v0+a*t=%d+%d*%d=%d", v0, a, t, v)},
			{"x", itoa(x), "m", fmt.Sprintf("x=v0*t+a*t*t/2=%d*%d+%d*%d*%d/2=%d", v0, t, a, t, t, x)},
			{"vavg", itoa(x / t), "m/s", fmt.Sprintf("vavg=x/t=%d/%d=%d", x, t, x/t)},
		}}
}

// circuit: two resistors in series across a source (u chosen so that the current is an integer).
func circuit(r *rng, max int) physicsProblem {
	r1, r2, i := r.between(1, max), r.between(1, max), r.between(1, max/3+1)
	rs := r1 + r2
	u := i * rs
	return physicsProblem{kind: "circuit",
		givens: fmt.Sprintf("u=%d volt, r1=%d ohm, r2=%d ohm in series", u, r1, r2),
		answers: []physicsAnswer{
			{"i", itoa(i), "A", fmt.Sprintf("i=u/(r1+r2)=%d/%d=%d", u, rs, i)},
			{"u1", itoa(i * r1), "volt", fmt.Sprintf("u1=i*r1=%d*%d=%d", i, r1, i*r1)},
			{"p", itoa(u * i), "W", fmt.Sprintf("p=u*i=%d*%d=%d", u, i, u*i)},
		}}
}

// energy: a mass dropped from rest from h = 5k*k m with g = 10 m/s/s (so v = 10k m/s).
func energy(r *rng, max int) physicsProblem {
	m, k := r.between(1, max), r.between(1, 1+max/10)
	h, v := 5*k*k, 10*k
	return physicsProblem{kind: "energy",
		givens: fmt.Sprintf("m=%d kg falls from rest through h=%d m, g=10 m/s/s", m, h),
		answers: []physicsAnswer{
			{"e", itoa(m * 10 * h), "N*m", fmt.Sprintf("e=m*g*h=%d*10*%d=%d", m, h, m*10*h)},
			{"v", itoa(v), "m/s", fmt.Sprintf("v=(2*g*h)**(1/2)=(2*10*%d)**(1/2)=%d", h, v)},
			{"q", itoa(m * v), "N*s", fmt.Sprintf("q=m*v=%d*%d=%d", m, v, m*v)},
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
		givens: fmt.Sprintf("lens f=%d cm, object d=%d cm, height y=%d cm", f, d, ho),
		answers: []physicsAnswer{
			{"di", itoa(i), "cm", fmt.Sprintf("1/di=1/f-1/d so di=f*d/(d-f)=%d*%d/%d=%d", f, d, c, i)},
			{"yi", itoa(mag * ho), "cm", fmt.Sprintf("yi=y*di/d=%d*%d/%d=%d", ho, i, d, mag*ho)},
			{"mag", itoa(mag), "", fmt.Sprintf("mag=di/d=%d/%d=%d", i, d, mag)},
		}}
}

func init() {
	RegisterTask(TaskInfo{
		Name:        "physics",
		DataSource:  PhysicsDataSource,
		Description: `multi-part physics with units: "kinematics: v0=2 m/s, a=4 m/s/s, t=3 s. find v in m/s." -> "v=v0+a*t=2+4*3=14 \boxed{14} m/s"`,
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
