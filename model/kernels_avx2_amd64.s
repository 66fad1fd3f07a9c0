//go:build goexperiment.simd

#include "textflag.h"

// AVX2+FMA register tiles of gemmAddAVX2 (kernels_avx2.go), in assembly because the compiler
// turns archsimd's MulAdd into VFMADD213PS, whose result overwrites a multiplicand: every
// loop-carried accumulator then costs a register copy per step, and the 2×32 tile ran at about
// half the FMA units' rate. VFMADD231PS accumulates in place.

// func tile6x16asm(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)
// C[r, j] += Σ_p A[r, p]·B[p, j] for r < 6, j < 16, p < k (k ≥ 1): rows of A, B and C at
// strides lda, ldb and ldc. Twelve accumulators Y0–Y11, B in Y12–Y13,
// the broadcast in Y14 (Y15 is left alone: Go's ABIInternal keeps X15 zero).
TEXT ·tile6x16asm(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	MOVQ b+24(FP), DI
	MOVQ ldb+32(FP), BX
	MOVQ c+40(FP), DX
	MOVQ ldc+48(FP), R11
	SHLQ $2, R8            // lda in bytes
	SHLQ $2, BX            // ldb in bytes
	SHLQ $2, R11           // ldc in bytes
	LEAQ (R8)(R8*2), R9    // 3·lda
	LEAQ (SI)(R8*4), R10   // row 4 of A
	LEAQ (R11)(R11*2), R12 // 3·ldc
	LEAQ (DX)(R11*4), R13  // row 4 of C

	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS (DX)(R11*1), Y2
	VMOVUPS 32(DX)(R11*1), Y3
	VMOVUPS (DX)(R11*2), Y4
	VMOVUPS 32(DX)(R11*2), Y5
	VMOVUPS (DX)(R12*1), Y6
	VMOVUPS 32(DX)(R12*1), Y7
	VMOVUPS (R13), Y8
	VMOVUPS 32(R13), Y9
	VMOVUPS (R13)(R11*1), Y10
	VMOVUPS 32(R13)(R11*1), Y11

loop6:
	VMOVUPS      (DI), Y12
	VMOVUPS      32(DI), Y13
	VBROADCASTSS (SI), Y14
	VFMADD231PS  Y12, Y14, Y0
	VFMADD231PS  Y13, Y14, Y1
	VBROADCASTSS (SI)(R8*1), Y14
	VFMADD231PS  Y12, Y14, Y2
	VFMADD231PS  Y13, Y14, Y3
	VBROADCASTSS (SI)(R8*2), Y14
	VFMADD231PS  Y12, Y14, Y4
	VFMADD231PS  Y13, Y14, Y5
	VBROADCASTSS (SI)(R9*1), Y14
	VFMADD231PS  Y12, Y14, Y6
	VFMADD231PS  Y13, Y14, Y7
	VBROADCASTSS (R10), Y14
	VFMADD231PS  Y12, Y14, Y8
	VFMADD231PS  Y13, Y14, Y9
	VBROADCASTSS (R10)(R8*1), Y14
	VFMADD231PS  Y12, Y14, Y10
	VFMADD231PS  Y13, Y14, Y11
	ADDQ         $4, SI
	ADDQ         $4, R10
	ADDQ         BX, DI
	DECQ         CX
	JNZ          loop6

	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, (DX)(R11*1)
	VMOVUPS Y3, 32(DX)(R11*1)
	VMOVUPS Y4, (DX)(R11*2)
	VMOVUPS Y5, 32(DX)(R11*2)
	VMOVUPS Y6, (DX)(R12*1)
	VMOVUPS Y7, 32(DX)(R12*1)
	VMOVUPS Y8, (R13)
	VMOVUPS Y9, 32(R13)
	VMOVUPS Y10, (R13)(R11*1)
	VMOVUPS Y11, 32(R13)(R11*1)
	VZEROUPPER
	RET

// func tile1x16asm(k int, a *float32, b *float32, ldb int, c *float32)
// c[j] += Σ_p a[p]·B[p, j] for j < 16, p < k (k ≥ 1), rows of B at stride ldb. Each element
// is summed in the same order, with the same fused multiply-adds, as in tile6x16asm, so a row's
// result does not depend on which tile it fell in.
TEXT ·tile1x16asm(SB), NOSPLIT, $0-40
	MOVQ    k+0(FP), CX
	MOVQ    a+8(FP), SI
	MOVQ    b+16(FP), DI
	MOVQ    ldb+24(FP), BX
	MOVQ    c+32(FP), DX
	SHLQ    $2, BX
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1

loop1:
	VBROADCASTSS (SI), Y14
	VFMADD231PS  (DI), Y14, Y0
	VFMADD231PS  32(DI), Y14, Y1
	ADDQ         $4, SI
	ADDQ         BX, DI
	DECQ         CX
	JNZ          loop1

	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VZEROUPPER
	RET

// func tile4x16asm(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)
// tile6x16asm for 4 rows (eight accumulators: enough independent sums to keep the FMA units
// busy, which the 1×16 tile's two are not).
TEXT ·tile4x16asm(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	MOVQ b+24(FP), DI
	MOVQ ldb+32(FP), BX
	MOVQ c+40(FP), DX
	MOVQ ldc+48(FP), R11
	SHLQ $2, R8
	SHLQ $2, BX
	SHLQ $2, R11
	LEAQ (R8)(R8*2), R9
	LEAQ (R11)(R11*2), R12

	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS (DX)(R11*1), Y2
	VMOVUPS 32(DX)(R11*1), Y3
	VMOVUPS (DX)(R11*2), Y4
	VMOVUPS 32(DX)(R11*2), Y5
	VMOVUPS (DX)(R12*1), Y6
	VMOVUPS 32(DX)(R12*1), Y7

loop4:
	VMOVUPS      (DI), Y12
	VMOVUPS      32(DI), Y13
	VBROADCASTSS (SI), Y14
	VFMADD231PS  Y12, Y14, Y0
	VFMADD231PS  Y13, Y14, Y1
	VBROADCASTSS (SI)(R8*1), Y14
	VFMADD231PS  Y12, Y14, Y2
	VFMADD231PS  Y13, Y14, Y3
	VBROADCASTSS (SI)(R8*2), Y14
	VFMADD231PS  Y12, Y14, Y4
	VFMADD231PS  Y13, Y14, Y5
	VBROADCASTSS (SI)(R9*1), Y14
	VFMADD231PS  Y12, Y14, Y6
	VFMADD231PS  Y13, Y14, Y7
	ADDQ         $4, SI
	ADDQ         BX, DI
	DECQ         CX
	JNZ          loop4

	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, (DX)(R11*1)
	VMOVUPS Y3, 32(DX)(R11*1)
	VMOVUPS Y4, (DX)(R11*2)
	VMOVUPS Y5, 32(DX)(R11*2)
	VMOVUPS Y6, (DX)(R12*1)
	VMOVUPS Y7, 32(DX)(R12*1)
	VZEROUPPER
	RET

// func tile2x16asm(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)
// tile6x16asm for 2 rows.
TEXT ·tile2x16asm(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	MOVQ b+24(FP), DI
	MOVQ ldb+32(FP), BX
	MOVQ c+40(FP), DX
	MOVQ ldc+48(FP), R11
	SHLQ $2, R8
	SHLQ $2, BX
	SHLQ $2, R11

	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS (DX)(R11*1), Y2
	VMOVUPS 32(DX)(R11*1), Y3

loop2:
	VMOVUPS      (DI), Y12
	VMOVUPS      32(DI), Y13
	VBROADCASTSS (SI), Y14
	VFMADD231PS  Y12, Y14, Y0
	VFMADD231PS  Y13, Y14, Y1
	VBROADCASTSS (SI)(R8*1), Y14
	VFMADD231PS  Y12, Y14, Y2
	VFMADD231PS  Y13, Y14, Y3
	ADDQ         $4, SI
	ADDQ         BX, DI
	DECQ         CX
	JNZ          loop2

	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, (DX)(R11*1)
	VMOVUPS Y3, 32(DX)(R11*1)
	VZEROUPPER
	RET
