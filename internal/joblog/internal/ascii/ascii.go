// Package ascii holds byte-level helpers that the log engine and the
// failing-test collector share on their per-line paths.
package ascii

import (
	"encoding/binary"
	"math/bits"
)

// Blanks returns how many spaces and tabs text starts with, reading spaces
// eight bytes at a time (test output and stack traces are often deeply
// indented).
func Blanks(text []byte) int {
	s := 0
	for s+8 <= len(text) {
		x := binary.LittleEndian.Uint64(text[s:]) ^ 0x2020202020202020
		if x != 0 {
			s += bits.TrailingZeros64(x) >> 3
			break
		}
		s += 8
	}
	for s < len(text) && (text[s] == ' ' || text[s] == '\t') {
		s++
	}
	return s
}
