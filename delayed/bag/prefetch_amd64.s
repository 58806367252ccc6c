//go:build amd64 && !purego

#include "textflag.h"

// func prefetchTiny(tab unsafe.Pointer, keys *uint64, n int, shift uint64)
//
// For each of the n packed keys at keys, PREFETCHT0 of its home slot in the
// tiny table at tab (16-byte slots, home (k*0x9e3779b97f4a7c15)>>shift, as
// tinyPos). A prefetch never faults, whatever the address.
TEXT ·prefetchTiny(SB), NOSPLIT, $0-32
	MOVQ tab+0(FP), DI
	MOVQ keys+8(FP), SI
	MOVQ n+16(FP), DX
	MOVQ shift+24(FP), CX
	MOVQ $0x9e3779b97f4a7c15, R8

loop:
	TESTQ DX, DX
	JZ    done
	MOVQ  (SI), AX
	IMULQ R8, AX
	SHRQ  CX, AX
	SHLQ  $4, AX
	PREFETCHT0 (DI)(AX*1)
	ADDQ  $8, SI
	DECQ  DX
	JMP   loop

done:
	RET
