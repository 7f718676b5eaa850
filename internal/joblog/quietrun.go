package joblog

import (
	"encoding/binary"
	"math/bits"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog/internal/ascii"
)

// Most of a long log is output of a job going well: lines that hold no
// keyword, no command, no fact and nothing that cleaning changes. Such a
// line changes nothing but the line count, the rings of recent lines and,
// while a block is open, that block, so quietRun takes a whole run of them
// at once: the chunk's masks say where the next byte that is not plain
// text or the next keyword is (nextStop), each line of the run is looked
// at only for the few things a line start can hold, the open block (until
// it closes) sees each line, and only the last ringSize lines of the run
// go into the rings (nothing reads them before the run ends: only a line
// that starts a block does). In a coloured chunk, the runs go over the
// text of its lines, cleaned first (prepare), where coloured lines read as
// plain ones. The result is the one line by line handling gives;
// TestAnalyzeWithoutBlocks, TestPrecleanAgrees and FuzzAnalyzeBlocks check
// that.

// quietRun handles the quiet lines of chunk (the chunk read last or its
// cleaned text, which the masks describe) from offset p, the start of a line, and returns the
// offset after the last line it handled: p when it handled none.
func (a *analyzer) quietRun(chunk []byte, p int) int {
	if !a.grams || a.n == 0 || p >= 32*len(a.masks) || a.warn.start > 0 && a.warn.cmdLine == a.cmdLine && a.warn.end == a.n {
		return p // noteWarning reads the next lines
	}
	// A run ends maxLineBytes on at the latest: a line longer than that,
	// which line cuts, is never in one.
	stop := min(a.nextStop(chunk, p), p+maxLineBytes+1)
	// The lines handled, the last ringSize of them by their offsets.
	last := &a.quietLast
	k := 0
	s := p
	b := s >> 5
	nl := newlineWord(a.masks, b) &^ (1<<(s&31) - 1)
	pending := a.pending // no quiet line opens or closes RSpec's pending list
	if a.cur != nil || a.post != 0 || a.timestamped {
		for {
			var e int
			if e, b, nl = nextLineEnd(a.masks, b, nl); e >= stop {
				goto done // the line holds the stop, or the masks end before it
			}
			body := s
			if a.timestamped && hasTimestampHeader(chunk[s:e]) {
				body += timestampHeader
			}
			text := trimCR(chunk[body:e])
			if !quietStart(text, pending) {
				goto done
			}
			n := a.n + 1 + k
			if len(a.sinks) != 0 {
				for _, sk := range a.sinks {
					sk.LineInChunk(n, text)
				}
			}
			if a.cur != nil {
				// The open block may take the line, or close before it.
				// (noteWarning has nothing to do: a quiet line holds no
				// "warning", the keyword of warningWord, and the run stops
				// before a line that goes on a warning's lines.)
				a.trackBlocks(n, text, 0, nil, false, true)
			}
			if a.post != 0 {
				a.remember(n, text, 0, false, true)
			} else {
				last[uint(k)%ringSize] = struct{ s, e int }{body, e}
			}
			k++
			s = e + 1
			if a.cur == nil && a.post == 0 && !a.timestamped {
				break // the block closed (a quiet line opens none): on as below
			}
		}
	}
	{
		// No block takes the lines, the rings read them at the end: but
		// for the sinks, most lines are settled by their first byte (an
		// empty line's is its '\n'). A loop of its own, without the
		// tests of the general one above at each line.
		sinks := a.sinks
		for {
			var e int
			if e, b, nl = nextLineEnd(a.masks, b, nl); e >= stop {
				break // the line holds the stop, or the masks end before it
			}
			if !quietLead[chunk[s]] && !quietIndented(chunk[s:e]) && !quietStartLong(trimCR(chunk[s:e]), pending) {
				break
			}
			if len(sinks) != 0 { // a range over none costs more than this test
				for _, sk := range sinks {
					sk.LineInChunk(a.n+1+k, trimCR(chunk[s:e]))
				}
			}
			last[uint(k)%ringSize] = struct{ s, e int }{s, e}
			k++
			s = e + 1
		}
	}
done:
	if k == 0 {
		return p
	}
	if a.post == 0 {
		// The rings hold the last ringSize lines: the lines before them in
		// the run would have left them again.
		kept := min(k, ringSize)
		a.scriptN += k - kept
		for j := k - kept; j < k; j++ {
			l := last[uint(j)%ringSize]
			a.rememberQuiet(a.n+1+j, trimCR(chunk[l.s:l.e]))
		}
	}
	a.n += k
	return s
}

// nextLineEnd returns the offset of the first newline of the masks from
// block b on, nl holding the newlines of blocks b and b+1 not yet passed
// (newlineWord), and the block and newlines to go on from: two blocks at a
// time, most lines end in the word that holds their start. Past the masks,
// e is the offset they end at, where a stop (nextStop) is at the latest.
func nextLineEnd(masks []blockMask, b int, nl uint64) (e, b2 int, nl2 uint64) {
	for nl == 0 {
		if b += 2; b >= len(masks) {
			return len(masks) << 5, len(masks), 0
		}
		nl = newlineWord(masks, b)
	}
	return b<<5 + bits.TrailingZeros64(nl), b, nl & (nl - 1)
}

// newlineWord returns the newlines of blocks b and b+1 of the masks, bit i
// for byte 32b+i.
func newlineWord(masks []blockMask, b int) uint64 {
	nl := uint64(masks[b].newlines)
	if b+1 < len(masks) {
		nl |= uint64(masks[b+1].newlines) << 32
	}
	return nl
}

// trimCR drops the '\r' that ends a line's text, as clean does.
func trimCR(text []byte) []byte {
	if l := len(text); l > 0 && text[l-1] == '\r' {
		return text[:l-1]
	}
	return text
}

// quietStart reports whether a plain line free of keywords (text, without
// the runner's timestamp) holds nothing at its start that line handles
// either: a fact, a command, a section marker, a line-start keyword, a
// numbered item or a line that opens or closes RSpec's list of pending
// examples (rspecPending). (A located warning holds the keyword of
// warningWord.) Inside that list (pending), a numbered item is quiet:
// rspecPending takes its match away.
func quietStart(text []byte, pending bool) bool {
	if len(text) == 0 || quietLead[text[0]] || quietIndented(text) {
		return true
	}
	return quietStartLong(text, pending)
}

// quietStartLong is quietStart for a line that does not start with a
// quietLead byte.
func quietStartLong(text []byte, pending bool) bool {
	if len(text) > 0 && factLead[text[0]] && !plainLead(text) { // most lines here start with a space
		return false
	}
	s := ascii.Blanks(text)
	if s < len(text) && bodyLead[text[s]] != 0 {
		c := text[s]
		if bodyLead[c]&leadsKeyword != 0 {
			var m ruleMask
			if matcher.scanLineStart(text, &m); !m.isZero() {
				return false
			}
		}
		if bodyLead[c]&leadsItem != 0 && !pending && isNumberedItem(text) {
			return false
		}
	}
	return true
}

// quietIndented reports, for most indented lines (line, with its '\r' if
// it has one), that quietStart holds: the line starts with a space, and
// the first byte after its indentation is among its first 16 and starts
// nothing bodyLead marks. One or two loads, without the call and the
// loops of quietStartLong, which answers for the other lines.
func quietIndented(line []byte) bool {
	if len(line) < 8 {
		return false
	}
	x, i := binary.LittleEndian.Uint64(line)^0x20*ones8, 0 // spaces become zeros
	if x == 0 && len(line) >= 16 {
		x, i = binary.LittleEndian.Uint64(line[8:])^0x20*ones8, 8
	}
	if x == 0 || i == 0 && x&0xff != 0 {
		return false
	}
	c := line[i+bits.TrailingZeros64(x)>>3]
	return bodyLead[c] == 0 && c != '\t' // a tab goes on the indentation
}

// bodyLead says what the first byte after a line's indentation may start,
// for quietStartLong: a line-start keyword (leadsKeyword), a numbered item
// (leadsItem, a digit). One small table read, rather than the keywords'.
var bodyLead [256]uint8

const (
	leadsKeyword = 1 << iota
	leadsItem
)

// quietLead marks the bytes that tell, when a line starts with them, that
// quietStart holds: they start no fact, command or marker (factLead), no
// indentation, no numbered item and no line-start keyword.
var quietLead [256]bool

// nextStop returns the first offset from p, the start of a line, of a byte
// of the chunk that is not plain text or of a keyword's anchor; past the
// bytes the masks cover, their end. The lines before it are plain and hold
// no keyword but those of rules their lines cannot match (cannotMatch).
// Keywords are looked for in the chunk as a whole, which finds
// every one that a line holds (a keyword has no '\n'), and maybe one that
// straddles a timestamp header: that line is then left to line by line
// handling, which is exact. The answer is kept for the next call.
func (a *analyzer) nextStop(chunk []byte, p int) int {
	if a.stopFrom >= 0 && a.stopFrom <= p && p <= a.stop {
		return a.stop // nothing stops between stopFrom and stop
	}
	a.stopFrom, a.stop = p, a.findStop(chunk, p)
	return a.stop
}

func (a *analyzer) findStop(chunk []byte, p int) int {
	a.stopGram = false
	masks := a.masks // a local: the loop over empty blocks stays in registers
	b := p >> 5
	if b >= len(masks) {
		return 32 * len(masks)
	}
	before := uint32(1)<<(p&31) - 1 // the block's bytes before p
	sp, gr := masks[b].special&^before, masks[b].grams&^before
	for {
		if sp|gr != 0 {
			if sp != 0 {
				// Only the grams before the first special byte matter.
				gr &= 1<<bits.TrailingZeros32(sp) - 1
			}
			for ; gr != 0; gr &= gr - 1 {
				o := b<<5 + bits.TrailingZeros32(gr)
				g := binary.LittleEndian.Uint32(chunk[o:]) | 0x20202020
				sl := matcher.anchor(g, gramHash(g)) // inlined, as in wakeBlock
				if sl == nil {
					continue
				}
				var m ruleMask
				if matcher.compare(chunk, o, sl, &m); m.isZero() {
					continue
				}
				if m.any(&startBound) && a.cannotMatch(chunk, lineStart(masks, p, o), o, m) {
					continue
				}
				a.stopGram, a.stopRules = true, m
				return o
			}
			if sp != 0 {
				return b<<5 + bits.TrailingZeros32(sp)
			}
		}
		if b++; b >= len(masks) {
			return 32 * len(masks)
		}
		sp, gr = masks[b].special, masks[b].grams
	}
}

// cannotMatch reports whether no rule of m, the rules of the keywords found
// up to o in the line that starts at ls, can match the line (its text after
// the runner's timestamp header, when it has one, as line reads it), when
// they are rules whose expressions are anchored at the text's start: its
// first byte rules them out, or their expressions do not match it. Such keywords
// need not stop a run of quiet lines. The bytes from ls to o are plain
// text; a line with a byte that is not plain text after o (a colour, a
// '\r' redraw) stops the run there all the same, and line cleans and
// classifies it.
func (a *analyzer) cannotMatch(chunk []byte, ls, o int, m ruleMask) bool {
	if m[0]&^startBound[0]|m[1]&^startBound[1] != 0 {
		return false // only anchored expressions: they fail within a few bytes
	}
	e := lineEnd(a.masks, o)
	if e < 0 {
		return false
	}
	if a.timestamped && hasTimestampHeader(chunk[ls:e]) {
		// The line's text, as line reads it, starts after the header.
		if ls += timestampHeader; o < ls {
			return false
		}
	}
	miss := &startMiss[chunk[ls]]
	m[0] &^= miss[0]
	m[1] &^= miss[1]
	text := trimCR(chunk[ls:e])
	for i := range m.indexes(len(a.rs)) {
		if re := a.rs[i].re; re == nil || re.Match(text) {
			return false
		}
	}
	return true
}
