//go:build !amd64 || purego

package joblog

// haveGramMasks is a variable, as on amd64, so that tests can turn it off.
var haveGramMasks = false

func pairMasks(p *byte, blocks int, tab *uint32, out *blockMask, keyMask, highShift uint32) {
	panic("pairMasks needs amd64")
}

func textMasks(p *byte, blocks int, out *blockMask) (special int) {
	panic("textMasks needs amd64")
}

func stripColours(dst, src *byte, n, readable int, seg *segments, base, run int) (w, r, plain int) {
	panic("stripColours needs amd64")
}

func newlineMasks(p *byte, blocks int, out *blockMask) {
	panic("newlineMasks needs amd64")
}
