//go:build amd64 && !purego

package joblog

import "golang.org/x/sys/cpu"

// Written in gram_amd64.s.
//
//go:noescape
func pairMasks(p *byte, blocks int, tab *uint32, out *blockMask, keyMask, highShift uint32)

//go:noescape
func stripColours(dst, src *byte, n, readable int, seg *segments, base, run int) (w, r, plain int)

//go:noescape
func newlineMasks(p *byte, blocks int, out *blockMask)

//go:noescape
func textMasks(p *byte, blocks int, out *blockMask) (special int)

// haveGramMasks reports whether the kernels of gram_amd64.s (pairMasks,
// textMasks, newlineMasks, stripColours) can run: they need AVX2, and
// stripColours the bit instructions of BMI1, BMI2 and POPCNT, which every
// processor with AVX2 has.
var haveGramMasks = cpu.X86.HasAVX2 && cpu.X86.HasBMI1 && cpu.X86.HasBMI2 && cpu.X86.HasPOPCNT
