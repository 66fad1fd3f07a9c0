package env

import "math"

// The simulator's world: a square table [−1, 1]² seen from above, a point gripper with a height and
// a binary gripper, coloured objects (blocks can be grasped and pushed, pucks only pushed) and flat
// target zones (plates, goals) that nothing collides with. Kinematics are 2.5-D: the gripper moves
// by the commanded delta (clamped speed); closing it low over a block attaches the block; opening
// drops it; a gripper low enough to touch an object pushes it out of the way along the contact
// normal; objects push each other apart. Both grasp-carry-place and push-to-target are possible.

// Physical constants of the simulator (table units; the table is 2 × 2).
const (
	gripRadius  = 0.05 // gripper footprint radius for pushing
	blockRadius = 0.07 // block half-size (collides as a disc)
	puckRadius  = 0.07 // puck radius
	blockHeight = 0.15 // a gripper below this height touches a block
	puckHeight  = 0.06 // a gripper below this height touches a puck
	plateRadius = 0.17 // plate radius; an object is on it when its centre is within plateInside
	plateInside = 0.13
	graspZ      = 0.10 // the gripper can grasp when at or below this height
	graspTol    = 0.05 // and within this xy distance of a block's centre
	maxXY       = 0.08 // xy travel per step at |action| = 1
	maxZ        = 0.15 // z travel per step at |action| = 1
	startZ      = 0.6  // gripper height at reset
)

// kind is an object kind.
type kind int

const (
	// block is a cube that can be grasped, carried and pushed.
	block kind = iota
	// puck is a flat disc that can only be pushed.
	puck
)

// object is one movable object on the table.
type object struct {
	Colour string
	kind   kind // block or puck
	X, Y   float64
	Z      float64 // 0 on the table; the gripper height while held
	// Grasped is set once the object has been attached to the gripper this episode.
	Grasped bool
	// Pushed accumulates the distance the object moved by contact (gripper or other objects).
	Pushed float64
}

func (o *object) radius() float64 {
	if o.kind == puck {
		return puckRadius
	}
	return blockRadius
}

func (o *object) height() float64 {
	if o.kind == puck {
		return puckHeight
	}
	return blockHeight
}

// zone is a flat target region: a plate (disc) or a goal (axis-aligned rectangle).
type zone struct {
	Colour string
	Goal   bool    // rectangle goal rather than a plate
	X, Y   float64 // centre
	HW, HH float64 // goal half-width and half-height
}

// contains reports whether an object centred at (x, y) is on the zone.
func (z *zone) contains(x, y float64) bool {
	if z.Goal {
		return math.Abs(x-z.X) <= z.HW && math.Abs(y-z.Y) <= z.HH
	}
	return math.Hypot(x-z.X, y-z.Y) <= plateInside
}

// world is the full simulator state; it is a plain value apart from its slices (see clone).
type world struct {
	GX, GY, GZ float64 // gripper position
	Closed     bool    // gripper closed
	Held       int     // index of the held object, −1 when none
	Objects    []object
	Zones      []zone
}

func (w *world) clone() *world {
	c := *w
	c.Objects = append([]object(nil), w.Objects...)
	c.Zones = append([]zone(nil), w.Zones...)
	return &c
}

// onZone reports whether object o rests (not held) with its centre on zone z.
func (w *world) onZone(o, z int) bool {
	ob := &w.Objects[o]
	return w.Held != o && ob.Z == 0 && w.Zones[z].contains(ob.X, ob.Y)
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// step applies one low-level action a = (dx, dy, dz, grip) in [−1, 1] (values are clamped).
func (w *world) step(a []float32) {
	dx := clamp(float64(a[0]), -1, 1) * maxXY
	dy := clamp(float64(a[1]), -1, 1) * maxXY
	dz := clamp(float64(a[2]), -1, 1) * maxZ
	px, py, pz := w.GX, w.GY, w.GZ
	w.GX = clamp(w.GX+dx, -1, 1)
	w.GY = clamp(w.GY+dy, -1, 1)
	w.GZ = clamp(w.GZ+dz, 0, 1)
	if w.Held >= 0 {
		h := &w.Objects[w.Held]
		h.X, h.Y, h.Z = w.GX, w.GY, w.GZ
	}
	w.pushObjects(px, py, pz)
	closed := a[3] >= 0
	switch {
	case closed && !w.Closed:
		w.grasp()
	case !closed && w.Closed && w.Held >= 0:
		h := &w.Objects[w.Held]
		h.Z = 0
		w.Held = -1
		w.separate()
	}
	w.Closed = closed
}

// grasp attaches the nearest block under a low gripper.
func (w *world) grasp() {
	if w.GZ > graspZ {
		return
	}
	best, bestD := -1, graspTol
	for i := range w.Objects {
		o := &w.Objects[i]
		if o.kind != block || o.Z != 0 {
			continue
		}
		if d := math.Hypot(o.X-w.GX, o.Y-w.GY); d <= bestD {
			best, bestD = i, d
		}
	}
	if best >= 0 {
		o := &w.Objects[best]
		w.Held = best
		o.Grasped = true
		o.X, o.Y, o.Z = w.GX, w.GY, w.GZ
	}
}

// pushObjects resolves contact between the gripper (which moved from (px, py, pz)) and the resting
// objects, then between objects. A block the open fingers came down over, or already straddled,
// sits between them and is not pushed.
func (w *world) pushObjects(px, py, pz float64) {
	for i := range w.Objects {
		o := &w.Objects[i]
		if i == w.Held || o.Z != 0 || w.GZ >= o.height() {
			continue
		}
		ddx, ddy := o.X-w.GX, o.Y-w.GY
		d := math.Hypot(ddx, ddy)
		if d < graspTol && o.kind == block && (pz >= o.height() || math.Hypot(o.X-px, o.Y-py) < graspTol) {
			continue // the block sits between the fingers
		}
		min := gripRadius + o.radius()
		if d >= min {
			continue
		}
		if d < 1e-9 {
			ddx, ddy, d = 1, 0, 1
		}
		move := min - d
		w.moveObject(o, ddx/d*move, ddy/d*move)
	}
	w.separate()
}

// separate pushes overlapping resting objects apart (a few relaxation passes) and keeps them on the table.
func (w *world) separate() {
	for pass := 0; pass < 3; pass++ {
		moved := false
		for i := range w.Objects {
			a := &w.Objects[i]
			if i == w.Held || a.Z != 0 {
				continue
			}
			for j := i + 1; j < len(w.Objects); j++ {
				b := &w.Objects[j]
				if j == w.Held || b.Z != 0 {
					continue
				}
				ddx, ddy := b.X-a.X, b.Y-a.Y
				d := math.Hypot(ddx, ddy)
				min := a.radius() + b.radius()
				if d >= min {
					continue
				}
				if d < 1e-9 {
					ddx, ddy, d = 0, 1, 1
				}
				half := (min - d) / 2
				w.moveObject(a, -ddx/d*half, -ddy/d*half)
				w.moveObject(b, ddx/d*half, ddy/d*half)
				moved = true
			}
		}
		if !moved {
			return
		}
	}
}

// moveObject displaces a resting object by (dx, dy), keeping it on the table and counting the push.
func (w *world) moveObject(o *object, dx, dy float64) {
	r := o.radius()
	nx, ny := clamp(o.X+dx, -1+r, 1-r), clamp(o.Y+dy, -1+r, 1-r)
	o.Pushed += math.Hypot(nx-o.X, ny-o.Y)
	o.X, o.Y = nx, ny
}
