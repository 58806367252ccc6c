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
