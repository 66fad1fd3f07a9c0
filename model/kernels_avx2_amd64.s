//go:build goexperiment.simd

#include "textflag.h"

// AVX2+FMA register tiles of gemmAddAVX2 (kernels_avx2.go), in assembly because the compiler
// turns archsimd's MulAdd into VFMADD213PS, whose result overwrites a multiplicand: every
// loop-carried accumulator then costs a register copy per step, and the 2×32 tile ran at about
// half the FMA units' rate. VFMADD231PS accumulates in place.
//
// Each tile computes C[r, j] += Σ_p A[r, p]·B[p, j] for its rows r, j < 16 and p < k (k ≥ 1),
// with rows of A, B and C at strides lda, ldb and ldc (floats). Every element is summed over p
// in order with one VFMADD231PS per term, so a row's result does not depend on the tile it is in.
// Accumulators are Y0–Y11, the B row Y12–Y13, the broadcast Y14; Y15 is left alone (Go's
// ABIInternal keeps X15 zero).

// ROW adds A's element at addr times the B row in Y12, Y13 to the accumulators a0, a1.
#define ROW(addr, a0, a1) VBROADCASTSS addr, Y14; VFMADD231PS Y12, Y14, a0; VFMADD231PS Y13, Y14, a1

// LOADB loads the next row of B (at DI) into Y12, Y13 and advances DI by ldb (BX, in bytes).
#define LOADB VMOVUPS (DI), Y12; VMOVUPS 32(DI), Y13; ADDQ BX, DI

// MOV2 copies two vectors (C's 16 floats of one row to or from their accumulators).
#define MOV2(s0, s1, d0, d1) VMOVUPS s0, d0; VMOVUPS s1, d1

// ARGS loads the tile arguments: CX k, SI A, R8 lda, DI B, BX ldb, DX C, R11 ldc (strides in
// bytes), R12 3·ldc.
#define ARGS \
	MOVQ k+0(FP), CX; MOVQ a+8(FP), SI; MOVQ lda+16(FP), R8; MOVQ b+24(FP), DI; \
	MOVQ ldb+32(FP), BX; MOVQ c+40(FP), DX; MOVQ ldc+48(FP), R11; \
	SHLQ $2, R8; SHLQ $2, BX; SHLQ $2, R11; LEAQ (R11)(R11*2), R12

// func tile6x16asm(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)
TEXT ·tile6x16asm(SB), NOSPLIT, $0-56
	ARGS
	LEAQ (R8)(R8*2), R9  // 3·lda
	LEAQ (SI)(R8*4), R10 // row 4 of A
	LEAQ (DX)(R11*4), R13 // row 4 of C
	MOV2((DX), 32(DX), Y0, Y1)
	MOV2((DX)(R11*1), 32(DX)(R11*1), Y2, Y3)
	MOV2((DX)(R11*2), 32(DX)(R11*2), Y4, Y5)
	MOV2((DX)(R12*1), 32(DX)(R12*1), Y6, Y7)
	MOV2((R13), 32(R13), Y8, Y9)
	MOV2((R13)(R11*1), 32(R13)(R11*1), Y10, Y11)

loop6:
	LOADB
	ROW((SI), Y0, Y1)
	ROW((SI)(R8*1), Y2, Y3)
	ROW((SI)(R8*2), Y4, Y5)
	ROW((SI)(R9*1), Y6, Y7)
	ROW((R10), Y8, Y9)
	ROW((R10)(R8*1), Y10, Y11)
	ADDQ $4, SI
	ADDQ $4, R10
	DECQ CX
	JNZ  loop6

	MOV2(Y0, Y1, (DX), 32(DX))
	MOV2(Y2, Y3, (DX)(R11*1), 32(DX)(R11*1))
	MOV2(Y4, Y5, (DX)(R11*2), 32(DX)(R11*2))
	MOV2(Y6, Y7, (DX)(R12*1), 32(DX)(R12*1))
	MOV2(Y8, Y9, (R13), 32(R13))
	MOV2(Y10, Y11, (R13)(R11*1), 32(R13)(R11*1))
	VZEROUPPER
	RET

// func tile4x16asm(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)
// Four rows: eight accumulators, enough independent sums to keep the FMA units busy, which the
// one-row tile's two are not.
TEXT ·tile4x16asm(SB), NOSPLIT, $0-56
	ARGS
	LEAQ (R8)(R8*2), R9
	MOV2((DX), 32(DX), Y0, Y1)
	MOV2((DX)(R11*1), 32(DX)(R11*1), Y2, Y3)
	MOV2((DX)(R11*2), 32(DX)(R11*2), Y4, Y5)
	MOV2((DX)(R12*1), 32(DX)(R12*1), Y6, Y7)

loop4:
	LOADB
	ROW((SI), Y0, Y1)
	ROW((SI)(R8*1), Y2, Y3)
	ROW((SI)(R8*2), Y4, Y5)
	ROW((SI)(R9*1), Y6, Y7)
	ADDQ $4, SI
	DECQ CX
	JNZ  loop4

	MOV2(Y0, Y1, (DX), 32(DX))
	MOV2(Y2, Y3, (DX)(R11*1), 32(DX)(R11*1))
	MOV2(Y4, Y5, (DX)(R11*2), 32(DX)(R11*2))
	MOV2(Y6, Y7, (DX)(R12*1), 32(DX)(R12*1))
	VZEROUPPER
	RET

// func tile2x16asm(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)
TEXT ·tile2x16asm(SB), NOSPLIT, $0-56
	ARGS
	MOV2((DX), 32(DX), Y0, Y1)
	MOV2((DX)(R11*1), 32(DX)(R11*1), Y2, Y3)

loop2:
	LOADB
	ROW((SI), Y0, Y1)
	ROW((SI)(R8*1), Y2, Y3)
	ADDQ $4, SI
	DECQ CX
	JNZ  loop2

	MOV2(Y0, Y1, (DX), 32(DX))
	MOV2(Y2, Y3, (DX)(R11*1), 32(DX)(R11*1))
	VZEROUPPER
	RET

// func tile1x16asm(k int, a *float32, b *float32, ldb int, c *float32)
TEXT ·tile1x16asm(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ ldb+24(FP), BX
	MOVQ c+32(FP), DX
	SHLQ $2, BX
	MOV2((DX), 32(DX), Y0, Y1)

loop1:
	LOADB
	ROW((SI), Y0, Y1)
	ADDQ $4, SI
	DECQ CX
	JNZ  loop1

	MOV2(Y0, Y1, (DX), 32(DX))
	VZEROUPPER
	RET
