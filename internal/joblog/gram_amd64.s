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

// GRAMS_LOAD puts the 4 bytes at offsets 4k+j of the block at SI, ORed
// with 0x20 in each byte, in dword k of Yj.
#define GRAMS_LOAD \
	VMOVDQU (SI), Y0; \
	VMOVDQU 1(SI), Y1; \
	VMOVDQU 2(SI), Y2; \
	VMOVDQU 3(SI), Y3; \
	VPOR Y15, Y0, Y0; \
	VPOR Y15, Y1, Y1; \
	VPOR Y15, Y2, Y2; \
	VPOR Y15, Y3, Y3

// GRAMS_STORE hashes the grams in Y0-Y3 as gramHash and gramFP do, looks
// them up in the table at DI, and stores the block's mask at R8; then it
// moves to the next block and counts CX down. A gather clears its mask:
// each gets a fresh one. An entry is the low byte of each gathered dword
// (the other bytes are the next entries); the gram's bit in it is
// shifted to bit 0. Y4+j holds the bits of offsets 4k+j in its dword k.
// Bit 0 of each, moved to bit 7 of byte j of its dword and the four ORed
// together, gives one byte per offset in order, for VPMOVMSKB.
#define GRAMS_STORE \
	VPMULLD Y14, Y0, Y0; \
	VPMULLD Y14, Y1, Y1; \
	VPMULLD Y14, Y2, Y2; \
	VPMULLD Y14, Y3, Y3; \
	VPSLLD $15, Y0, Y9; \
	VPSLLD $15, Y1, Y10; \
	VPSLLD $15, Y2, Y11; \
	VPSLLD $15, Y3, Y12; \
	VPSRLD $29, Y9, Y9; \
	VPSRLD $29, Y10, Y10; \
	VPSRLD $29, Y11, Y11; \
	VPSRLD $29, Y12, Y12; \
	VPSRLD $17, Y0, Y0; \
	VPSRLD $17, Y1, Y1; \
	VPSRLD $17, Y2, Y2; \
	VPSRLD $17, Y3, Y3; \
	VPXOR Y4, Y4, Y4; \
	VPXOR Y5, Y5, Y5; \
	VPXOR Y6, Y6, Y6; \
	VPXOR Y7, Y7, Y7; \
	VPCMPEQD Y8, Y8, Y8; \
	VPGATHERDD Y8, (DI)(Y0*1), Y4; \
	VPCMPEQD Y8, Y8, Y8; \
	VPGATHERDD Y8, (DI)(Y1*1), Y5; \
	VPCMPEQD Y8, Y8, Y8; \
	VPGATHERDD Y8, (DI)(Y2*1), Y6; \
	VPCMPEQD Y8, Y8, Y8; \
	VPGATHERDD Y8, (DI)(Y3*1), Y7; \
	VPSRLVD Y9, Y4, Y4; \
	VPSRLVD Y10, Y5, Y5; \
	VPSRLVD Y11, Y6, Y6; \
	VPSRLVD Y12, Y7, Y7; \
	VPSLLD $31, Y4, Y4; \
	VPSLLD $31, Y5, Y5; \
	VPSLLD $31, Y6, Y6; \
	VPSLLD $31, Y7, Y7; \
	VPSRLD $24, Y4, Y4; \
	VPSRLD $16, Y5, Y5; \
	VPSRLD $8, Y6, Y6; \
	VPOR Y5, Y4, Y4; \
	VPOR Y7, Y6, Y6; \
	VPOR Y6, Y4, Y4; \
	VPMOVMSKB Y4, AX; \
	MOVL AX, (R8); \
	ADDQ $32, SI; \
	ADDQ $12, R8; \
	DECQ CX

// func gramMasks(p *byte, blocks int, tab *byte, out *blockMask)
//
// For each 32-byte block b of p, out[b].grams gets bit o set for every
// offset 32b+o whose 3-byte gram's bit is set in tab (see gramBit): the 3
// bytes there, ORed with 0x20 in each byte. It reads p[0 : 32*blocks+3]
// and tab[0 : 1<<15+3], and leaves the other fields of out alone.
TEXT ·gramMasks(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ tab+16(FP), DI
	MOVQ out+24(FP), R8
	TESTQ CX, CX
	JEQ done

	BROADCAST($0x20202020, X15, Y15) // fold
	BROADCAST($0x9E3779B1, X14, Y14) // gramHash's multiplier
	BROADCAST($0x00ffffff, X13, Y13) // the gram's bytes

loop:
	GRAMS_LOAD
	VPAND Y13, Y0, Y0
	VPAND Y13, Y1, Y1
	VPAND Y13, Y2, Y2
	VPAND Y13, Y3, Y3
	GRAMS_STORE
	JNZ loop

	VZEROUPPER

done:
	RET

// func pairMasks(p *byte, blocks int, tab *uint32, out *blockMask)
//
// For each 32-byte block b of p, out[b].grams gets bit o set for every
// offset 32b+o whose 4-byte gram may be an anchor of tab (see
// pairBits): one gathered entry serves the offsets 2k and 2k+1, whose
// grams share the three bytes at 2k+1. It reads p[0 : 32*blocks+3] and
// leaves the other fields of out alone.
TEXT ·pairMasks(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ tab+16(FP), DI
	MOVQ out+24(FP), R8
	TESTQ CX, CX
	JEQ pdone

	BROADCAST($0x20202020, X15, Y15) // fold
	BROADCAST($0x9E3779B1, X14, Y14) // pairHash's multiplier
	BROADCAST($0x00ffffff, X13, Y13) // a key's three bytes
	BROADCAST($0x0000000f, X12, Y12) // a nibble
	BROADCAST($0x00000010, X11, Y11) // the upper half of an entry

ploop:
	VMOVDQU (SI), Y0  // dword k: bytes 4k..4k+3
	VMOVDQU 1(SI), Y1 // bytes 4k+1..4k+4
	VMOVDQU 2(SI), Y2 // bytes 4k+2..4k+5
	VMOVDQU 3(SI), Y3 // bytes 4k+3..4k+6
	VPOR Y15, Y0, Y0
	VPOR Y15, Y1, Y1
	VPOR Y15, Y2, Y2
	VPOR Y15, Y3, Y3
	// The bit of each offset in its entry: the low nibble of the byte
	// before the key (offsets 4k, 4k+2), or 16 plus that of the byte
	// after it (offsets 4k+1, 4k+3).
	VPAND Y12, Y0, Y4
	VPSRLD $24, Y1, Y5
	VPAND Y12, Y5, Y5
	VPADDD Y11, Y5, Y5
	VPAND Y12, Y2, Y6
	VPSRLD $24, Y3, Y7
	VPAND Y12, Y7, Y7
	VPADDD Y11, Y7, Y7
	// The keys (bytes 4k+1..4k+3 and 4k+3..4k+5), hashed.
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
	VPSRLVD Y5, Y8, Y5
	VPSRLVD Y6, Y9, Y6
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
