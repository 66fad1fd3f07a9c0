package model

// panelWidth is the column width of a packed weight panel: the width of gemmAdd's 64-column
// register tiles (6×64, 2×64 and 1×64 on AVX-512), so that one panel is one tile strip.
const panelWidth = 64

// packedB is a row-major [k, n] weight matrix stored as column panels, the layout the decoder
// multiplies by: panel p holds columns [64p, 64p+64) of all k rows contiguously (row r of the
// panel at p·k·64 + r·64), and the last n mod 64 columns follow as one narrower panel (row stride
// n mod 64). A tile then reads its strip of B as one contiguous run of memory instead of k runs of
// 256 bytes a whole row of B apart: at batch 32 the decoder streams every weight from memory once
// per step (the 30M model's 113 MB do not fit the caches), and the strided strips left the
// hardware prefetcher a page-crossing pattern to follow.
type packedB struct {
	k, n int
	data []float32 // [k·n] panels, as above
}

// packTransposed returns the transpose of w, a row-major [rows, cols] matrix (a Hugging Face
// [out, in] weight), as a packed [cols, rows] matrix, in one pass: panel column j is row j of w.
func packTransposed(w []float32, rows, cols int) packedB {
	p := packedB{k: cols, n: rows, data: make([]float32, rows*cols)}
	for i := 0; i < p.panels(); i++ {
		panel, width := p.panel(i)
		for jj := 0; jj < width; jj++ {
			for r, v := range w[(i*panelWidth+jj)*cols : (i*panelWidth+jj+1)*cols] {
				panel[r*width+jj] = v
			}
		}
	}
	return p
}

// panels is the number of panels, the last one possibly narrower than panelWidth.
func (p packedB) panels() int { return (p.n + panelWidth - 1) / panelWidth }

// panel returns panel i's data ([k, w] row-major) and its width w.
func (p packedB) panel(i int) ([]float32, int) {
	j0 := i * panelWidth
	w := min(panelWidth, p.n-j0)
	return p.data[j0*p.k : (j0+w)*p.k], w
}

// unpack returns the row-major [k, n] matrix (for tests and debugging).
func (p packedB) unpack() []float32 {
	b := make([]float32, p.k*p.n)
	for i := 0; i < p.panels(); i++ {
		panel, w := p.panel(i)
		for r := 0; r < p.k; r++ {
			copy(b[r*p.n+i*panelWidth:], panel[r*w:(r+1)*w])
		}
	}
	return b
}

// matmulAddPackedN computes C += A·B for row-major C [m, n], A [m, k] and packed B [k, n],
// splitting whole panels across at most workers goroutines when the product is large enough
// (parallelMinWork). Each element's sum runs over k in the same order as gemmAdd's on the
// row-major B, so the two agree bit for bit.
func matmulAddPackedN(workers int, c, a []float32, m int, b packedB) {
	k, n := b.k, b.n
	run := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			panel, w := b.panel(i)
			j0 := i * panelWidth
			gemmAdd(c[j0:], n, a, k, panel, w, m, k, w)
		}
	}
	minN := 2 // split whole panels only when the product is worth a second goroutine
	if m*k*n < parallelMinWork {
		minN = b.panels() + 1
	}
	parallelForN(workers, b.panels(), minN, run)
}
