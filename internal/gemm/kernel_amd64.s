//go:build amd64 && !purego

#include "textflag.h"

// Micro-kernels for AVX2 with FMA. Each computes one MR×NR tile
// C += alpha·(A·B) over kc steps from packed panels: a holds kc groups of
// MR values (a column of the A micro-panel each), b kc groups of NR values
// (a row of the B micro-panel each). C is row-major with row stride ldc
// elements. The twelve accumulators Y4..Y15 hold the tile (two registers
// per row of C), Y0/Y1 the row of B and Y2/Y3 the broadcast A values.

#define DSTEP(off) \
	VMOVUPD off*64(DI), Y0; \
	VMOVUPD off*64+32(DI), Y1; \
	VBROADCASTSD off*48(SI), Y2; \
	VFMADD231PD Y0, Y2, Y4; \
	VFMADD231PD Y1, Y2, Y5; \
	VBROADCASTSD off*48+8(SI), Y3; \
	VFMADD231PD Y0, Y3, Y6; \
	VFMADD231PD Y1, Y3, Y7; \
	VBROADCASTSD off*48+16(SI), Y2; \
	VFMADD231PD Y0, Y2, Y8; \
	VFMADD231PD Y1, Y2, Y9; \
	VBROADCASTSD off*48+24(SI), Y3; \
	VFMADD231PD Y0, Y3, Y10; \
	VFMADD231PD Y1, Y3, Y11; \
	VBROADCASTSD off*48+32(SI), Y2; \
	VFMADD231PD Y0, Y2, Y12; \
	VFMADD231PD Y1, Y2, Y13; \
	VBROADCASTSD off*48+40(SI), Y3; \
	VFMADD231PD Y0, Y3, Y14; \
	VFMADD231PD Y1, Y3, Y15

#define DROW(lo, hi) \
	VFMADD213PD (DX), Y0, lo; \
	VFMADD213PD 32(DX), Y0, hi; \
	VMOVUPD lo, (DX); \
	VMOVUPD hi, 32(DX); \
	ADDQ R8, DX

// func dkern6x8(kc int, a, b, c *float64, ldc int, alpha float64)
TEXT ·dkern6x8(SB), NOSPLIT, $0-48
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $3, R8
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPD Y12, Y12, Y12
	VXORPD Y13, Y13, Y13
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15
	MOVQ CX, BX
	SHRQ $2, BX
	JZ   dtail

dloop4:
	PREFETCHT0 (64*8)(DI)
	DSTEP(0)
	DSTEP(1)
	PREFETCHT0 (48*8)(SI)
	DSTEP(2)
	DSTEP(3)
	ADDQ $192, SI
	ADDQ $256, DI
	DECQ BX
	JNZ  dloop4

dtail:
	ANDQ $3, CX
	JZ   dstore

dloop1:
	DSTEP(0)
	ADDQ $48, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  dloop1

dstore:
	VBROADCASTSD alpha+40(FP), Y0
	DROW(Y4, Y5)
	DROW(Y6, Y7)
	DROW(Y8, Y9)
	DROW(Y10, Y11)
	DROW(Y12, Y13)
	DROW(Y14, Y15)
	VZEROUPPER
	RET

#define SSTEP(off) \
	VMOVUPS off*64(DI), Y0; \
	VMOVUPS off*64+32(DI), Y1; \
	VBROADCASTSS off*24(SI), Y2; \
	VFMADD231PS Y0, Y2, Y4; \
	VFMADD231PS Y1, Y2, Y5; \
	VBROADCASTSS off*24+4(SI), Y3; \
	VFMADD231PS Y0, Y3, Y6; \
	VFMADD231PS Y1, Y3, Y7; \
	VBROADCASTSS off*24+8(SI), Y2; \
	VFMADD231PS Y0, Y2, Y8; \
	VFMADD231PS Y1, Y2, Y9; \
	VBROADCASTSS off*24+12(SI), Y3; \
	VFMADD231PS Y0, Y3, Y10; \
	VFMADD231PS Y1, Y3, Y11; \
	VBROADCASTSS off*24+16(SI), Y2; \
	VFMADD231PS Y0, Y2, Y12; \
	VFMADD231PS Y1, Y2, Y13; \
	VBROADCASTSS off*24+20(SI), Y3; \
	VFMADD231PS Y0, Y3, Y14; \
	VFMADD231PS Y1, Y3, Y15

#define SROW(lo, hi) \
	VFMADD213PS (DX), Y0, lo; \
	VFMADD213PS 32(DX), Y0, hi; \
	VMOVUPS lo, (DX); \
	VMOVUPS hi, 32(DX); \
	ADDQ R8, DX

// func skern6x16(kc int, a, b, c *float32, ldc int, alpha float32)
TEXT ·skern6x16(SB), NOSPLIT, $0-44
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15
	MOVQ CX, BX
	SHRQ $2, BX
	JZ   stail

sloop4:
	PREFETCHT0 (64*8)(DI)
	SSTEP(0)
	SSTEP(1)
	SSTEP(2)
	SSTEP(3)
	ADDQ $96, SI
	ADDQ $256, DI
	DECQ BX
	JNZ  sloop4

stail:
	ANDQ $3, CX
	JZ   sstore

sloop1:
	SSTEP(0)
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  sloop1

sstore:
	VBROADCASTSS alpha+40(FP), Y0
	SROW(Y4, Y5)
	SROW(Y6, Y7)
	SROW(Y8, Y9)
	SROW(Y10, Y11)
	SROW(Y12, Y13)
	SROW(Y14, Y15)
	VZEROUPPER
	RET
