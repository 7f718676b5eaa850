//go:build amd64 && !purego

#include "textflag.h"

// Constants are moved into vector registers with VEX-encoded moves: a
// legacy SSE write to an XMM register whose upper half is in use costs
// hundreds of cycles on some processors.

// BROADCAST puts the 32-bit constant c in every dword of y (x is its lower
// half).
#define BROADCAST(c, x, y) \
	MOVL c, AX; \
	VMOVD AX, x; \
	VPBROADCASTD x, y

// func textMasks(p *byte, blocks int, out *blockMask)
//
// For each 32-byte block b of p, out[b].special gets bit i set when byte
// 32b+i is not printable ASCII (below 0x20 or above 0x7e), a tab, a '\n'
// and a '\r' right before a '\n' excepted; out[b].newlines when it is
// '\n'. It reads p[0 : 32*blocks+1] and leaves out[b].grams alone.
TEXT ·textMasks(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ out+16(FP), R8
	TESTQ CX, CX
	JEQ done

	BROADCAST($0x20202020, X15, Y15) // the lowest printable byte
	BROADCAST($0x7f7f7f7f, X11, Y11) // DEL
	BROADCAST($0x09090909, X10, Y10) // tab
	BROADCAST($0x0a0a0a0a, X9, Y9) // newline
	BROADCAST($0x0d0d0d0d, X8, Y8) // carriage return

loop:
	VMOVDQU (SI), Y0
	VMOVDQU 1(SI), Y7 // the bytes that follow

	// Bytes that are not plain: signed 0x20 > b holds for b < 0x20 and
	// for b >= 0x80.
	VPCMPGTB Y0, Y15, Y4
	VPCMPEQB Y0, Y11, Y5
	VPOR Y5, Y4, Y4
	VPCMPEQB Y0, Y10, Y5
	VPCMPEQB Y0, Y9, Y6
	VPOR Y6, Y5, Y5
	// A '\r' that ends a CRLF line: cleaning drops it.
	VPCMPEQB Y0, Y8, Y12
	VPCMPEQB Y7, Y9, Y13
	VPAND Y13, Y12, Y12
	VPOR Y12, Y5, Y5
	VPANDN Y4, Y5, Y4
	VPMOVMSKB Y4, R10
	MOVL R10, 4(R8)
	VPMOVMSKB Y6, R12
	MOVL R12, 8(R8)

	ADDQ $32, SI
	ADDQ $12, R8
	DECQ CX
	JNZ loop

	VZEROUPPER

done:
	RET

// func pairMasks(p *byte, blocks int, tab *uint32, out *blockMask, keyMask, highShift uint32)
//
// For each 32-byte block b of p, out[b].grams gets bit o set for every
// offset 32b+o whose gram may be an anchor of tab (see pairLow and
// pairHigh): one gathered entry serves the offsets 2k and 2k+1, whose
// grams share the key at 2k+1 (the bytes of keyMask: three for 4-byte
// grams, two for 3-byte ones); highShift brings the last byte of the gram
// at 2k+1 down to the low byte. It reads p[0 : 32*blocks+3] and leaves the
// other fields of out alone.
TEXT ·pairMasks(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ tab+16(FP), DI
	MOVQ out+24(FP), R8
	TESTQ CX, CX
	JEQ pdone

	BROADCAST($0x20202020, X15, Y15) // fold
	BROADCAST($0x9E3779B1, X14, Y14) // pairHash's multiplier
	MOVL keyMask+32(FP), AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13 // a key's bytes
	BROADCAST($0x0000000f, X12, Y12) // a nibble
	MOVL highShift+36(FP), AX
	VMOVD AX, X11 // the shift to the last byte of the gram at 2k+1

ploop:
	VMOVDQU (SI), Y0  // dword k: bytes 4k..4k+3
	VMOVDQU 1(SI), Y1 // bytes 4k+1..4k+4
	VMOVDQU 2(SI), Y2 // bytes 4k+2..4k+5
	VMOVDQU 3(SI), Y3 // bytes 4k+3..4k+6
	VPOR Y15, Y0, Y0
	VPOR Y15, Y1, Y1
	VPOR Y15, Y2, Y2
	VPOR Y15, Y3, Y3
	// The bit of each offset in its half of the entry: the low nibble of
	// the byte before the key (offsets 4k, 4k+2), or that of the byte
	// after it (offsets 4k+1, 4k+3).
	VPAND Y12, Y0, Y4
	VPSRLD X11, Y1, Y5
	VPAND Y12, Y5, Y5
	VPAND Y12, Y2, Y6
	VPSRLD X11, Y3, Y7
	VPAND Y12, Y7, Y7
	// The keys (from bytes 4k+1 and 4k+3), hashed.
	VPAND Y13, Y1, Y1
	VPAND Y13, Y3, Y3
	VPMULLD Y14, Y1, Y1
	VPMULLD Y14, Y3, Y3
	VPSRLD $19, Y1, Y1
	VPSRLD $19, Y3, Y3
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	VPCMPEQD Y10, Y10, Y10
	VPGATHERDD Y10, (DI)(Y1*4), Y8
	VPCMPEQD Y10, Y10, Y10
	VPGATHERDD Y10, (DI)(Y3*4), Y9
	VPSRLVD Y4, Y8, Y4
	VPSRLVD Y6, Y9, Y6
	VPSRLD $16, Y8, Y8 // the upper halves
	VPSRLD $16, Y9, Y9
	VPSRLVD Y5, Y8, Y5
	VPSRLVD Y7, Y9, Y7
	// Bit 0 of each, moved to bit 7 of byte j of its dword for the
	// offsets 4k+j, the four ORed together: one byte per offset in
	// order, for VPMOVMSKB.
	VPSLLD $31, Y4, Y4
	VPSLLD $31, Y5, Y5
	VPSLLD $31, Y6, Y6
	VPSLLD $31, Y7, Y7
	VPSRLD $24, Y4, Y4
	VPSRLD $16, Y5, Y5
	VPSRLD $8, Y6, Y6
	VPOR Y5, Y4, Y4
	VPOR Y7, Y6, Y6
	VPOR Y6, Y4, Y4
	VPMOVMSKB Y4, AX
	MOVL AX, (R8)
	ADDQ $32, SI
	ADDQ $12, R8
	DECQ CX
	JNZ ploop

	VZEROUPPER

pdone:
	RET
