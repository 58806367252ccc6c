//go:build amd64 && !purego

#include "textflag.h"

DATA expk_invln2n<>+0(SB)/8, $0x40671547652b82fe
DATA expk_invln2n<>+8(SB)/8, $0x40671547652b82fe
DATA expk_invln2n<>+16(SB)/8, $0x40671547652b82fe
DATA expk_invln2n<>+24(SB)/8, $0x40671547652b82fe
GLOBL expk_invln2n<>(SB), RODATA|NOPTR, $32

DATA expk_shift<>+0(SB)/8, $0x4338000000000000
DATA expk_shift<>+8(SB)/8, $0x4338000000000000
DATA expk_shift<>+16(SB)/8, $0x4338000000000000
DATA expk_shift<>+24(SB)/8, $0x4338000000000000
GLOBL expk_shift<>(SB), RODATA|NOPTR, $32

DATA expk_neghi<>+0(SB)/8, $0xbf762e42fefa0000
DATA expk_neghi<>+8(SB)/8, $0xbf762e42fefa0000
DATA expk_neghi<>+16(SB)/8, $0xbf762e42fefa0000
DATA expk_neghi<>+24(SB)/8, $0xbf762e42fefa0000
GLOBL expk_neghi<>(SB), RODATA|NOPTR, $32

DATA expk_neglo<>+0(SB)/8, $0xbd0cf79abc9e3b3a
DATA expk_neglo<>+8(SB)/8, $0xbd0cf79abc9e3b3a
DATA expk_neglo<>+16(SB)/8, $0xbd0cf79abc9e3b3a
DATA expk_neglo<>+24(SB)/8, $0xbd0cf79abc9e3b3a
GLOBL expk_neglo<>(SB), RODATA|NOPTR, $32

DATA expk_c2<>+0(SB)/8, $0x3fe0000000000000
DATA expk_c2<>+8(SB)/8, $0x3fe0000000000000
DATA expk_c2<>+16(SB)/8, $0x3fe0000000000000
DATA expk_c2<>+24(SB)/8, $0x3fe0000000000000
GLOBL expk_c2<>(SB), RODATA|NOPTR, $32

DATA expk_c3<>+0(SB)/8, $0x3fc5555555555555
DATA expk_c3<>+8(SB)/8, $0x3fc5555555555555
DATA expk_c3<>+16(SB)/8, $0x3fc5555555555555
DATA expk_c3<>+24(SB)/8, $0x3fc5555555555555
GLOBL expk_c3<>(SB), RODATA|NOPTR, $32

DATA expk_c4<>+0(SB)/8, $0x3fa5555555555555
DATA expk_c4<>+8(SB)/8, $0x3fa5555555555555
DATA expk_c4<>+16(SB)/8, $0x3fa5555555555555
DATA expk_c4<>+24(SB)/8, $0x3fa5555555555555
GLOBL expk_c4<>(SB), RODATA|NOPTR, $32

DATA expk_c5<>+0(SB)/8, $0x3f81111111111111
DATA expk_c5<>+8(SB)/8, $0x3f81111111111111
DATA expk_c5<>+16(SB)/8, $0x3f81111111111111
DATA expk_c5<>+24(SB)/8, $0x3f81111111111111
GLOBL expk_c5<>(SB), RODATA|NOPTR, $32

DATA expk_limit<>+0(SB)/8, $0x4085e00000000000
DATA expk_limit<>+8(SB)/8, $0x4085e00000000000
DATA expk_limit<>+16(SB)/8, $0x4085e00000000000
DATA expk_limit<>+24(SB)/8, $0x4085e00000000000
GLOBL expk_limit<>(SB), RODATA|NOPTR, $32

DATA expk_absmask<>+0(SB)/8, $0x7fffffffffffffff
DATA expk_absmask<>+8(SB)/8, $0x7fffffffffffffff
DATA expk_absmask<>+16(SB)/8, $0x7fffffffffffffff
DATA expk_absmask<>+24(SB)/8, $0x7fffffffffffffff
GLOBL expk_absmask<>(SB), RODATA|NOPTR, $32

DATA expk_idxmask<>+0(SB)/8, $0x000000000000007f
DATA expk_idxmask<>+8(SB)/8, $0x000000000000007f
DATA expk_idxmask<>+16(SB)/8, $0x000000000000007f
DATA expk_idxmask<>+24(SB)/8, $0x000000000000007f
GLOBL expk_idxmask<>(SB), RODATA|NOPTR, $32

// func expAffineAVX2(dst, src []float64, mul, add float64, tail *[128]float64, sbits *[128]uint64) int
//
// dst[i] = fastExp(src[i]*mul + add) four lanes at a time, with the same
// operations in the same order as fastExp (no FMA), for i from 0 while a
// whole group of four is left and every lane of it is in the fast range
// (|x| <= 700); returns the index it stopped at.
TEXT ·expAffineAVX2(SB), NOSPLIT, $0-88
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	VBROADCASTSD mul+48(FP), Y0
	VBROADCASTSD add+56(FP), Y1
	MOVQ tail+64(FP), R8
	MOVQ sbits+72(FP), R9
	XORQ AX, AX

loop:
	LEAQ 4(AX), DX
	CMPQ DX, CX
	JGT  done
	VMOVUPD (SI)(AX*8), Y2
	VMULPD  Y0, Y2, Y2
	VADDPD  Y1, Y2, Y2
	VANDPD  expk_absmask<>(SB), Y2, Y3
	VCMPPD  $2, expk_limit<>(SB), Y3, Y3
	VMOVMSKPD Y3, BX
	CMPQ    BX, $15
	JNE     done

	VMULPD  expk_invln2n<>(SB), Y2, Y4
	VADDPD  expk_shift<>(SB), Y4, Y4
	VSUBPD  expk_shift<>(SB), Y4, Y5
	VMULPD  expk_neghi<>(SB), Y5, Y6
	VADDPD  Y6, Y2, Y6
	VMULPD  expk_neglo<>(SB), Y5, Y7
	VADDPD  Y7, Y6, Y6

	VPAND   expk_idxmask<>(SB), Y4, Y8
	VPSLLQ  $45, Y4, Y9
	VPCMPEQQ Y10, Y10, Y10
	VGATHERQPD Y10, (R8)(Y8*8), Y11
	VPCMPEQQ Y10, Y10, Y10
	VPGATHERQQ Y10, (R9)(Y8*8), Y12
	VPADDQ  Y9, Y12, Y12

	VMULPD  Y6, Y6, Y13
	VMULPD  expk_c3<>(SB), Y6, Y14
	VADDPD  expk_c2<>(SB), Y14, Y14
	VMULPD  Y13, Y14, Y14
	VADDPD  Y6, Y11, Y11
	VADDPD  Y14, Y11, Y11
	VMULPD  expk_c5<>(SB), Y6, Y14
	VADDPD  expk_c4<>(SB), Y14, Y14
	VMULPD  Y13, Y13, Y7
	VMULPD  Y14, Y7, Y7
	VADDPD  Y7, Y11, Y11

	VMULPD  Y11, Y12, Y3
	VADDPD  Y3, Y12, Y3
	VMOVUPD Y3, (DI)(AX*8)
	MOVQ    DX, AX
	JMP     loop

done:
	MOVQ AX, ret+80(FP)
	VZEROUPPER
	RET
