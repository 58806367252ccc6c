//go:build amd64 && !purego

#include "textflag.h"

// func spaceMasksAVX2(p *byte, n int, sp, hi *uint64)
//
// For each of the n blocks of 64 bytes at p: sp[i] gets the mask of the
// ASCII white-space bytes ('\t' to '\r' and ' ') and hi[i] the mask of the
// bytes with the high bit set (bit j for byte j of the block).
TEXT ·spaceMasksAVX2(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ sp+16(FP), DI
	MOVQ hi+24(FP), DX
	MOVL $0x20, AX
	MOVQ AX, X1
	VPBROADCASTB X1, Y1
	MOVL $0x09, AX
	MOVQ AX, X2
	VPBROADCASTB X2, Y2
	MOVL $0x04, AX
	MOVQ AX, X3
	VPBROADCASTB X3, Y3

loop:
	TESTQ CX, CX
	JZ    done
	VMOVDQU (SI), Y4
	VMOVDQU 32(SI), Y5
	VPCMPEQB Y1, Y4, Y6
	VPSUBB   Y2, Y4, Y7
	VPMINUB  Y3, Y7, Y8
	VPCMPEQB Y7, Y8, Y8
	VPOR     Y6, Y8, Y6
	VPCMPEQB Y1, Y5, Y9
	VPSUBB   Y2, Y5, Y10
	VPMINUB  Y3, Y10, Y11
	VPCMPEQB Y10, Y11, Y11
	VPOR     Y9, Y11, Y9
	VPMOVMSKB Y6, AX
	VPMOVMSKB Y9, BX
	VPMOVMSKB Y4, R8
	VPMOVMSKB Y5, R9
	SHLQ $32, BX
	ORQ  BX, AX
	SHLQ $32, R9
	ORQ  R9, R8
	MOVQ AX, (DI)
	MOVQ R8, (DX)
	ADDQ $64, SI
	ADDQ $8, DI
	ADDQ $8, DX
	DECQ CX
	JMP  loop

done:
	VZEROUPPER
	RET
