//go:build goexperiment.simd

#include "textflag.h"

// The AVX-512 6×64 register tile of gemmAdd (kernels_simd.go), in assembly for the two reasons
// kernels_avx2_amd64.s gives and one more: the compiler turns archsimd's MulAdd into VFMADD213PS
// (a register copy per loop-carried accumulator and step), bounds-checks every row of B, and
// allocates at most 16 vector registers, which caps an archsimd tile at 2×64 (8 accumulators);
// AVX-512 has 32, and six rows of four vectors (24 accumulators) load each vector of B once for
// six fused multiply-adds instead of two.
//
// tile6x64asm computes C[r, j] += Σ_p A[r, p]·B[p, j] for r < 6, j < 64 and p < k (k ≥ 1), with
// rows of A, B and C at strides lda, ldb and ldc (floats). Every element is summed over p in order
// with one VFMADD231PS per term, as the archsimd tiles do, so a row's result does not depend on
// the tile it is in. Accumulators are Z16–Z31 and Z5–Z12, the B row Z0–Z3, the broadcast Z4; Z15
// is left alone (Go's ABIInternal keeps X15 zero).

// LOADB4 loads the next 64 floats of B (at DI) into Z0–Z3 and advances DI by ldb (BX, in bytes).
#define LOADB4 VMOVUPS (DI), Z0; VMOVUPS 64(DI), Z1; VMOVUPS 128(DI), Z2; VMOVUPS 192(DI), Z3; ADDQ BX, DI

// ROW4 adds A's element at addr times the B row in Z0–Z3 to the accumulators a0–a3.
#define ROW4(addr, a0, a1, a2, a3) VBROADCASTSS addr, Z4; VFMADD231PS Z0, Z4, a0; VFMADD231PS Z1, Z4, a1; VFMADD231PS Z2, Z4, a2; VFMADD231PS Z3, Z4, a3

// LDC4 and STC4 move C's 64 floats of the row at reg to and from the accumulators a0–a3.
#define LDC4(reg, a0, a1, a2, a3) VMOVUPS (reg), a0; VMOVUPS 64(reg), a1; VMOVUPS 128(reg), a2; VMOVUPS 192(reg), a3
#define STC4(reg, a0, a1, a2, a3) VMOVUPS a0, (reg); VMOVUPS a1, 64(reg); VMOVUPS a2, 128(reg); VMOVUPS a3, 192(reg)

// func tile6x64asm(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)
TEXT ·tile6x64asm(SB), NOSPLIT, $0-56
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
	LEAQ (R8)(R8*2), R9    // 3·lda
	LEAQ (SI)(R9*1), R10   // row 3 of A
	LEAQ (R11)(R11*2), R12 // 3·ldc
	LEAQ (DX)(R12*1), R13  // row 3 of C
	LEAQ (DX)(R11*1), R14  // row 1 of C
	LEAQ (R14)(R11*1), R12 // row 2 of C
	LEAQ (R13)(R11*1), R15 // row 4 of C
	LEAQ (R15)(R11*1), AX  // row 5 of C

	LDC4(DX, Z16, Z17, Z18, Z19)
	LDC4(R14, Z20, Z21, Z22, Z23)
	LDC4(R12, Z24, Z25, Z26, Z27)
	LDC4(R13, Z28, Z29, Z30, Z31)
	LDC4(R15, Z5, Z6, Z7, Z8)
	LDC4(AX, Z9, Z10, Z11, Z12)

loop:
	LOADB4
	ROW4((SI), Z16, Z17, Z18, Z19)
	ROW4((SI)(R8*1), Z20, Z21, Z22, Z23)
	ROW4((SI)(R8*2), Z24, Z25, Z26, Z27)
	ROW4((R10), Z28, Z29, Z30, Z31)
	ROW4((R10)(R8*1), Z5, Z6, Z7, Z8)
	ROW4((R10)(R8*2), Z9, Z10, Z11, Z12)
	ADDQ $4, SI
	ADDQ $4, R10
	DECQ CX
	JNZ  loop

	STC4(DX, Z16, Z17, Z18, Z19)
	STC4(R14, Z20, Z21, Z22, Z23)
	STC4(R12, Z24, Z25, Z26, Z27)
	STC4(R13, Z28, Z29, Z30, Z31)
	STC4(R15, Z5, Z6, Z7, Z8)
	STC4(AX, Z9, Z10, Z11, Z12)
	VZEROUPPER
	RET
