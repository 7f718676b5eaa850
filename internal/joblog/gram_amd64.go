//go:build amd64 && !purego

package joblog

import "golang.org/x/sys/cpu"

// gramMasks4 is written in gram_amd64.s.
//
//go:noescape
func gramMasks4(p *byte, blocks int, tab *byte, out *blockMask)

// haveGramMasks reports whether gramMasks4 can run: it needs AVX2 (for
// VPGATHERDD).
var haveGramMasks = cpu.X86.HasAVX2
