//go:build amd64 && !purego

#include "textflag.h"

// func rowdotAVX2(a, b []float64, k, rows int, c []float64)
//
// c[t] = sum over q < k of a[t*k+q] * b[t*k+q], t < rows: row dot products
// of two contiguous row-major blocks. Per row, two 4-wide FMA accumulators
// over 8 columns a step, one 4-wide step, then a scalar FMA tail; rows are
// independent, so the out-of-order core keeps several in flight. The
// caller checks len(a), len(b) >= rows*k, len(c) >= rows and k >= 1.
TEXT ·rowdotAVX2(SB), NOSPLIT, $0-88
	MOVQ a_base+0(FP), SI
	MOVQ b_base+24(FP), DI
	MOVQ k+48(FP), R8
	MOVQ rows+56(FP), CX
	MOVQ c_base+64(FP), DX
	MOVQ R8, R9
	SHRQ $3, R9
	MOVQ R8, R10
	ANDQ $7, R10

row:
	TESTQ CX, CX
	JE    done
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD X2, X2, X2
	MOVQ   R9, R11

loop8:
	TESTQ R11, R11
	JE    rem4
	VMOVUPD     (SI), Y3
	VMOVUPD     32(SI), Y4
	VFMADD231PD (DI), Y3, Y0
	VFMADD231PD 32(DI), Y4, Y1
	ADDQ        $64, SI
	ADDQ        $64, DI
	DECQ        R11
	JMP         loop8

rem4:
	MOVQ R10, R11
	CMPQ R11, $4
	JLT  rem1
	VMOVUPD     (SI), Y3
	VFMADD231PD (DI), Y3, Y0
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $4, R11

rem1:
	TESTQ R11, R11
	JE    hsum
	VMOVSD      (SI), X3
	VFMADD231SD (DI), X3, X2
	ADDQ        $8, SI
	ADDQ        $8, DI
	DECQ        R11
	JMP         rem1

hsum:
	VADDPD       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VPERMILPD    $1, X0, X1
	VADDSD       X1, X0, X0
	VADDSD       X2, X0, X0
	VMOVSD       X0, (DX)
	ADDQ         $8, DX
	DECQ         CX
	JMP          row

done:
	VZEROUPPER
	RET

// func rowdot4AVX2(a, b []float64, k, groups int, c []float64)
//
// The same row dot products, four rows at a time (groups of 4 rows, so
// 4*groups rows): the four rows' 4-wide FMA chains run interleaved over
// k/4 steps (a scalar FMA tail per row for k mod 4), and the four sums
// are reduced together (two VHADDPD, two VPERM2F128, one add) and stored
// with one 32-byte store: about a third of the per-row instructions of
// rowdotAVX2, whose horizontal sum per row dominates for short rows such
// as k = 20. The caller checks len(a), len(b) >= 4*groups*k,
// len(c) >= 4*groups and k >= 1.
TEXT ·rowdot4AVX2(SB), NOSPLIT, $0-88
	MOVQ a_base+0(FP), SI
	MOVQ b_base+24(FP), DI
	MOVQ k+48(FP), R8
	MOVQ groups+56(FP), CX
	MOVQ c_base+64(FP), DX
	MOVQ R8, R9
	SHRQ $2, R9             // 4-wide steps per row
	MOVQ R8, R10
	ANDQ $3, R10            // scalar tail per row
	MOVQ R8, R12
	SHLQ $3, R12            // row stride in bytes
	LEAQ (R12)(R12*2), R13  // three rows
	MOVQ R12, R14
	SHLQ $2, R14            // four rows

group:
	TESTQ  CX, CX
	JE     done4
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	MOVQ   SI, AX
	MOVQ   DI, BX
	MOVQ   R9, R11

vec4:
	TESTQ       R11, R11
	JE          tail4
	VMOVUPD     (AX), Y8
	VFMADD231PD (BX), Y8, Y0
	VMOVUPD     (AX)(R12*1), Y9
	VFMADD231PD (BX)(R12*1), Y9, Y1
	VMOVUPD     (AX)(R12*2), Y10
	VFMADD231PD (BX)(R12*2), Y10, Y2
	VMOVUPD     (AX)(R13*1), Y11
	VFMADD231PD (BX)(R13*1), Y11, Y3
	ADDQ        $32, AX
	ADDQ        $32, BX
	DECQ        R11
	JMP         vec4

tail4:
	MOVQ R10, R11

tail41:
	TESTQ       R11, R11
	JE          reduce4
	VMOVSD      (AX), X8
	VFMADD231SD (BX), X8, X4
	VMOVSD      (AX)(R12*1), X9
	VFMADD231SD (BX)(R12*1), X9, X5
	VMOVSD      (AX)(R12*2), X10
	VFMADD231SD (BX)(R12*2), X10, X6
	VMOVSD      (AX)(R13*1), X11
	VFMADD231SD (BX)(R13*1), X11, X7
	ADDQ        $8, AX
	ADDQ        $8, BX
	DECQ        R11
	JMP         tail41

reduce4:
	VHADDPD     Y1, Y0, Y0       // [r0 01, r1 01, r0 23, r1 23]
	VHADDPD     Y3, Y2, Y2       // [r2 01, r3 01, r2 23, r3 23]
	VPERM2F128  $0x20, Y2, Y0, Y1
	VPERM2F128  $0x31, Y2, Y0, Y3
	VADDPD      Y3, Y1, Y1       // [r0, r1, r2, r3]
	VUNPCKLPD   X5, X4, X4       // tails [t0, t1]
	VUNPCKLPD   X7, X6, X6       // tails [t2, t3]
	VINSERTF128 $1, X6, Y4, Y4
	VADDPD      Y4, Y1, Y1
	VMOVUPD     Y1, (DX)
	ADDQ        $32, DX
	ADDQ        R14, SI
	ADDQ        R14, DI
	DECQ        CX
	JMP         group

done4:
	VZEROUPPER
	RET
