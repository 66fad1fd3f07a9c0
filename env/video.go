package env

import (
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/png"
	"io"
)

// Episode videos: an animated GIF or a PNG strip of frames, both from the standard library.

// Upscale enlarges img by an integer factor with nearest-neighbour sampling (scale ≤ 1 returns img).
func Upscale(img *image.RGBA, scale int) *image.RGBA {
	if scale <= 1 {
		return img
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()*scale, b.Dy()*scale))
	for y := 0; y < out.Rect.Dy(); y++ {
		for x := 0; x < out.Rect.Dx(); x++ {
			si := (y/scale)*img.Stride + (x/scale)*4
			di := y*out.Stride + x*4
			copy(out.Pix[di:di+4], img.Pix[si:si+4])
		}
	}
	return out
}

// WriteGIF writes frames as an animated GIF, delay in hundredths of a second per frame, each
// frame upscaled by scale.
func WriteGIF(w io.Writer, frames []*image.RGBA, delay, scale int) error {
	if len(frames) == 0 {
		return fmt.Errorf("gif: no frames")
	}
	anim := &gif.GIF{}
	for _, f := range frames {
		f = Upscale(f, scale)
		p := image.NewPaletted(f.Bounds(), palette.Plan9)
		draw.Draw(p, p.Rect, f, f.Rect.Min, draw.Src)
		anim.Image = append(anim.Image, p)
		anim.Delay = append(anim.Delay, delay)
	}
	anim.Delay[len(anim.Delay)-1] = delay * 10 // hold the last frame
	return gif.EncodeAll(w, anim)
}

// WritePNGStrip writes frames side by side in rows of cols (0: all in one row), every step-th
// frame kept (the last frame always), each upscaled by scale, with a 2-pixel gap.
func WritePNGStrip(w io.Writer, frames []*image.RGBA, cols, step, scale int) error {
	if len(frames) == 0 {
		return fmt.Errorf("png strip: no frames")
	}
	if step < 1 {
		step = 1
	}
	var keep []*image.RGBA
	for i := 0; i < len(frames); i += step {
		keep = append(keep, frames[i])
	}
	if (len(frames)-1)%step != 0 {
		keep = append(keep, frames[len(frames)-1])
	}
	if cols <= 0 || cols > len(keep) {
		cols = len(keep)
	}
	rows := (len(keep) + cols - 1) / cols
	fw, fh := frames[0].Rect.Dx()*max(scale, 1), frames[0].Rect.Dy()*max(scale, 1)
	const gap = 2
	out := image.NewRGBA(image.Rect(0, 0, cols*(fw+gap)-gap, rows*(fh+gap)-gap))
	draw.Draw(out, out.Rect, &image.Uniform{color.RGBA{255, 255, 255, 255}}, image.Point{}, draw.Src)
	for i, f := range keep {
		f = Upscale(f, scale)
		x, y := (i%cols)*(fw+gap), (i/cols)*(fh+gap)
		draw.Draw(out, image.Rect(x, y, x+fw, y+fh), f, f.Rect.Min, draw.Src)
	}
	return png.Encode(w, out)
}
