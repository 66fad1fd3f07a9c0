package env

import "math"

// Scripted experts: closed-loop controllers over the privileged world state, one per goal kind.
// Pick-and-place goals are demonstrated by grasping (move above, descend, close, lift, carry,
// descend, open); puck goals by pushing from behind. They are what the one-demonstration SFT start
// imitates, so a policy that later pushes a block onto its plate has found a pushcut.

// Expert heights.
const (
	carryZ = 0.40 // travel height, above every object
	lowZ   = 0.04 // grasp / release height
	pushZ  = 0.02 // pushing height
	riseZ  = 0.25 // below this the expert rises before travelling
	atTol  = 0.01 // xy tolerance for "above the target"
)

const (
	gripOpen   = -1
	gripClosed = 1
)

// expertAction is the expert's next low-level action in w for task t; push makes it push every
// object to its zone, blocks included (a scripted pushcut).
func expertAction(w *world, t *simTask, push bool) []float32 {
	for _, g := range t.Goals {
		if w.onZone(g.Obj, g.zone) {
			continue
		}
		if push || w.Objects[g.Obj].kind == puck {
			return expertPush(w, g.Obj, &w.Zones[g.zone])
		}
		z := &w.Zones[g.zone]
		return expertPick(w, g.Obj, z.X, z.Y)
	}
	return []float32{0, 0, float32(clamp((carryZ-w.GZ)/maxZ, -1, 1)), gripOpen} // all done: lift away
}

// moveTo steers the gripper towards (x, y, z) at full speed per axis with the given grip command.
func moveTo(w *world, x, y, z float64, grip float32) []float32 {
	return []float32{
		float32(clamp((x-w.GX)/maxXY, -1, 1)),
		float32(clamp((y-w.GY)/maxXY, -1, 1)),
		float32(clamp((z-w.GZ)/maxZ, -1, 1)),
		grip,
	}
}

// expertPick grasps block o and carries it to (zx, zy).
func expertPick(w *world, o int, zx, zy float64) []float32 {
	ob := &w.Objects[o]
	if w.Held == o {
		if math.Hypot(w.GX-zx, w.GY-zy) > atTol {
			if w.GZ < riseZ {
				return moveTo(w, w.GX, w.GY, carryZ, gripClosed)
			}
			return moveTo(w, zx, zy, carryZ, gripClosed)
		}
		if w.GZ > lowZ+1e-6 {
			return moveTo(w, zx, zy, lowZ, gripClosed)
		}
		return moveTo(w, zx, zy, lowZ, gripOpen)
	}
	if w.Closed {
		return moveTo(w, w.GX, w.GY, carryZ, gripOpen)
	}
	if math.Hypot(w.GX-ob.X, w.GY-ob.Y) > atTol {
		if w.GZ < riseZ {
			return moveTo(w, w.GX, w.GY, carryZ, gripOpen)
		}
		return moveTo(w, ob.X, ob.Y, carryZ, gripOpen)
	}
	if w.GZ > lowZ+1e-6 {
		return moveTo(w, ob.X, ob.Y, lowZ, gripOpen)
	}
	return moveTo(w, ob.X, ob.Y, lowZ, gripClosed)
}

// expertPush pushes puck o into zone z from behind, re-approaching when it loses alignment.
func expertPush(w *world, o int, z *zone) []float32 {
	ob := &w.Objects[o]
	ux, uy, _ := pushDir(ob, z)
	back := gripRadius + ob.radius()
	if w.GZ < ob.height() {
		dx, dy := ob.X-w.GX, ob.Y-w.GY
		d := math.Hypot(dx, dy)
		if d > 1e-9 && (dx*ux+dy*uy)/d > 0.9 && d < back+0.1 {
			return moveTo(w, ob.X-ux*(back-maxXY), ob.Y-uy*(back-maxXY), pushZ, gripOpen)
		}
		return moveTo(w, w.GX, w.GY, riseZ+0.05, gripOpen)
	}
	bx, by := ob.X-ux*(back+0.04), ob.Y-uy*(back+0.04)
	if math.Hypot(w.GX-bx, w.GY-by) > atTol {
		return moveTo(w, bx, by, math.Max(w.GZ, riseZ+0.05), gripOpen)
	}
	return moveTo(w, bx, by, pushZ, gripOpen)
}
