//go:build goexperiment.simd && amd64

package local

import "simd/archsimd"

// useAVX2 selects the 8-lane AdamW update (every AVX-512 CPU has AVX2 too).
var useAVX2 = archsimd.X86.AVX2()

// apply is applyGo on 8 lanes at a time where the CPU has AVX2. Each lane performs applyGo's
// operations in its order with the same float32 roundings (VSQRTPS is correctly rounded, like
// the float64 square root rounded to float32; no fused multiply-adds), so the results are
// bit-identical to applyGo's and a resumed run does not depend on the CPU.
func (u adamWStep) apply(p, g, m, v []float32) {
	n := 0
	if useAVX2 {
		n = len(p) / 8 * 8
		g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
		b1, b2 := archsimd.BroadcastFloat32x8(u.b1), archsimd.BroadcastFloat32x8(u.b2)
		c1, c2 := archsimd.BroadcastFloat32x8(1-u.b1), archsimd.BroadcastFloat32x8(1-u.b2)
		step, invBC2 := archsimd.BroadcastFloat32x8(u.stepSize), archsimd.BroadcastFloat32x8(u.invBC2)
		eps, wd := archsimd.BroadcastFloat32x8(u.eps), archsimd.BroadcastFloat32x8(u.wd)
		for j := 0; j < n; j += 8 {
			gj := archsimd.LoadFloat32x8Slice(g[j : j+8])
			mj := b1.Mul(archsimd.LoadFloat32x8Slice(m[j : j+8])).Add(c1.Mul(gj))
			vj := b2.Mul(archsimd.LoadFloat32x8Slice(v[j : j+8])).Add(c2.Mul(gj).Mul(gj))
			mj.StoreSlice(m[j : j+8])
			vj.StoreSlice(v[j : j+8])
			denom := vj.Sqrt().Mul(invBC2).Add(eps)
			pj := archsimd.LoadFloat32x8Slice(p[j : j+8])
			pj.Sub(wd.Mul(pj).Add(step.Mul(mj).Div(denom))).StoreSlice(p[j : j+8])
		}
	}
	u.applyGo(p[n:], g[n:], m[n:], v[n:])
}
