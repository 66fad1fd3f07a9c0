package env

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
)

// The simulator's task suites. A task fixes the instruction and the objects; a trial seeds where
// they are. "pick_local" is pick with LIBERO-style layouts (a fixed arrangement per task, jittered
// per trial). Three suites mirror LIBERO's split by skill: "pick" (grasp, carry, place), "push"
// (push a puck into a goal) and "long" (two pick-and-place goals in one instruction, the
// LIBERO-Long analogue).

// subgoal asks object Obj (index into the scene's objects) to rest on zone Zone.
type subgoal struct {
	Obj, zone int
	// Grasp says the scripted demonstration grasps this object (so pushing it there is a pushcut).
	Grasp bool
}

// simTask is one task: its instruction, the scene's objects and zones, and the goals.
type simTask struct {
	Instruction string
	Blocks      []string // block colours; targets first
	Pucks       []string // puck colours; targets first
	Plates      []string // plate colours
	GoalSide    []string // "left" or "right" rectangle goals
	Goals       []subgoal
}

// simSuite is a named list of tasks with its step cap.
type simSuite struct {
	Name     string
	MaxSteps int
	Tasks    []simTask
	// Jitter > 0 makes LIBERO-style layouts: each task has one base arrangement (drawn like trial
	// 0 of a free layout) and a trial moves every object, zone and the gripper start by a uniform
	// offset in [−Jitter, Jitter] per axis.
	Jitter float64
}

// Simulator action and observation conventions (every suite).
const (
	// SimActionDim is D: dx, dy, dz, gripper.
	SimActionDim = 4
	// SimChunkLen is K, the default action chunk length.
	SimChunkLen = 8
	// SimProprioDim is the proprioception length: gripper x, y, z, gripper state.
	SimProprioDim = 4
	// SimTrialsPerTask is the conventional trials per task (trial ids are unbounded).
	SimTrialsPerTask = 50
	// DefaultResolution is the default observation image side in pixels.
	DefaultResolution = 64
)

var colours = []string{"red", "green", "blue", "yellow", "purple", "orange"}

var simSuites = buildSuites()

func buildSuites() map[string]*simSuite {
	pick := &simSuite{Name: "pick", MaxSteps: 160}
	pairs := [][2]string{{"red", "blue"}, {"green", "yellow"}, {"blue", "red"}, {"yellow", "green"},
		{"red", "green"}, {"green", "blue"}, {"blue", "yellow"}, {"yellow", "red"}, {"red", "yellow"}, {"green", "red"}}
	for i, p := range pairs {
		pick.Tasks = append(pick.Tasks, simTask{
			Instruction: fmt.Sprintf("put the %s block on the %s plate", p[0], p[1]),
			Blocks:      []string{p[0], other(i, p[0])},
			Plates:      []string{p[1], other(i+1, p[1])},
			Goals:       []subgoal{{Obj: 0, zone: 0, Grasp: true}},
		})
	}
	push := &simSuite{Name: "push", MaxSteps: 160}
	for _, side := range []string{"left", "right"} {
		for i, c := range colours[:4] {
			push.Tasks = append(push.Tasks, simTask{
				Instruction: fmt.Sprintf("push the %s puck into the %s goal", c, side),
				Pucks:       []string{c, other(i+2, c)},
				GoalSide:    []string{side},
				Goals:       []subgoal{{Obj: 0, zone: 0}},
			})
		}
	}
	long := &simSuite{Name: "long", MaxSteps: 320}
	quads := [][4]string{{"red", "blue", "green", "yellow"}, {"blue", "red", "yellow", "green"},
		{"green", "yellow", "red", "blue"}, {"yellow", "green", "blue", "red"}, {"red", "yellow", "blue", "green"},
		{"green", "blue", "yellow", "red"}, {"blue", "green", "red", "yellow"}, {"yellow", "red", "green", "blue"},
		{"red", "green", "yellow", "blue"}, {"blue", "yellow", "green", "red"}}
	for i, q := range quads {
		long.Tasks = append(long.Tasks, simTask{
			Instruction: fmt.Sprintf("put the %s block on the %s plate, then the %s block on the %s plate", q[0], q[1], q[2], q[3]),
			Blocks:      []string{q[0], q[2], otherThan(i, q[0], q[2])},
			Plates:      []string{q[1], q[3]},
			Goals:       []subgoal{{Obj: 0, zone: 0, Grasp: true}, {Obj: 1, zone: 1, Grasp: true}},
		})
	}
	local := &simSuite{Name: "pick_local", MaxSteps: 160, Tasks: pick.Tasks, Jitter: 0.03}
	return map[string]*simSuite{"pick": pick, "push": push, "long": long, "pick_local": local}
}

// other picks a distractor colour different from c, varied by i.
func other(i int, c string) string { return otherThan(i, c) }

func otherThan(i int, not ...string) string {
	var free []string
	for _, c := range colours {
		if !contains(not, c) {
			free = append(free, c)
		}
	}
	return free[i%len(free)]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// SimSuiteNames lists the simulator's suites in sorted order.
func SimSuiteNames() []string {
	names := make([]string, 0, len(simSuites))
	for n := range simSuites {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// lookupTask resolves (suite, task) or says which suites or tasks exist.
func lookupTask(suite string, task int) (*simSuite, *simTask, error) {
	s, ok := simSuites[suite]
	if !ok {
		return nil, nil, fmt.Errorf("env: unknown suite %q; known: %s", suite, strings.Join(SimSuiteNames(), ", "))
	}
	if task < 0 || task >= len(s.Tasks) {
		var b strings.Builder
		for i, t := range s.Tasks {
			fmt.Fprintf(&b, "\n  %d: %s", i, t.Instruction)
		}
		return nil, nil, fmt.Errorf("env: suite %q has no task %d; tasks 0..%d:%s", suite, task, len(s.Tasks)-1, b.String())
	}
	return s, &s.Tasks[task], nil
}

// layout builds the initial world of (suite, task, trial): positions drawn from a PCG stream
// seeded by the suite, task and trial, with rejection of overlaps (up to a fixed number of tries,
// after which the last draw is kept and the feasibility screen rejects the trial).
func layout(suite string, task *simTask, taskID, trial int) *world {
	s := simSuites[suite]
	if s == nil || s.Jitter <= 0 {
		return freeLayout(suite, task, taskID, trial)
	}
	w := freeLayout(suite, task, taskID, 0)
	for base := 1; base < 64; base++ { // the base is the first free layout that passes the screen
		if ok, _ := task.feasible(w); ok {
			break
		}
		w = freeLayout(suite, task, taskID, base)
	}
	h := fnv.New64a()
	h.Write([]byte(suite + "/jitter"))
	rng := rand.New(rand.NewPCG(h.Sum64()+uint64(taskID), uint64(trial)))
	j := func(v, lim float64) float64 { return clamp(v+uniform(rng, s.Jitter), -lim, lim) }
	w.GX, w.GY = j(w.GX, 0.9), j(w.GY, 0.9)
	for i := range w.Zones {
		if !w.Zones[i].Goal {
			w.Zones[i].X, w.Zones[i].Y = j(w.Zones[i].X, 0.8), j(w.Zones[i].Y, 0.8)
		}
	}
	for i := range w.Objects {
		o := &w.Objects[i]
		o.X, o.Y = j(o.X, 1-o.radius()), j(o.Y, 1-o.radius())
	}
	return w
}

// freeLayout draws every position afresh from the trial's stream.
func freeLayout(suite string, task *simTask, taskID, trial int) *world {
	h := fnv.New64a()
	h.Write([]byte(suite))
	rng := rand.New(rand.NewPCG(h.Sum64()+uint64(taskID)*0x9E3779B97F4A7C15, uint64(trial)))
	w := &world{Held: -1, GZ: startZ}
	w.GX, w.GY = uniform(rng, 0.3), uniform(rng, 0.3)
	for _, side := range task.GoalSide {
		x := -0.85
		if side == "right" {
			x = 0.85
		}
		w.Zones = append(w.Zones, zone{Colour: "goal", Goal: true, X: x, Y: 0, HW: 0.15, HH: 0.3})
	}
	for _, c := range task.Plates {
		x, y := place(rng, 0.7, func(x, y float64) bool {
			for _, z := range w.Zones {
				if !z.Goal && math.Hypot(x-z.X, y-z.Y) < 2*plateRadius+0.1 {
					return false
				}
			}
			return true
		})
		w.Zones = append(w.Zones, zone{Colour: c, X: x, Y: y})
	}
	add := func(c string, k kind, span float64) {
		o := object{Colour: c, kind: k}
		o.X, o.Y = place(rng, span, func(x, y float64) bool {
			for _, p := range w.Objects {
				if math.Hypot(x-p.X, y-p.Y) < p.radius()+o.radius()+0.1 {
					return false
				}
			}
			for _, z := range w.Zones {
				if z.contains(x, y) || (!z.Goal && math.Hypot(x-z.X, y-z.Y) < plateRadius+o.radius()) {
					return false
				}
			}
			return true
		})
		w.Objects = append(w.Objects, o)
	}
	for _, c := range task.Blocks {
		add(c, block, 0.8)
	}
	for _, c := range task.Pucks {
		add(c, puck, 0.7)
	}
	return w
}

func uniform(rng *rand.Rand, span float64) float64 { return (2*rng.Float64() - 1) * span }

// place draws (x, y) in [−span, span]² until ok accepts it (32 tries, then the last draw).
func place(rng *rand.Rand, span float64, ok func(x, y float64) bool) (float64, float64) {
	var x, y float64
	for try := 0; try < 32; try++ {
		x, y = uniform(rng, span), uniform(rng, span)
		if ok(x, y) {
			break
		}
	}
	return x, y
}

// success reports whether every goal of the task holds in w.
func (t *simTask) success(w *world) bool {
	for _, g := range t.Goals {
		if !w.onZone(g.Obj, g.zone) {
			return false
		}
	}
	return true
}

// pushcut reports whether a goal object the demonstration grasps reached its zone without being grasped.
func (t *simTask) pushcut(w *world) bool {
	for _, g := range t.Goals {
		if g.Grasp && !w.Objects[g.Obj].Grasped {
			return true
		}
	}
	return false
}

// feasible is the seed screen (RoboTwin keeps lists of solvable seeds): a layout is kept when its
// objects do not overlap, no goal already holds, each goal plate is clear of other objects, and each
// pushed object has room behind it and a clear corridor to its goal.
func (t *simTask) feasible(w *world) (bool, string) {
	for i := range w.Objects {
		a := &w.Objects[i]
		for j := i + 1; j < len(w.Objects); j++ {
			b := &w.Objects[j]
			if math.Hypot(a.X-b.X, a.Y-b.Y) < a.radius()+b.radius()+0.02 {
				return false, fmt.Sprintf("the %s and %s objects overlap", a.Colour, b.Colour)
			}
		}
	}
	for _, g := range t.Goals {
		o, z := &w.Objects[g.Obj], &w.Zones[g.zone]
		if z.contains(o.X, o.Y) {
			return false, fmt.Sprintf("the %s object starts on its target", o.Colour)
		}
		for i := range w.Objects {
			p := &w.Objects[i]
			if i != g.Obj && !z.Goal && math.Hypot(p.X-z.X, p.Y-z.Y) < plateRadius+p.radius() {
				return false, fmt.Sprintf("the %s object blocks the %s plate", p.Colour, z.Colour)
			}
		}
		if o.kind != puck {
			continue
		}
		ux, uy, _ := pushDir(o, z)
		bx, by := o.X-ux*(gripRadius+o.radius()+0.04), o.Y-uy*(gripRadius+o.radius()+0.04)
		if math.Abs(bx) > 0.97 || math.Abs(by) > 0.97 {
			return false, fmt.Sprintf("no room behind the %s puck", o.Colour)
		}
		for i := range w.Objects {
			p := &w.Objects[i]
			if i != g.Obj && segDist(p.X, p.Y, bx, by, z.X, z.Y) < p.radius()+o.radius()+0.03 {
				return false, fmt.Sprintf("the %s object blocks the path of the %s puck", p.Colour, o.Colour)
			}
		}
	}
	return true, ""
}

// pushDir is the unit direction from object o to the centre of zone z, and the distance.
func pushDir(o *object, z *zone) (ux, uy, d float64) {
	dx, dy := z.X-o.X, z.Y-o.Y
	d = math.Hypot(dx, dy)
	if d < 1e-9 {
		return 1, 0, 0
	}
	return dx / d, dy / d, d
}

// segDist is the distance from point p to the segment a–b.
func segDist(px, py, ax, ay, bx, by float64) float64 {
	vx, vy := bx-ax, by-ay
	l2 := vx*vx + vy*vy
	s := 0.0
	if l2 > 0 {
		s = clamp(((px-ax)*vx+(py-ay)*vy)/l2, 0, 1)
	}
	return math.Hypot(px-ax-s*vx, py-ay-s*vy)
}

// Feasible runs the seed screen on (suite, task, trial) and says why a layout is rejected.
func Feasible(suite string, task, trial int) (bool, string, error) {
	_, t, err := lookupTask(suite, task)
	if err != nil {
		return false, "", err
	}
	ok, why := t.feasible(layout(suite, t, task, trial))
	return ok, why, nil
}

// FeasibleTrials returns the trials in [from, to) that pass the seed screen for (suite, task).
func FeasibleTrials(suite string, task, from, to int) ([]int, error) {
	_, t, err := lookupTask(suite, task)
	if err != nil {
		return nil, err
	}
	var out []int
	for tr := from; tr < to; tr++ {
		if ok, _ := t.feasible(layout(suite, t, task, tr)); ok {
			out = append(out, tr)
		}
	}
	return out, nil
}
