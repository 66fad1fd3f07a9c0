package env

import (
	"image"
	"image/color"
	"math"
)

// A software rasteriser for the simulator's top-down camera: the table fills the image, zones are
// drawn flat, blocks as squares and pucks as discs, held objects larger (nearer the camera) over a
// shadow, and the gripper as a ring (open) or a filled disc (closed) whose size grows with height.

var colourRGB = map[string]color.RGBA{
	"red":    {220, 45, 40, 255},
	"green":  {40, 170, 70, 255},
	"blue":   {40, 90, 225, 255},
	"yellow": {235, 200, 40, 255},
	"purple": {145, 60, 185, 255},
	"orange": {245, 135, 30, 255},
	"goal":   {70, 70, 70, 255},
}

var (
	tableColour   = color.RGBA{205, 180, 140, 255}
	gripperColour = color.RGBA{30, 30, 30, 255}
)

// canvas maps table coordinates onto an RGBA image (x right, y up; the table spans the image).
type canvas struct {
	img *image.RGBA
	n   int
}

func (c canvas) px(x float64) float64 { return (x + 1) / 2 * float64(c.n) }
func (c canvas) py(y float64) float64 { return (1 - y) / 2 * float64(c.n) }

// span converts a table interval [lo, hi] into the pixel columns whose centres it covers.
func (c canvas) span(lo, hi float64) (int, int) {
	a := int(math.Ceil(lo - 0.5))
	b := int(math.Floor(hi - 0.5))
	return max(a, 0), min(b, c.n-1)
}

func (c canvas) set(x, y int, col color.RGBA) {
	i := y*c.img.Stride + x*4
	p := c.img.Pix[i : i+4 : i+4]
	if col.A == 255 {
		p[0], p[1], p[2], p[3] = col.R, col.G, col.B, 255
		return
	}
	a := uint32(col.A)
	p[0] = uint8((uint32(col.R)*a + uint32(p[0])*(255-a)) / 255)
	p[1] = uint8((uint32(col.G)*a + uint32(p[1])*(255-a)) / 255)
	p[2] = uint8((uint32(col.B)*a + uint32(p[2])*(255-a)) / 255)
}

// disc fills the annulus rIn ≤ |p − (x, y)| ≤ r (rIn = 0 for a full disc).
func (c canvas) disc(x, y, r, rIn float64, col color.RGBA) {
	cx, cy := c.px(x), c.py(y)
	rp, rq := r/2*float64(c.n), rIn/2*float64(c.n)
	x0, x1 := c.span(cx-rp, cx+rp)
	y0, y1 := c.span(cy-rp, cy+rp)
	for j := y0; j <= y1; j++ {
		dy := float64(j) + 0.5 - cy
		for i := x0; i <= x1; i++ {
			dx := float64(i) + 0.5 - cx
			d2 := dx*dx + dy*dy
			if d2 <= rp*rp && d2 >= rq*rq {
				c.set(i, j, col)
			}
		}
	}
}

// rect fills the axis-aligned rectangle with centre (x, y) and half sizes hw, hh.
func (c canvas) rect(x, y, hw, hh float64, col color.RGBA) {
	x0, x1 := c.span(c.px(x-hw), c.px(x+hw))
	y0, y1 := c.span(c.py(y+hh), c.py(y-hh))
	for j := y0; j <= y1; j++ {
		for i := x0; i <= x1; i++ {
			c.set(i, j, col)
		}
	}
}

func shade(col color.RGBA, f float64) color.RGBA {
	m := func(v uint8) uint8 {
		if f >= 0 {
			return uint8(float64(v) + (255-float64(v))*f)
		}
		return uint8(float64(v) * (1 + f))
	}
	return color.RGBA{m(col.R), m(col.G), m(col.B), col.A}
}

// background draws the static part of w (the table and its zones) into a fresh n × n image.
func background(w *world, n int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	c := canvas{img: img, n: n}
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = tableColour.R, tableColour.G, tableColour.B, 255
	}
	for i := range w.Zones {
		z := &w.Zones[i]
		col := colourRGB[z.Colour]
		if z.Goal {
			c.rect(z.X, z.Y, z.HW, z.HH, shade(col, 0.35))
			c.rect(z.X, z.Y, z.HW-0.03, z.HH-0.03, shade(col, 0.55))
			continue
		}
		c.disc(z.X, z.Y, plateRadius, 0, shade(col, 0.6))
		c.disc(z.X, z.Y, plateRadius, plateRadius-0.035, col)
	}
	return img
}

// render draws w into a fresh n × n RGBA image over bg, its background (nil: drawn now).
func render(w *world, n int, bg *image.RGBA) *image.RGBA {
	if bg == nil || bg.Rect.Dx() != n {
		bg = background(w, n)
	}
	img := image.NewRGBA(bg.Rect)
	copy(img.Pix, bg.Pix)
	c := canvas{img: img, n: n}
	for i := range w.Objects {
		if o := &w.Objects[i]; i != w.Held {
			drawObject(c, o, 1)
		}
	}
	if w.Held >= 0 {
		o := &w.Objects[w.Held]
		c.disc(o.X, o.Y, o.radius(), 0, color.RGBA{0, 0, 0, 70})
		drawObject(c, o, 1+0.6*o.Z)
	}
	gr := gripRadius * (1 + 0.8*w.GZ)
	if w.Closed {
		c.disc(w.GX, w.GY, gr, 0, gripperColour)
	} else {
		c.disc(w.GX, w.GY, gr, gr*0.55, gripperColour)
	}
	return img
}

func drawObject(c canvas, o *object, scale float64) {
	col := colourRGB[o.Colour]
	r := o.radius() * scale
	if o.kind == puck {
		c.disc(o.X, o.Y, r, 0, col)
		c.disc(o.X, o.Y, r*0.45, 0, shade(col, -0.35))
		return
	}
	c.rect(o.X, o.Y, r, r, shade(col, -0.3))
	c.rect(o.X, o.Y, r*0.75, r*0.75, col)
}
