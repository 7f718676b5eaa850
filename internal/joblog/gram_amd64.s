//go:build amd64 && !purego

#include "textflag.h"

// The kernels' constants are loaded from consts, each 32-bit value
// broadcast to every dword of a vector register with a VEX-encoded
// instruction (a legacy SSE write to an XMM register whose upper half is in
// use costs hundreds of cycles on some processors): one instruction each,
// as stripColours and pairMasks run for many short lines.
#define PRINTABLE consts<>+0(SB) // the lowest printable byte, and the case fold
#define DEL consts<>+4(SB)
#define TAB consts<>+8(SB)
#define LBRACKET consts<>+12(SB)
#define HIGHNIBBLE consts<>+16(SB)
#define PARAMNIBBLE consts<>+20(SB) // parameter bytes' high nibble
#define BELOWFINAL consts<>+24(SB) // below the final bytes
#define UNDERSCORE consts<>+28(SB)
#define ESCAPE consts<>+32(SB)
#define NEWLINE consts<>+36(SB)
#define CR consts<>+40(SB)
#define HASHMUL consts<>+44(SB) // pairHash's multiplier
#define NIBBLE consts<>+48(SB)

DATA consts<>+0(SB)/4, $0x20202020
DATA consts<>+4(SB)/4, $0x7f7f7f7f
DATA consts<>+8(SB)/4, $0x09090909
DATA consts<>+12(SB)/4, $0x5b5b5b5b
DATA consts<>+16(SB)/4, $0xf0f0f0f0
DATA consts<>+20(SB)/4, $0x30303030
DATA consts<>+24(SB)/4, $0x3f3f3f3f
DATA consts<>+28(SB)/4, $0x5f5f5f5f
DATA consts<>+32(SB)/4, $0x1b1b1b1b
DATA consts<>+36(SB)/4, $0x0a0a0a0a
DATA consts<>+40(SB)/4, $0x0d0d0d0d
DATA consts<>+44(SB)/4, $0x9E3779B1
DATA consts<>+48(SB)/4, $0x0000000f
GLOBL consts<>(SB), RODATA|NOPTR, $52

// func textMasks(p *byte, blocks int, out *blockMask) (special int)
//
// For each 32-byte block b of p, out[b].special gets bit i set when byte
// 32b+i is not printable ASCII (below 0x20 or above 0x7e), a tab, a '\n'
// and a '\r' right before a '\n' excepted; out[b].newlines when it is
// '\n'. It reads p[0 : 32*blocks+1], leaves out[b].grams alone and
// returns how many blocks hold a byte that is not plain text.
TEXT ·textMasks(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ out+16(FP), R8
	XORQ R13, R13 // blocks with a byte that is not plain
	TESTQ CX, CX
	JEQ done

	VPBROADCASTD PRINTABLE, Y15 // the lowest printable byte
	VPBROADCASTD DEL, Y11
	VPBROADCASTD TAB, Y10
	VPBROADCASTD NEWLINE, Y9
	VPBROADCASTD CR, Y8

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
	XORL R11, R11
	TESTL R10, R10
	SETNE R11B
	ADDQ R11, R13

	ADDQ $32, SI
	ADDQ $12, R8
	DECQ CX
	JNZ loop

	VZEROUPPER

done:
	MOVQ R13, special+24(FP)
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

	VPBROADCASTD PRINTABLE, Y15 // fold
	VPBROADCASTD HASHMUL, Y14 // pairHash's multiplier
	MOVL keyMask+32(FP), AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13 // a key's bytes
	VPBROADCASTD NIBBLE, Y12 // a low nibble
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

// PACK8 writes at dst[BX:] the bytes of src[R9+off:R9+off+8] whose bits
// are set in byte off/8 of R8, in order, and advances BX past them: the
// shuffle of packLUT (at R13) for that byte moves them down. It writes 8
// bytes.
#define PACK8(off) \
	MOVQ R8, CX; \
	SHRQ $off, CX; \
	MOVBQZX CX, CX; \
	VMOVQ off(SI)(R9*1), X1; \
	VMOVQ (R13)(CX*8), X2; \
	VPSHUFB X2, X1, X1; \
	VMOVQ X1, (DI)(BX*1); \
	POPCNTL CX, CX; \
	ADDQ CX, BX

// func stripColours(dst, src *byte, n, readable int, seg *segments, base, run int) (w, r, plain int)
//
// stripColours writes the display text of src[0:n] to dst while src holds
// printable ASCII, tabs, colour sequences (ESC '[', parameter bytes
// 0x30-0x3f, a final byte 0x40-0x7e), which it drops, '\r', which ends a
// segment (seg's fields are offsets in the cleaner's buffer, where dst
// starts at base), and valid UTF-8 runes that show as themselves. It stops
// at the first byte whose display it leaves to Go: another control or
// escape, invalid UTF-8, a C1 control or a bidirectional control, a
// sequence not ended before n, a '_' that ends "section" or "travis" (a
// marker may start there). It returns how many bytes it wrote and read,
// and where the last run of bytes written as they are starts (run when
// the call dropped nothing): bytes a dropped sequence took are no
// marker's start.
//
// It reads src 32 bytes at a time within its first readable bytes (past
// n, for nothing), else one at a time, and writes up to 32 bytes past what
// it wrote: dst must have room for n+32 bytes. A block of 32 bytes is
// stored to dst at once; when it holds bytes that are not plain, masks of
// the block tell where each is and where a colour sequence's parameters
// end, and after each sequence or rune the rest of the block is stored
// again where the text goes on.
TEXT ·stripColours(SB), NOSPLIT, $0-80
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), R14
	MOVQ readable+24(FP), R11
	MOVQ run+48(FP), R8
	MOVQ R8, plain+72(FP)

	VPBROADCASTD PRINTABLE, Y15 // the lowest printable byte
	VPBROADCASTD DEL, Y11
	VPBROADCASTD TAB, Y10
	VPBROADCASTD LBRACKET, Y9
	VPBROADCASTD HIGHNIBBLE, Y8
	VPBROADCASTD PARAMNIBBLE, Y7 // parameter bytes' high nibble
	VPBROADCASTD BELOWFINAL, Y6 // below the final bytes
	VPBROADCASTD UNDERSCORE, Y14
	VPBROADCASTD ESCAPE, Y13
	XORQ AX, AX // read
	XORQ BX, BX // written

block:
	// R9: the block's start in src. DX: its bytes that are not plain,
	// its '_', and the bytes from n on.
	CMPQ AX, R14
	JAE done
	LEAQ 32(AX), CX
	CMPQ CX, R11
	JA tail
	MOVQ AX, R9
	VMOVDQU (SI)(AX*1), Y0
	VMOVDQU Y0, (DI)(BX*1)
	// Not plain: signed 0x20 > b (b < 0x20 or b >= 0x80), or DEL; a tab is.
	VPCMPGTB Y0, Y15, Y4
	VPCMPEQB Y0, Y11, Y5
	VPOR Y5, Y4, Y4
	VPCMPEQB Y0, Y10, Y5
	VPANDN Y4, Y5, Y4
	VPCMPEQB Y0, Y14, Y5
	VPOR Y5, Y4, Y4
	VPMOVMSKB Y4, DX
	MOVQ R14, CX
	SUBQ AX, CX
	CMPQ CX, $32
	JAE whole
	MOVL $-1, R8
	SHLL CX, R8
	ORL R8, DX

whole:
	TESTL DX, DX
	JNZ masks
	ADDQ $32, AX
	ADDQ $32, BX
	JMP block

masks:
	// R10: '['; R15: parameter bytes; R12: final bytes (0x40-0x7e).
	VPCMPEQB Y0, Y9, Y5
	VPMOVMSKB Y5, R10
	VPAND Y0, Y8, Y5
	VPCMPEQB Y5, Y7, Y5
	VPMOVMSKB Y5, R15
	VPCMPGTB Y6, Y0, Y5
	VPCMPEQB Y0, Y11, Y12
	VPANDN Y5, Y12, Y5
	VPMOVMSKB Y5, R12

	// A whole block whose stops are all ESCs: its colour sequences are
	// dropped at once, the rest of its bytes packed. S: ESC then '['. A
	// sequence's parameters start two bytes on: adding that bit to the
	// parameter bytes carries it past their run, to the byte that ends
	// the sequence, which must be a final byte. The sequences span the
	// bits from each S to each end, (ends << 1) - S, as their spans are
	// disjoint. A sequence that goes on past the block is left to the next
	// block, which starts with it. Anything else (an ESC without '[', a
	// sequence whose end is no final byte: a final '_' is a stop) is left
	// to the loop below. R10 is spilled to w, which is only written at the
	// end.
	MOVQ R14, R8
	SUBQ AX, R8
	CMPQ R8, $32
	JB inblock
	VPCMPEQB Y0, Y13, Y5
	VPMOVMSKB Y5, R13 // ESC
	ANDNQ DX, R13, R8
	JNZ inblock // a stop other than ESC
	MOVQ R10, w+56(FP)
	SHRQ $1, R10
	ANDQ R13, R10 // S
	MOVL $32, R13 // the bytes handled
	LEAQ (R15)(R10*4), CX
	ANDNQ CX, R15, CX // the ends
	MOVQ CX, R8
	SHRQ $32, R8
	JZ ended
	// The last sequence goes on past the block: the bytes before it.
	BSRQ R10, R13
	BTRQ R13, R10
	TESTQ R13, R13
	JZ bulkfail
	BZHIQ R13, CX, CX

ended:
	ANDNQ CX, R12, R8
	JNZ bulkfail // a sequence without its final byte
	SHLQ $1, CX
	SUBQ R10, CX // the sequences
	MOVQ CX, R8
	NOTQ R8
	BZHIQ R13, R8, R8 // the bytes kept
	TESTQ R8, DX
	JNZ bulkfail // a stop that is no sequence's
	TESTQ CX, CX
	JZ packed
	BSRQ CX, CX
	LEAQ 1(R9)(CX*1), CX
	MOVQ CX, plain+72(FP)

packed:
	// Each 8 bytes packed by the shuffle of their mask.
	LEAQ (R9)(R13*1), AX
	LEAQ ·packLUT(SB), R13
	PACK8(0)
	PACK8(8)
	PACK8(16)
	PACK8(24)
	JMP block

bulkfail:
	MOVQ w+56(FP), R10

inblock:
	// dst[BX:] holds src[AX:R9+32]; DX, not zero, the block's stops
	// from AX on. Go to the next (at offset CX of the block).
	BSFQ DX, CX
	LEAQ (R9)(CX*1), R8
	SUBQ AX, R8
	ADDQ R8, BX
	LEAQ (R9)(CX*1), AX
	CMPQ AX, R14
	JAE done
	MOVBLZX (SI)(AX*1), R8
	CMPL R8, $0x1b
	JEQ esc
	CMPL R8, $0x5f
	JEQ under
	CMPL R8, $0x80
	JAE rune
	CMPL R8, $0x0d
	JNE done

cr:
	// A '\r' ends a segment: kept if it shows something.
	MOVQ seg+32(FP), R8
	MOVQ base+40(FP), R13
	ADDQ BX, R13
	MOVQ 0(R8), CX
	CMPQ R13, CX
	JLE crempty
	MOVQ CX, 8(R8)
	MOVQ R13, 16(R8)

crempty:
	MOVQ R13, 0(R8)
	INCQ AX
	JMP resume

esc:
	// ESC at offset CX of the block: '[' next, the parameters, a final
	// byte, all in the block and before n.
	LEAQ 1(CX), R8
	BTQ R8, R10
	JCC special
	ADDQ $2, CX
	MOVQ R15, R8
	SHRQ CX, R8
	NOTQ R8
	BSFQ R8, R8
	ADDQ CX, R8
	BTQ R8, R12 // past the block (R8 = 32), no bit is set
	JCC special
	LEAQ 1(R9)(R8*1), R13
	CMPQ R13, R14
	JA special
	MOVQ R13, AX
	MOVQ AX, plain+72(FP)

resume:
	// AX is past what was handled: on in the block if it is not over.
	MOVQ AX, CX
	SUBQ R9, CX
	CMPQ CX, $32
	JAE block
	LEAQ 32(AX), R8
	CMPQ R8, R11
	JA block
	VMOVDQU (SI)(AX*1), Y1
	VMOVDQU Y1, (DI)(BX*1)
	MOVQ $-1, R8
	SHLQ CX, R8
	ANDQ R8, DX
	JNZ inblock

rest:
	// Nothing more stops in the block.
	LEAQ 32(R9), R8
	SUBQ AX, R8
	ADDQ R8, BX
	LEAQ 32(R9), AX
	JMP block

under:
	// A '_' at offset CX of the block: a stop when it ends "section" or
	// "travis" in the run of bytes written as they are.
	MOVQ plain+72(FP), R13
	LEAQ -7(AX), R8
	CMPQ R8, R13
	JLT undertravis
	MOVQ -7(SI)(AX*1), R8
	CMPQ R8, sectionUnder<>(SB)
	JEQ done

undertravis:
	LEAQ -6(AX), R8
	CMPQ R8, R13
	JLT underplain
	MOVL -6(SI)(AX*1), R8
	CMPL R8, $0x76617274 // "trav"
	JNE underplain
	MOVWLZX -2(SI)(AX*1), R8
	CMPL R8, $0x7369 // "is"
	JEQ done

underplain:
	// Plain text. One byte at a time (R9 set so), it is copied; else on
	// to the next stop, the '_' in the run to it.
	MOVQ AX, R8
	SUBQ R9, R8
	CMPQ R8, $32
	JAE tailplain
	BTRQ CX, DX
	TESTQ DX, DX
	JNZ inblock
	JMP rest

rune:
	// R8 >= 0x80 at AX: a rune of 2, 3 or 4 bytes, valid, before n,
	// shown as it is (not a C1 control, U+061C or a bidirectional
	// control of U+200E-U+200F, U+202A-U+202E, U+2066-U+2069) is
	// copied, and the text goes on after it. Anything else is Go's.
	CMPL R8, $0xc2
	JB done
	CMPL R8, $0xe0
	JAE rune3
	LEAQ 1(AX), R13
	CMPQ R13, R14
	JAE done
	MOVBLZX 1(SI)(AX*1), R13
	SUBL $0x80, R13
	CMPL R13, $0x3f
	JA done
	CMPL R8, $0xc2
	JNE rune2b
	CMPL R13, $0x20
	JB done // U+0080-U+009F

rune2b:
	CMPL R8, $0xd8
	JNE rune2copy
	CMPL R13, $0x1c
	JEQ done // U+061C

rune2copy:
	MOVW (SI)(AX*1), R13
	MOVW R13, (DI)(BX*1)
	ADDQ $2, AX
	ADDQ $2, BX
	JMP resume

rune3:
	CMPL R8, $0xf0
	JAE rune4
	LEAQ 2(AX), R13
	CMPQ R13, R14
	JAE done
	// The second byte: A0-BF after E0, 80-9F after ED, else 80-BF.
	MOVBLZX 1(SI)(AX*1), R13
	MOVL R13, CX
	CMPL R8, $0xe0
	JNE rune3ed
	SUBL $0xa0, CX
	CMPL CX, $0x1f
	JA done
	JMP rune3third

rune3ed:
	SUBL $0x80, CX
	CMPL R8, $0xed
	JNE rune3any
	CMPL CX, $0x1f
	JA done
	JMP rune3third

rune3any:
	CMPL CX, $0x3f
	JA done

rune3third:
	MOVBLZX 2(SI)(AX*1), CX
	SUBL $0x80, CX
	CMPL CX, $0x3f
	JA done
	CMPL R8, $0xe2
	JNE rune3copy
	CMPL R13, $0x80
	JNE rune3e281
	CMPL CX, $0x0e
	JEQ done // U+200E
	CMPL CX, $0x0f
	JEQ done // U+200F
	SUBL $0x2a, CX
	CMPL CX, $4
	JBE done // U+202A-U+202E
	JMP rune3copy

rune3e281:
	CMPL R13, $0x81
	JNE rune3copy
	SUBL $0x26, CX
	CMPL CX, $3
	JBE done // U+2066-U+2069

rune3copy:
	MOVW (SI)(AX*1), R13
	MOVW R13, (DI)(BX*1)
	MOVB 2(SI)(AX*1), R13
	MOVB R13, 2(DI)(BX*1)
	ADDQ $3, AX
	ADDQ $3, BX
	JMP resume

rune4:
	CMPL R8, $0xf4
	JA done
	LEAQ 3(AX), R13
	CMPQ R13, R14
	JAE done
	// The second byte: 90-BF after F0, 80-8F after F4, else 80-BF.
	MOVBLZX 1(SI)(AX*1), CX
	CMPL R8, $0xf0
	JNE rune4f4
	SUBL $0x90, CX
	CMPL CX, $0x2f
	JA done
	JMP rune4rest

rune4f4:
	SUBL $0x80, CX
	CMPL R8, $0xf4
	JNE rune4any
	CMPL CX, $0x0f
	JA done
	JMP rune4rest

rune4any:
	CMPL CX, $0x3f
	JA done

rune4rest:
	MOVBLZX 2(SI)(AX*1), CX
	SUBL $0x80, CX
	CMPL CX, $0x3f
	JA done
	MOVBLZX 3(SI)(AX*1), CX
	SUBL $0x80, CX
	CMPL CX, $0x3f
	JA done
	MOVL (SI)(AX*1), R13
	MOVL R13, (DI)(BX*1)
	ADDQ $4, AX
	ADDQ $4, BX
	JMP resume

special:
	// src[AX] is not plain, read one byte at a time: a '\r', a colour
	// sequence, a rune, else return. R9 is set so that resume goes
	// back to block (and the code shared with block knows it).
	MOVQ AX, R9
	SUBQ $32, R9
	MOVBLZX (SI)(AX*1), R8
	CMPL R8, $0x80
	JAE rune
	CMPL R8, $0x0d
	JEQ cr
	CMPL R8, $0x1b
	JNE done
	LEAQ 2(AX), R8
	CMPQ R8, R14
	JAE done
	CMPB 1(SI)(AX*1), $0x5b // '['
	JNE done

params:
	MOVBLZX (SI)(R8*1), DX
	SUBL $0x30, DX
	CMPL DX, $0x0f
	JA final
	INCQ R8
	CMPQ R8, R14
	JB params
	JMP done // no final byte before n

final:
	// DX holds the byte minus 0x30: a final byte is 0x40-0x7e.
	SUBL $0x10, DX
	CMPL DX, $0x3e
	JA done
	LEAQ 1(R8), AX
	MOVQ AX, plain+72(FP)
	JMP block

tail:
	// Past the bytes it may read 32 at a time: one at a time.
	CMPQ AX, R14
	JAE done
	MOVBLZX (SI)(AX*1), DX
	CMPB DX, $0x09
	JEQ copy
	CMPB DX, $0x5f
	JEQ tailunder
	CMPB DX, $0x20
	JB special
	CMPB DX, $0x7e
	JA special

copy:
	MOVB DX, (DI)(BX*1)
	INCQ AX
	INCQ BX
	JMP tail

tailunder:
	MOVQ AX, R9
	SUBQ $32, R9
	JMP under

tailplain:
	MOVL $0x5f, DX
	JMP copy

done:
	VZEROUPPER
	MOVQ BX, w+56(FP)
	MOVQ AX, r+64(FP)
	RET

DATA sectionUnder<>+0(SB)/8, $"section_"
GLOBL sectionUnder<>(SB), RODATA|NOPTR, $8

// func newlineMasks(p *byte, blocks int, out *blockMask)
//
// For each 32-byte block b of p, out[b].newlines gets bit i set when byte
// 32b+i is '\n', and out[b].special is cleared. It reads p[0 : 32*blocks]
// and leaves out[b].grams alone.
TEXT ·newlineMasks(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ out+16(FP), R8
	TESTQ CX, CX
	JEQ nldone

	VPBROADCASTD NEWLINE, Y9

nlloop:
	VPCMPEQB (SI), Y9, Y0
	VPMOVMSKB Y0, R10
	MOVL $0, 4(R8)
	MOVL R10, 8(R8)
	ADDQ $32, SI
	ADDQ $12, R8
	DECQ CX
	JNZ nlloop

	VZEROUPPER

nldone:
	RET
