package joblog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Options tune Analyze. The zero value is ready to use.
type Options struct {
	// MaxExcerpts is the number of excerpt blocks to return. Default 5.
	MaxExcerpts int
	// Sinks are extra consumers of every cleaned line, called in the same
	// pass, in order. One that is a ChunkSink may keep most lines without
	// copying them (LineInChunk).
	Sinks []LineSink
}

// Section is one collapsible section of the log (GitLab section markers, or
// Travis CI fold markers in logs saved from there).
type Section struct {
	Name string
	// StartLine and EndLine are the 1-based lines holding the start and end
	// markers; EndLine is 0 when the section was never closed (a truncated
	// or cancelled log).
	StartLine, EndLine int
	// Duration from the markers' timestamps (whole seconds).
	Duration time.Duration
	// Failed marks the script section the job failed in.
	Failed bool
}

// Excerpt is a block of cleaned log lines worth reading.
type Excerpt struct {
	// StartLine and EndLine are 1-based and inclusive, counted by '\n' in
	// the raw log (the numbering of GitLab's #L<n> links).
	StartLine, EndLine int
	// Lines holds the cleaned text of lines StartLine..EndLine; a line
	// longer than 1000 bytes is cut and ends with "…".
	Lines []string
	// Highlight lists the line numbers that matched a rule.
	Highlight []int
	// Rule is the knowledge-base rule behind the block, or "lead-up" for the
	// last lines of output before the failure, or "tail" for the end of the
	// log when nothing else was found.
	Rule string
}

// Result is what Analyze learned from one job log.
type Result struct {
	Lines int   // lines in the raw log, counted by '\n' (plus a last unterminated one)
	Bytes int64 // bytes read

	Sections      []Section
	FailedSection string

	// FailingCommand is the last command the shell echoed ("$ cmd") in the
	// job script before the failure, at line FailingCommandLine.
	FailingCommand     string
	FailingCommandLine int

	ExitCode    int
	HasExitCode bool

	Image       string // job image, from "Using docker image …"
	RunnerError string // runner or system failure message, if any
	TimedOut    bool
	Truncated   bool // the runner cut the log at its output limit

	Category Category
	Hint     string
	Rule     string // the winning knowledge-base rule

	Excerpts []Excerpt // ranked, best first
}

// Limits that keep memory flat whatever the log.
const (
	readChunk       = 256 << 10 // bytes read at a time
	maxLineBytes    = 64 << 10  // raw bytes of one line that are analysed; the rest is skipped
	maxExcerptLine  = 1000      // bytes of cleaned text kept per excerpt line
	maxSections     = 2000      // sections recorded
	maxBlocks       = 48        // candidate blocks kept
	maxBlockLines   = 24        // lines in one block
	maxMergedLines  = 100       // lines in a block made of touching blocks
	maxCommandBytes = 500       // bytes kept of the failing command
	ringSize        = 16        // recent lines kept for context
	growAfterHit    = 12        // continuation lines kept after a matching line
	mergeGap        = 4         // non-matching lines that may separate hits of one block
	leadUpLines     = 10        // lines before the failure shown as the lead-up block
	maxBefore       = 4         // context lines kept above a matching line
	defaultExcerpts = 5
	timestampHeader = 32
)

// Analyze reads one job log as a stream, in one pass and with bounded
// memory, and returns what it learned. On a read error it returns what it
// has so far together with the error.
func Analyze(r io.Reader, opts Options) (*Result, error) {
	rs, err := compiledRules()
	if err != nil {
		return nil, err
	}
	if opts.MaxExcerpts <= 0 {
		opts.MaxExcerpts = defaultExcerpts
	}
	a := &analyzer{rs: rs, opts: opts, sinks: chunkSinks(opts.Sinks), res: &Result{}, stopFrom: -1, weakest: -1}
	bufp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bufp)
	buf := *bufp
	sc := scratchBufs.Get().(*scratch)
	a.masks, a.cl.out, a.rawAt, a.free = sc.masks[:0], sc.out[:0], sc.rawAt[:0], sc.blocks
	carry := sc.carry[:0]
	overflow := false // the current line is longer than maxLineBytes
	var readErr error
	for {
		a.ownLines()
		if a.cur != nil {
			a.cur.own()
		}
		for _, s := range a.sinks {
			s.OwnLines()
		}
		nread, err := r.Read(buf)
		a.res.Bytes += int64(nread)
		chunk := buf[:nread]
		var tail []byte
		if haveGramMasks {
			chunk, tail, carry, overflow = a.prepare(chunk, carry, overflow)
		}
		carry, overflow = a.lines(chunk, carry, overflow)
		a.cleaned = false
		if len(tail) > 0 {
			carry, overflow = appendCapped(carry, tail, overflow)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = fmt.Errorf("reading job log: %w", err)
			}
			break
		}
	}
	if len(carry) > 0 || overflow {
		a.chunkOff = -1
		a.line(carry)
	}
	a.finish()
	for _, s := range a.sinks {
		s.OwnLines() // before the buffers go back to their pools
	}
	if a.cbuf != nil {
		cleanBufs.Put(a.cbuf)
	}
	sc.keep(a, carry)
	scratchBufs.Put(sc)
	return a.res, readErr
}

// scratch holds the buffers an analysis grows, for the next one (the
// doctor reads the logs of many jobs): the masks, the line being cleaned,
// the incomplete line, the raw lines' offsets and the candidate blocks.
// The result holds copies of what it takes from them.
type scratch struct {
	masks  []blockMask
	out    []byte
	carry  []byte
	rawAt  []int
	blocks []*block
}

// Limits of what a scratch keeps: buffers grown by one long line are let
// go.
const (
	keptBlocks      = 64
	keptBlockBytes  = 16 << 10
	keptBufferBytes = 128 << 10
)

var scratchBufs = sync.Pool{New: func() any { return &scratch{carry: make([]byte, 0, 4096)} }}

// keep takes back the buffers of a finished analysis, carry its last
// incomplete line.
func (sc *scratch) keep(a *analyzer, carry []byte) {
	sc.masks, sc.rawAt = a.masks[:0], a.rawAt[:0]
	sc.out, sc.carry = nil, nil
	if cap(a.cl.out) <= keptBufferBytes {
		sc.out = a.cl.out[:0]
	}
	if cap(carry) <= keptBufferBytes {
		sc.carry = carry[:0]
	}
	// The blocks are gathered in a.free's array (the one sc.blocks gave
	// it), filtered in place: a block is written at or before where it is
	// read.
	kept := a.free[:0]
	for _, list := range [][]*block{a.free, a.blocks, {a.cur}} {
		for _, b := range list {
			if b != nil && len(kept) < keptBlocks && cap(b.buf) <= keptBlockBytes && !slices.Contains(kept, b) {
				kept = append(kept, b)
			}
		}
	}
	sc.blocks = kept
}

// lines handles the lines of chunk, which a.masks describe (when
// haveGramMasks), the first of them completing carry; it returns the line
// left incomplete at the end of chunk, with overflow set when it is longer
// than maxLineBytes.
func (a *analyzer) lines(chunk, carry []byte, overflow bool) ([]byte, bool) {
	data := chunk
	for len(data) > 0 {
		p := len(chunk) - len(data)
		if len(carry) == 0 && !overflow {
			if q := a.quietRun(chunk, p); q > p {
				data = data[q-p:]
				continue
			}
		}
		i := a.indexNewline(data, p)
		if i < 0 {
			return appendCapped(carry, data, overflow)
		}
		if len(carry) > 0 || overflow {
			carry, overflow = a.endCarry(carry, data[:i], overflow), false
		} else {
			a.chunkOff = p
			a.line(data[:min(i, maxLineBytes)]) // as appendCapped cuts a line read in pieces
		}
		data = data[i+1:]
	}
	return carry, overflow
}

// endCarry handles the line that carry (with overflow set when it is
// longer than maxLineBytes) began and data ends, and returns carry emptied.
func (a *analyzer) endCarry(carry, data []byte, overflow bool) []byte {
	carry, _ = appendCapped(carry, data, overflow)
	a.chunkOff = -1
	a.line(carry)
	return carry[:0]
}

// prepare computes the masks of chunk, the chunk just read. When many of
// its blocks hold bytes that are not plain text (colours, section markers,
// '\r' redraws), it first completes carry, then cleans the chunk's whole
// lines and returns their text (preclean) for lines to read instead, with
// the bytes of the incomplete line at the chunk's end as tail: lines that
// cleaning changed then read as plain text, and runs of quiet lines go on
// through them. Otherwise it returns chunk itself, with no tail.
func (a *analyzer) prepare(chunk, carry []byte, overflow bool) (out, tail, carry2 []byte, overflow2 bool) {
	var special int
	a.masks, special = textBlockMasks(chunk, a.masks)
	a.stopFrom = -1
	if len(a.masks) == 0 || special*precleanShare < len(a.masks) {
		a.grams = matcher.gramsOf(chunk, a.masks)
		return chunk, nil, carry, overflow
	}
	a.grams = false
	p := 0
	if len(carry) > 0 || overflow {
		i := a.indexNewline(chunk, 0)
		if i < 0 {
			carry, overflow = appendCapped(carry, chunk, overflow)
			return nil, nil, carry, overflow
		}
		carry, overflow = a.endCarry(carry, chunk[:i], overflow), false
		p = i + 1
	}
	end := bytes.LastIndexByte(chunk, '\n') + 1
	if end <= p {
		return nil, chunk[p:], carry, overflow
	}
	cb := a.preclean(chunk, p, end)
	a.masks = lineBlockMasks(cb, a.masks)
	markRawLines(a.masks, a.rawAt)
	a.grams = matcher.gramsOf(cb, a.masks)
	a.cleaned = true
	return cb, chunk[end:], carry, overflow
}

// markRawLines sets, in the masks of the cleaned buffer (whose special
// bytes lineBlockMasks left clear), one mark at the start of each line
// written to it as it is (rawAt): every other line is display text
// already, whatever its UTF-8, so that runs of quiet lines go on through
// them and their grams are tested with the chunk's; a line written as it
// is stops a run, and line cleans it.
func markRawLines(masks []blockMask, rawAt []int) {
	for _, off := range rawAt {
		if b := off >> 5; b < len(masks) {
			masks[b].special |= 1 << (off & 31)
		}
	}
}

// precleanShare sets when prepare cleans a chunk first: when at least one
// of every precleanShare of its 32-byte blocks holds a byte that is not
// plain text. Below that, copying the chunk and computing its masks again
// costs more than the lines it turns into plain text save (measured on
// passing output with colour, the dense trace and the real logs: with one
// in 8, chunks that would repay it are left as they are; with one in 32,
// chunks that do not are cleaned).
const precleanShare = 16

// preclean writes the whole lines chunk[p:end] (end follows a '\n') to the
// cleaned buffer as line reads them, and returns it. Runs of plain lines
// are copied as they are; each other line is written as its timestamp
// header, if the log has them, then its display text. A line with section
// markers, or whose text starts as a marker or a timestamp header would,
// is written as it is and its offset kept in rawAt: line cleans it again.
// The masks describe chunk.
func (a *analyzer) preclean(chunk []byte, p, end int) []byte {
	if a.cbuf == nil {
		a.cbuf = cleanBufs.Get().(*[]byte)
	}
	out := (*a.cbuf)[:0]
	a.rawAt, a.rawNext = a.rawAt[:0], 0
	timestamped := a.timestamped
	if a.n == 0 {
		// The log's first line: line decides from it.
		timestamped = hasTimestampHeader(chunk[p : p+bytes.IndexByte(chunk[p:end], '\n')])
	}
	covered := min(32*len(a.masks), end)
	for p < end {
		s := p // past the masks, each line is cleaned
		if p < covered {
			s = specialFrom(a.masks, 0, p, covered)
		}
		if s >= end {
			out = append(out, chunk[p:end]...)
			break
		}
		// The lines before the one that holds chunk[s] are plain.
		var ls int
		if s < covered {
			ls = lineStart(a.masks, p, s)
		} else {
			ls = bytes.LastIndexByte(chunk[p:s], '\n') + p + 1
		}
		if ls > p {
			out = append(out, chunk[p:ls]...)
		}
		e := -1
		if ls < covered {
			e = lineEnd(a.masks, ls)
		}
		if e < 0 {
			e = ls + bytes.IndexByte(chunk[ls:end], '\n')
		}
		h := 0
		if timestamped && hasTimestampHeader(chunk[ls:e]) {
			h = timestampHeader
		}
		var text []byte
		if body := chunk[ls+h : min(e, ls+maxLineBytes)]; e <= covered {
			text = a.cl.cleanOther(trimCR(body)) // as line drops the '\r': the masks let it pass
		} else {
			text = a.cl.clean(body)
		}
		// Written as it is: a line with markers, and one whose text
		// starts as a marker or a timestamp header would, which line
		// would take for one.
		if len(a.cl.markers) > 0 || bytes.HasPrefix(text, sectionPrefix) || h == 0 && hasTimestampHeader(text) {
			a.rawAt = append(a.rawAt, len(out))
			out = append(out, chunk[ls:e]...)
		} else {
			if h > 0 {
				out = append(out, chunk[ls:ls+h]...)
			}
			out = append(out, text...)
		}
		out = append(out, '\n')
		p = e + 1
	}
	*a.cbuf = out
	return out
}

// lineStart returns the offset after the last '\n' of chunk[p:s], or p
// when there is none, from the newlines of the masks, which cover s.
func lineStart(masks []blockMask, p, s int) int {
	b := s >> 5
	m := masks[b].newlines & (1<<(s&31) - 1)
	for m == 0 {
		if b<<5 <= p {
			return p
		}
		b--
		m = masks[b].newlines
	}
	return max(p, b<<5+32-bits.LeadingZeros32(m))
}

// lineEnd returns the offset of the first '\n' from s on, from the
// newlines of the masks, or -1 when there is none in the bytes they cover.
func lineEnd(masks []blockMask, s int) int {
	b := s >> 5
	if b >= len(masks) {
		return -1
	}
	m := masks[b].newlines &^ (1<<(s&31) - 1)
	for m == 0 {
		if b++; b == len(masks) {
			return -1
		}
		m = masks[b].newlines
	}
	return b<<5 + bits.TrailingZeros32(m)
}

// isRaw reports whether the line at offset off of the cleaned buffer was
// written to it as it is. Lines are asked for in order.
func (a *analyzer) isRaw(off int) bool {
	for a.rawNext < len(a.rawAt) && a.rawAt[a.rawNext] < off {
		a.rawNext++
	}
	return a.rawNext < len(a.rawAt) && a.rawAt[a.rawNext] == off
}

// cleanBufs holds the buffers preclean writes to.
var cleanBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, readChunk)
	return &b
}}

// readBufs holds read buffers of readChunk bytes, so that a run over many
// logs does not allocate and clear one per log.
var readBufs = sync.Pool{New: func() any {
	b := make([]byte, readChunk)
	return &b
}}

// appendCapped appends data to a line under construction, keeping at most
// maxLineBytes; it reports whether bytes were dropped.
func appendCapped(line, data []byte, overflow bool) ([]byte, bool) {
	room := maxLineBytes - len(line)
	if len(data) > room {
		data = data[:room]
		overflow = true
	}
	return append(line, data...), overflow
}

type openSection struct {
	name  []byte
	line  int
	ts    int64
	index int // in res.Sections, -1 when not recorded
}

type ringLine struct {
	n    int
	text []byte
	// own is the line's buffer: text is own, or a slice of the chunk read
	// last when borrowed is set (a chunk's lines are copied only when the
	// next read is about to overwrite it, and then only those still here).
	own      []byte
	borrowed bool
	weight   int
	cmd      bool
	// In the ring of recent lines: the line's index in the script ring
	// (scriptN), 0 when it is not a script line.
	script int
	// In the script ring: text holds the line. Otherwise the line is still
	// in the ring of recent lines, which hands its text over as it leaves.
	saved bool
}

// block is a candidate excerpt under construction or kept for ranking.
type block struct {
	start, end int
	lines      [][]byte
	buf        []byte // holds the lines' bytes
	// lent marks the lines (bit i for lines[i]) borrowed from the chunk
	// read last: own copies them into buf before the next read, or when
	// keep keeps the block. Most blocks are dropped as weaker ones when
	// they close, their lines never copied.
	lent       uint32
	highlight  []int
	hw         []int // the weight of each highlighted line
	lastHit    int
	maxW, hits int
	rule       *Rule
	rules      []*Rule // every rule that matched in the block, for the job's category
	post       bool    // in a section that runs after the script failed
	leadUp     bool
	chained    bool // carries on the block that ends on the line before it
	score      int  // ranking score
	prov       int  // provisional(b), once kept
	// carriesStrong marks a block that carries on a strong one.
	carriesStrong bool
	order         int
}

type analyzer struct {
	rs    []Rule
	opts  Options
	sinks []ChunkSink // opts.Sinks
	res   *Result
	cl    cleaner
	n     int

	// The masks of the blocks of the chunk read last (or of its cleaned
	// lines), and the offset in it of the line being read (-1: the line is
	// not in it).
	masks    []blockMask
	grams    bool // the masks hold the grams
	chunkOff int
	// nextStop's last answer: no stop from stopFrom (-1: none yet in this
	// chunk) up to stop. When stop is a keyword's anchor, stopRules holds
	// the rules findStop found there.
	stopFrom, stop int
	stopGram       bool
	stopRules      ruleMask
	// quietLast holds the offsets of the last lines of a run of quiet
	// lines, for the rings (quietRun).
	quietLast [ringSize]struct{ s, e int }

	timestamped bool

	// cleaned tells that the lines being read come from preclean, whose
	// buffer is cbuf; rawAt holds the offsets of the lines written as they
	// are, rawNext the first not passed yet.
	cleaned bool
	cbuf    *[]byte
	rawAt   []int
	rawNext int

	open []openSection
	post int // depth of open after-failure sections (after_script, uploads, cleanup)

	ring     [ringSize]ringLine
	script   [ringSize]ringLine // recent lines outside after-failure sections
	scriptN  int
	cmd      []byte
	cmdLine  int
	firstCmd int // line of the first command echo
	execLine int // "Using ... executor with image X"

	failLine    int // first line that reports a command or the job failing
	failCmdLine int // the command echoed before it
	failCmd     []byte

	cur      *block
	blocks   []*block
	weakest  int      // the index in blocks of the block keep drops first (-1: none)
	free     []*block // dropped blocks, for reuse
	nBlocks  int
	decisive *Rule
	decLine  int

	warn warningNote // the first located warning of the current command

	// pending is set in RSpec's list of pending examples, whose numbered
	// entries are not failures ("Failures listed here are expected").
	pending bool
}

// line handles one raw line (without its '\n').
func (a *analyzer) line(raw []byte) {
	a.n++
	n := a.n
	if n == 1 {
		a.timestamped = hasTimestampHeader(raw)
	}
	off := a.chunkOff
	if a.timestamped && hasTimestampHeader(raw) {
		raw = raw[timestampHeader:]
		off += timestampHeader
	}
	covered := a.chunkOff >= 0 && chunkCovers(a.masks, off, len(raw))
	if covered {
		raw = trimCR(raw) // as clean drops it
	}
	var text []byte
	switch {
	case a.cleaned && a.chunkOff >= 0:
		if a.isRaw(a.chunkOff) {
			// The masks mark only its start (markRawLines).
			text = a.cl.clean(raw)
			break
		}
		// preclean wrote the line's display text, or copied a plain line,
		// which may be a section marker still.
		raw = trimCR(raw)
		text = a.cl.cleanPlain(raw)
	case !covered:
		text = a.cl.clean(raw)
	case chunkPlain(a.masks, off, len(raw)):
		text = a.cl.cleanPlain(raw)
	default:
		text = a.cl.cleanOther(raw)
	}
	if len(a.cl.markers) > 0 {
		a.sectionMarkers(n)
	}
	inChunk := a.chunkOff >= 0 && a.cl.plain // text is bytes of the chunk
	for _, s := range a.sinks {
		if inChunk {
			s.LineInChunk(n, text)
		} else {
			s.Line(n, text)
		}
	}

	var m lineMatch
	if covered && a.cl.plain && a.grams {
		// findStop verified the grams from stopFrom to stop: none is a
		// keyword of a rule that can match its line; the gram at stop, when
		// it is in this line, has its rules in stopRules.
		from := off
		var found ruleMask
		if a.stopFrom >= 0 && a.stopFrom <= off {
			from = a.stop
			if a.stopGram && a.stop >= off && a.stop-off < len(text) {
				from, found = a.stop+1, a.stopRules
			}
		}
		mask := matcher.scanChunk(text, a.masks, off, from)
		mask.or(&found)
		m = classifyMask(a.rs, text, mask)
	} else {
		m = classify(a.rs, text)
	}
	if a.pending || len(text) >= 8 && text[0] == 'P' {
		a.rspecPending(text, &m)
	}
	w := m.weight
	isCmd := isCommand(text)
	if isCmd {
		w = 0
		if a.post == 0 {
			a.cmd = append(a.cmd[:0], truncateText(text[2:], maxCommandBytes)...)
			a.cmdLine = n
			if a.firstCmd == 0 {
				a.firstCmd = n
			}
		}
	}
	if m.rule != nil || isCmd || len(text) > 12 {
		a.facts(n, text, m)
	}
	if m.rule != nil && m.rule.Decisive && a.decisive == nil {
		a.decisive, a.decLine = m.rule, n
	}

	a.track(n, text, w, m.rule, isCmd, inChunk)

	a.remember(n, text, w, isCmd, inChunk)
}

// rspecListEdge reports whether text may open or close RSpec's list of
// pending examples, as rspecPending reads it ("Pending:", "Failures:",
// "Finished in "; commands close it too).
func rspecListEdge(text []byte) bool {
	return bytes.HasPrefix(text, pendingHeader) || bytes.Equal(text, failuresHeader) || bytes.HasPrefix(text, finishedIn)
}

// rspecPending follows RSpec's list of pending examples, from its header
// to the list of failures or the run's summary, and takes away the match
// of a numbered entry in it.
func (a *analyzer) rspecPending(text []byte, m *lineMatch) {
	switch {
	case bytes.Equal(text, pendingHeader) || bytes.HasPrefix(text, pendingNote):
		a.pending = true
	case !a.pending:
	case bytes.Equal(text, failuresHeader) || bytes.HasPrefix(text, finishedIn) || isCommand(text):
		a.pending = false
	case m.rule != nil && m.rule.Numbered:
		*m = lineMatch{}
	}
}

var (
	pendingHeader  = []byte("Pending:")
	pendingNote    = []byte("Pending: (Failures listed here are expected")
	failuresHeader = []byte("Failures:")
	finishedIn     = []byte("Finished in ")
)

// indexNewline is bytes.IndexByte(data, '\n') for data, the end of the
// chunk from offset p: it reads the newline masks of the blocks it covers.
func (a *analyzer) indexNewline(data []byte, p int) int {
	from := 0
	if haveGramMasks {
		if e := lineEnd(a.masks, p); e >= 0 {
			return e - p
		}
		from = max(0, 32*len(a.masks)-p) // past the blocks: the chunk's last bytes
	}
	if i := bytes.IndexByte(data[from:], '\n'); i >= 0 {
		return from + i
	}
	return -1
}

// remember keeps line n in the rings of recent lines. inChunk tells that
// text is a slice of the chunk read last, which stays valid until own.
func (a *analyzer) remember(n int, text []byte, w int, isCmd, inChunk bool) {
	slot := &a.ring[uint(n)%ringSize]
	// The line leaving the ring may still be one of the recent script
	// lines: its text moves there (handOver). (Not when this line takes
	// its place in the script ring too, which is the rule outside
	// after-failure sections.)
	if slot.script > 0 && (a.post != 0 || uint(a.scriptN+1)%ringSize != uint(slot.script)%ringSize) {
		a.handOver(slot)
	}
	slot.n, slot.weight, slot.cmd, slot.script = n, w, isCmd, 0
	if inChunk && len(text) <= maxExcerptLine {
		slot.text, slot.borrowed = text, true
	} else {
		slot.keepText(text)
	}
	if a.post == 0 {
		a.scriptN++
		s := &a.script[uint(a.scriptN)%ringSize]
		s.n, s.weight, s.cmd, s.saved = n, w, isCmd, false
		slot.script = a.scriptN
	}
}

// handOver moves the text of slot, a line leaving the ring of recent
// lines, to its place in the script ring if it is still there: the
// buffers swapped, not copied.
func (a *analyzer) handOver(slot *ringLine) {
	if s := &a.script[uint(slot.script)%ringSize]; s.n == slot.n && !s.saved {
		s.text, slot.text = slot.text, s.text
		s.own, slot.own = slot.own, s.own
		s.borrowed, slot.borrowed = slot.borrowed, s.borrowed
		s.saved = true
	}
}

// keepText makes the line's text a copy of text in its own buffer, cut
// to maxExcerptLine bytes.
func (l *ringLine) keepText(text []byte) {
	l.own = appendTruncated(l.own[:0], text, maxExcerptLine)
	l.text, l.borrowed = l.own, false
}

// rememberQuiet is remember for a line of a run of quiet lines outside
// after-failure sections (quietRun): no weight, no command, its text in
// the chunk read last. Most lines of a log go through here.
func (a *analyzer) rememberQuiet(n int, text []byte) {
	slot := &a.ring[uint(n)%ringSize]
	if slot.script > 0 && uint(a.scriptN+1)%ringSize != uint(slot.script)%ringSize {
		a.handOver(slot)
	}
	slot.n, slot.weight, slot.cmd = n, 0, false
	slot.text, slot.borrowed = text, true
	if len(text) > maxExcerptLine {
		slot.keepText(text)
	}
	a.scriptN++
	s := &a.script[uint(a.scriptN)%ringSize]
	s.n, s.weight, s.cmd, s.saved = n, 0, false, false
	slot.script = a.scriptN
}

// ownLines copies the lines the rings borrow from the chunk read last into
// their own buffers, before the next read overwrites it.
func (a *analyzer) ownLines() {
	for _, ring := range []*[ringSize]ringLine{&a.ring, &a.script} {
		for i := range ring {
			if l := &ring[i]; l.borrowed {
				l.own = append(l.own[:0], l.text...)
				l.text, l.borrowed = l.own, false
			}
		}
	}
}

// scriptText returns the text of a line of the script ring.
func (a *analyzer) scriptText(s *ringLine) []byte {
	if s.saved {
		return s.text
	}
	return a.ring[uint(s.n)%ringSize].text
}

// hasTimestampHeader reports whether line starts with the runner's 32-byte
// header: "2025-05-14T11:19:27.100851Z 00O ". Each line of a timestamped
// log is asked, so the header is read as four words of 8 bytes: each
// word's fixed bytes and the high nibbles of its digits are compared at
// once, then the digits' low nibbles (below 10: adding 6 does not carry
// into bit 4).
func hasTimestampHeader(b []byte) bool {
	if len(b) < timestampHeader {
		return false
	}
	ws := &timestampShape
	return ws[0].fits(binary.LittleEndian.Uint64(b)) && ws[1].fits(binary.LittleEndian.Uint64(b[8:])) &&
		ws[2].fits(binary.LittleEndian.Uint64(b[16:])) && ws[3].fits(binary.LittleEndian.Uint64(b[24:])) &&
		// "hh" then 'O' or 'E' (the stream), ' ' or '+' (a partial line).
		isHex(b[28]) && isHex(b[29]) && (b[30] == 'O' || b[30] == 'E') && (b[31] == ' ' || b[31] == '+')
}

// timestampWord describes 8 bytes of the timestamp header: mask and want
// hold its fixed bytes and the high nibbles of its digits ('d' in the
// shape), digits bit 4 of each digit byte.
type timestampWord struct{ mask, want, digits uint64 }

// fits reports whether w, 8 bytes of a line, has the word's fixed bytes
// and digits.
func (h *timestampWord) fits(w uint64) bool {
	const (
		lowNibbles = 0x0f0f0f0f0f0f0f0f
		six        = 0x0606060606060606
	)
	return w&h.mask == h.want && ((w&lowNibbles)+six)&h.digits == 0
}

// timestampShape holds the four words of the timestamp header; the last
// ends with the two hexadecimal digits and the two bytes that
// hasTimestampHeader tests alone.
var timestampShape = func() (ws [4]timestampWord) {
	const shape = "dddd-dd-ddTdd:dd:dd.ddddddZ ????"
	for i := range len(shape) {
		w, sh := &ws[i/8], 8*(i%8)
		switch c := shape[i]; c {
		case 'd':
			w.mask |= 0xf0 << sh
			w.want |= 0x30 << sh
			w.digits |= 0x10 << sh
		case '?':
		default:
			w.mask |= 0xff << sh
			w.want |= uint64(c) << sh
		}
	}
	return ws
}()

// isHex reports whether c is a lower-case hexadecimal digit.
func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

// isPostSection tells whether a section runs after the script has failed
// (or succeeded): its output is rarely the cause.
func isPostSection(name []byte) bool {
	for _, p := range []string{"after_script", "upload_artifacts", "archive_cache", "cleanup_file_variables", "after_failure", "after_success"} {
		if bytes.HasPrefix(name, []byte(p)) {
			return true
		}
	}
	return false
}

func (a *analyzer) sectionMarkers(n int) {
	for _, mk := range a.cl.markers {
		switch mk.kind {
		case markSectionStart, markFoldStart:
			idx := -1
			if len(a.res.Sections) < maxSections {
				idx = len(a.res.Sections)
				a.res.Sections = append(a.res.Sections, Section{Name: string(mk.name), StartLine: n})
			}
			if len(a.open) < maxSections {
				// The name goes in the buffer of a section closed before
				// at this depth, when there was one.
				var name []byte
				if len(a.open) < cap(a.open) {
					name = a.open[:len(a.open)+1][len(a.open)].name[:0]
				}
				a.open = append(a.open, openSection{name: append(name, mk.name...), line: n, ts: mk.ts, index: idx})
				if isPostSection(mk.name) {
					a.post++
				}
			}
		case markSectionEnd, markFoldEnd:
			for i := len(a.open) - 1; i >= 0; i-- {
				o := a.open[i]
				if !bytes.Equal(o.name, mk.name) {
					continue
				}
				if o.index >= 0 {
					s := &a.res.Sections[o.index]
					s.EndLine = n
					if mk.kind == markSectionEnd && mk.ts >= o.ts {
						s.Duration = time.Duration(mk.ts-o.ts) * time.Second
					}
				}
				for j := len(a.open) - 1; j >= i; j-- {
					if isPostSection(a.open[j].name) {
						a.post--
					}
				}
				a.open = a.open[:i]
				break
			}
		}
	}
}

var (
	errorPrefix     = []byte("ERROR: ")
	usingPrefix     = []byte("Using ")
	jobFailedPrefix = []byte("ERROR: Job failed")
	travisCommand   = []byte(`The command "`)
	logLimit        = []byte("Job's log exceeded limit of ")
)

// factLead marks the first bytes of the starts plainLead and mayHoldFact
// look for; most lines start otherwise and need no more.
var factLead = func() (t [256]bool) {
	for _, p := range [][]byte{errorPrefix, usingPrefix, travisCommand, logLimit, sectionPrefix, []byte("$ "), pendingHeader, finishedIn} {
		t[p[0]] = true
	}
	return t
}()

// mayHoldFact reports whether text starts as the lines that facts reads.
// A start added here must be added to factLead.
func mayHoldFact(text []byte) bool {
	if len(text) == 0 {
		return false
	}
	switch text[0] {
	case 'E':
		return bytes.HasPrefix(text, errorPrefix)
	case 'T':
		return bytes.HasPrefix(text, travisCommand)
	case 'J':
		return bytes.HasPrefix(text, logLimit)
	case 'U':
		return bytes.HasPrefix(text, usingPrefix)
	}
	return false
}

// isCommand reports whether text is a command the shell echoed: "$ cmd".
func isCommand(text []byte) bool { return len(text) > 2 && text[0] == '$' && text[1] == ' ' }

// plainLead reports whether a plain line (text) starts as none of the
// lines that line reads for more than their rules: a fact, a command, a
// section marker, an edge of RSpec's list of pending examples.
func plainLead(text []byte) bool {
	if len(text) == 0 || !factLead[text[0]] {
		return true
	}
	switch text[0] {
	case '$':
		return !isCommand(text)
	case 's':
		return !bytes.HasPrefix(text, sectionPrefix)
	case 'P', 'F':
		return !rspecListEdge(text)
	}
	return !mayHoldFact(text)
}

// facts extracts the job-level facts a line may carry.
func (a *analyzer) facts(n int, text []byte, m lineMatch) {
	res := a.res
	switch {
	case !mayHoldFact(text):
	case bytes.HasPrefix(text, jobFailedPrefix):
		rest := text[len(jobFailedPrefix):]
		switch {
		case bytes.HasPrefix(rest, []byte(" (system failure): ")):
			res.RunnerError = string(truncateText(text, maxExcerptLine))
		case bytes.Contains(rest, []byte("execution took longer than")):
			res.TimedOut = true
		}
		if code, ok := trailingInt(rest); ok && bytes.Contains(rest, []byte("exit")) {
			res.ExitCode, res.HasExitCode = code, true
		}
		a.failure(n, text)
	case bytes.HasPrefix(text, []byte("ERROR: Preparation failed: ")) || bytes.HasPrefix(text, []byte("ERROR: Job failed (system failure)")):
		res.RunnerError = string(truncateText(text, maxExcerptLine))
	case bytes.HasPrefix(text, travisCommand):
		rest := text[len(travisCommand):]
		q := bytes.LastIndexByte(rest, '"')
		if q < 0 {
			return
		}
		tail := rest[q:]
		code := -1
		if i := bytes.Index(tail, []byte("exited with ")); i >= 0 {
			if c, ok := leadingInt(tail[i+len("exited with "):]); ok {
				code = c
			}
		} else if bytes.Contains(tail, []byte(" failed")) {
			code = 1
		}
		if code > 0 && a.failLine == 0 {
			res.ExitCode, res.HasExitCode = code, true
			a.failure(n, text)
			a.failCmd = append(a.failCmd[:0], truncateText(rest[:q], maxCommandBytes)...)
		}
	case bytes.HasPrefix(text, logLimit):
		res.Truncated = true
	case res.Image == "" && bytes.HasPrefix(text, []byte("Using docker image ")):
		res.Image = imageName(text[len("Using docker image "):])
	case a.execLine == 0 && bytes.HasPrefix(text, []byte("Using ")) && bytes.Contains(text, []byte(" executor with image ")):
		i := bytes.Index(text, []byte(" executor with image "))
		if img := imageName(text[i+len(" executor with image "):]); img != "" && res.Image == "" {
			res.Image = img
			a.execLine = n
		}
	}
	if m.rule != nil && m.rule.Name == "runner.job-timeout" {
		res.TimedOut = true
	}
}

// failure records the first line that reports the script failing.
func (a *analyzer) failure(n int, failText []byte) {
	if a.failLine != 0 {
		return
	}
	a.failLine = n
	a.failCmdLine = a.cmdLine
	a.failCmd = append(a.failCmd[:0], a.cmd...)
	a.leadUp(n, failText)
}

// imageName reads the image from "sha256:… for IMAGE with digest …" or from
// "IMAGE …".
func imageName(s []byte) string {
	if bytes.HasPrefix(s, []byte("sha256:")) {
		i := bytes.Index(s, []byte(" for "))
		if i < 0 {
			return ""
		}
		s = s[i+5:]
	}
	if i := bytes.IndexByte(s, ' '); i >= 0 {
		s = s[:i]
	}
	if len(s) == 0 || len(s) > 300 || bytes.Equal(s, []byte("...")) {
		return ""
	}
	return string(s)
}

func trailingInt(s []byte) (int, bool) {
	s = bytes.TrimRight(s, " .")
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if i == len(s) || len(s)-i > 9 {
		return 0, false
	}
	v, err := strconv.Atoi(string(s[i:]))
	return v, err == nil
}

func leadingInt(s []byte) (int, bool) {
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false
	}
	v, err := strconv.Atoi(string(s[:i]))
	return v, err == nil
}

// truncateText cuts s to at most max bytes at a rune boundary, marking the
// cut with "…". It returns s itself when it is short enough.
func truncateText(s []byte, max int) []byte {
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	out := make([]byte, 0, cut+len("…"))
	return append(append(out, s[:cut]...), "…"...)
}

// appendTruncated appends s to dst, cut like truncateText but without
// allocating.
func appendTruncated(dst, s []byte, max int) []byte {
	if len(s) <= max {
		return append(dst, s...)
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return append(append(dst, s[:cut]...), "…"...)
}

// isLocation tells whether a line starts with a file:line reference.
func isLocation(text []byte) bool {
	// Most lines have a space within their first few bytes: stop there
	// rather than look for a ':' through the whole line.
	for i, c := range text {
		switch c {
		case ' ':
			return false
		case ':':
			return i > 0 && i+1 < len(text) && text[i+1] >= '0' && text[i+1] <= '9'
		}
	}
	return false
}

// isContinuation tells whether a line carries on the message above it: a
// stack frame, an indented detail, a diff or a caret line.
func isContinuation(text []byte) bool {
	if len(text) == 0 {
		return false
	}
	switch text[0] {
	case ' ', '\t', '|', '^', '~', '+', '-', '>', '=', '#', '*', '[', '(', '@':
		return !isBlank(text)
	}
	for _, p := range continuationStarts[text[0]] {
		if bytes.HasPrefix(text, []byte(p)) {
			return true
		}
	}
	return false
}

// isPassReport reports whether text reports a test that passed after a
// leader of dots, as prove, unittest and cargo test print it, unindented:
// "[12:46:04] t0000-basic.sh ...... ok", "test_x (m.T) ... ok". Such a
// line does not carry on the failure above it, whatever it starts with.
// Indented lines (stack frames, most of what carries a failure on) are not
// searched.
func isPassReport(text []byte) bool {
	if len(text) == 0 || text[0] == ' ' || text[0] == '\t' {
		return false
	}
	for i := bytes.Index(text, []byte("...")); i >= 0; {
		j := i + 3
		for j < len(text) && text[j] == '.' {
			j++
		}
		for j < len(text) && text[j] == ' ' {
			j++
		}
		if wordPrefixFold(text[j:], "ok") || wordPrefixFold(text[j:], "passed") {
			return true
		}
		k := bytes.Index(text[j:], []byte("..."))
		if k < 0 {
			break
		}
		i = j + k
	}
	return false
}

// wordPrefixFold reports whether text starts with the lower-case word w,
// ASCII case ignored, followed by the end of text or a byte that is not a
// letter or digit.
func wordPrefixFold(text []byte, w string) bool {
	if len(text) < len(w) || !equalFold(text[:len(w)], w) {
		return false
	}
	return len(text) == len(w) || !isWordByte(text[len(w)])
}

// isCaretLine reports whether text only points at the line above it: '^'
// (at least one) and '~' after spaces, as compilers and Node.js print
// under a source line.
func isCaretLine(text []byte) bool {
	seen := false
	for _, c := range text {
		switch c {
		case ' ', '\t', '~':
		case '^':
			seen = true
		default:
			return false
		}
	}
	return seen
}

// isBlank reports whether text is white space only, as bytes.TrimSpace
// sees it: a last printable ASCII byte tells at once; else it reads up to
// the first ASCII byte that is not a space.
func isBlank(text []byte) bool {
	if n := len(text); n > 0 && text[n-1] > ' ' && text[n-1] < utf8.RuneSelf {
		return false // most lines end in a printable byte: no need to read their indentation
	}
	for _, c := range text {
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
		case c >= utf8.RuneSelf:
			return len(bytes.TrimSpace(text)) == 0 // Unicode spaces
		default:
			return false
		}
	}
	return true
}

// continuationStarts holds, by their first byte, the words that start a
// line carrying on the message above it.
var continuationStarts = func() (m [256][]string) {
	for _, p := range []string{"at ", "File \"", "Caused by", "...", "note:", "help:", "E ", "Error", "Expected", "Actual", "Received", "stack", "Stack", "Traceback", "goroutine ", "In ", "From "} {
		m[p[0]] = append(m[p[0]], p)
	}
	return m
}()

// Limits of a block's extent that belong to the ranking.
const (
	// maxRun is how far past its last matching line a block may go on
	// through an unbroken run of continuation lines: a stack trace or a
	// sanitizer report is one piece of evidence, however deep.
	maxRun = 100
	// maxChainedLines caps a block grown from pieces that follow each other
	// (a long run of matching lines, a deep stack trace).
	maxChainedLines = 200
	// weakMergedLines caps a block of weak evidence grown by joining.
	weakMergedLines = 40
	// strongWeight is the weight from which a rule is strong evidence.
	strongWeight = 7
	// laterBlockLines caps the blocks after the first: the first shows the
	// strongest evidence in full, the others point at more.
	laterBlockLines = 32
	// weakerBy is how far below the first block's score a block may rank
	// and still be shown.
	weakerBy = 35
)

// track notes located warnings and tracks the blocks (trackBlocks).
func (a *analyzer) track(n int, text []byte, w int, rule *Rule, isCmd, inChunk bool) {
	a.noteWarning(n, text, w)
	if rule != nil && rule.AsErrors {
		a.warningsAsErrors(n, rule)
	}
	a.trackBlocks(n, text, w, rule, isCmd, inChunk)
}

// trackBlocks grows, merges and closes candidate blocks around matching
// lines. A block that reaches maxBlockLines while it is still growing is
// closed and carried on by a new block that starts right after it;
// ranking joins such pieces again.
func (a *analyzer) trackBlocks(n int, text []byte, w int, rule *Rule, isCmd, inChunk bool) {
	b := a.cur
	if b != nil && b.post != (a.post > 0) {
		a.closeBlock()
		b = nil
	}
	if b != nil {
		const (
			reject = iota
			asHit
			asContinuation
			asTentative
		)
		// Strong evidence keeps its block open over what belongs to it: a
		// hit close to the block's last line, an unbroken run of frames.
		// Weak evidence only over lines close to its last hit.
		strong := b.strong()
		reach := b.lastHit
		if strong {
			reach = b.end
		}
		how := reject
		switch {
		case w > 0 && n-reach <= mergeGap+1:
			how = asHit
		case w == 0 && !isCmd && (n-b.lastHit <= growAfterHit || strong && n == b.end+1 && n-b.lastHit <= maxRun) &&
			(isContinuation(text) || isLocation(text)) && !isPassReport(text):
			how = asContinuation
		case w == 0 && n-b.end <= mergeGap:
			how = asTentative // kept only if a hit or continuation follows
		}
		if how != reject && len(b.lines) >= maxBlockLines {
			if !strong {
				how = reject
			} else {
				b = a.chain(b)
			}
		}
		switch how {
		case asHit:
			b.add(text, inChunk)
			b.hit(n, w, rule)
			return
		case asContinuation:
			b.add(text, inChunk)
			b.end = n
			return
		case asTentative:
			b.add(text, inChunk)
			return
		}
		a.closeBlock()
	}
	if w <= 0 {
		return
	}
	b = a.newBlock()
	b.start, b.post, b.order = n, a.post > 0, a.nBlocks
	a.nBlocks++
	// Context before: the lines just above that belong to the message (a
	// test header, a file:line and its caret), up to maxBefore lines, never
	// past a blank line, a command or the previous block. Node.js puts a
	// blank line between a syntax error and where it is (the file:line,
	// the source line, a caret line under it): that blank line is passed.
	floor := 0
	if len(a.blocks) > 0 {
		floor = a.blocks[len(a.blocks)-1].end
	}
	k := 0
	caret := false // the line taken last is a caret line
	for k < maxBefore && n-k-1 > floor {
		prev := &a.ring[uint(n-k-1)%ringSize]
		if prev.n != n-k-1 || prev.cmd && k > 0 {
			break
		}
		if isBlank(prev.text) {
			if above := &a.ring[uint(n-k-2)%ringSize]; k == 0 && n-k-2 > floor && above.n == n-k-2 && isCaretLine(above.text) {
				k++
				continue
			}
			break
		}
		k++
		if isCaretLine(prev.text) {
			caret = true
			continue // the source line above it belongs too
		}
		if !isContinuation(prev.text) && !isLocation(prev.text) {
			// A plain line heads the block, but for the source line
			// under its file:line.
			if above := &a.ring[uint(n-k-1)%ringSize]; caret && k < maxBefore && n-k-1 > floor && above.n == n-k-1 && isLocation(above.text) {
				k++
			}
			break
		}
		caret = false
	}
	for j := k; j >= 1; j-- {
		l := &a.ring[uint(n-j)%ringSize]
		b.add(l.text, l.borrowed)
	}
	b.start = n - k
	b.add(text, inChunk)
	b.end = n
	b.hit(n, w, rule)
	a.cur = b
}

// warningNote holds the first located warning ("file:12: warning: …") of
// the command running, with the lines that carry it on, in case the tool
// then says that it treats warnings as errors.
type warningNote struct {
	cmdLine    int // the command it belongs to
	start, end int
	lines      [][]byte
}

// maxWarningLines is how many lines of a located warning are kept.
const maxWarningLines = 6

// noteWarning records the first located warning of the running command.
func (a *analyzer) noteWarning(n int, text []byte, w int) {
	wn := &a.warn
	if wn.start > 0 && wn.cmdLine == a.cmdLine {
		if n == wn.end+1 && len(wn.lines) < maxWarningLines && w == 0 && isContinuation(text) {
			wn.lines = append(wn.lines, append([]byte(nil), truncateText(text, maxExcerptLine)...))
			wn.end = n
		}
		return
	}
	if w != 0 || !isLocation(text) || !bytes.Contains(text, []byte("arning")) && !bytes.Contains(text, []byte("ARNING")) {
		return
	}
	wn.cmdLine, wn.start, wn.end = a.cmdLine, n, n
	wn.lines = append(wn.lines[:0], append([]byte(nil), truncateText(text, maxExcerptLine)...))
}

// warningsAsErrors turns the recorded warning of the running command into a
// block of its own when the tool reports that warnings fail the build: that
// warning is then the cause.
func (a *analyzer) warningsAsErrors(n int, rule *Rule) {
	wn := &a.warn
	if wn.start == 0 || wn.cmdLine != a.cmdLine || wn.end >= n {
		return
	}
	b := a.newBlock()
	b.start, b.end, b.lastHit = wn.start, wn.end, wn.start
	b.post, b.order = a.post > 0, a.nBlocks
	a.nBlocks++
	for _, l := range wn.lines {
		b.add(l, false)
	}
	b.hit(wn.start, warningAsErrorWeight, rule)
	b.end = wn.end
	wn.start = 0
	a.keep(b)
}

// add appends a line to the block: borrowed when inChunk tells that text
// stays where it is until the next read, else copied into the block's own
// buffer.
func (b *block) add(text []byte, inChunk bool) {
	text = truncateText(text, maxExcerptLine)
	if inChunk && len(b.lines) < 32 {
		b.lent |= 1 << len(b.lines)
		b.lines = append(b.lines, text[:len(text):len(text)])
		return
	}
	b.lines = append(b.lines, b.copyText(text))
}

// own copies the block's borrowed lines into its own buffer.
func (b *block) own() {
	b.lent &= 1<<len(b.lines) - 1 // lines dropped since were borrowed for nothing
	for m := b.lent; m != 0; m &= m - 1 {
		i := bits.TrailingZeros32(m)
		b.lines[i] = b.copyText(b.lines[i])
	}
	b.lent = 0
}

// copyText appends text to the block's buffer and returns the copy.
func (b *block) copyText(text []byte) []byte {
	if cap(b.buf)-len(b.buf) < len(text) {
		// A new buffer: the lines already added keep the old one.
		b.buf = make([]byte, 0, max(2*cap(b.buf), len(text), 1024))
	}
	start := len(b.buf)
	b.buf = append(b.buf, text...)
	return b.buf[start:len(b.buf):len(b.buf)]
}

// newBlock returns an empty block, reusing a dropped one when there is one,
// so that the steady state allocates nothing per block.
func (a *analyzer) newBlock() *block {
	if n := len(a.free); n > 0 {
		b := a.free[n-1]
		a.free = a.free[:n-1]
		*b = block{lines: b.lines[:0], buf: b.buf[:0], highlight: b.highlight[:0], hw: b.hw[:0], rules: b.rules[:0]}
		return b
	}
	return &block{}
}

func (b *block) hit(n, w int, rule *Rule) {
	b.end, b.lastHit = n, n
	b.hits++
	if len(b.highlight) < maxBlockLines {
		b.highlight = append(b.highlight, n)
		b.hw = append(b.hw, w)
	}
	if w > b.maxW {
		b.maxW, b.rule = w, rule
	}
	if rule != nil && len(b.rules) < 8 && !containsRule(b.rules, rule) {
		b.rules = append(b.rules, rule)
	}
}

// closeBlock trims the tentative lines of the current block and keeps it,
// dropping the weakest kept block when there are too many.
func (a *analyzer) closeBlock() {
	b := a.cur
	a.cur = nil
	if b == nil {
		return
	}
	if b.end < b.start {
		a.free = append(a.free, b) // a carried-on piece that got nothing but tentative lines
		return
	}
	b.lines = b.lines[:b.end-b.start+1]
	a.keep(b)
}

// chain closes the full block b and returns the block that carries it on
// from the line after its last kept line, holding b's tentative lines.
func (a *analyzer) chain(b *block) *block {
	c := a.newBlock()
	c.start, c.end, c.lastHit = b.end+1, b.end, b.lastHit
	c.post, c.order, c.chained, c.carriesStrong = b.post, a.nBlocks, true, b.strong()
	a.nBlocks++
	for _, l := range b.lines[b.end-b.start+1:] {
		c.add(l, false)
	}
	a.closeBlock()
	a.cur = c
	return c
}

// keep adds b, closed, to the candidate blocks, dropping the weakest when
// there are more than maxBlocks.
func (a *analyzer) keep(b *block) {
	b.prov = provisional(b) // a kept block changes no more
	prev := a.weakest
	a.blocks = append(a.blocks, b)
	if a.weakest < 0 || weaker(b, a.blocks[a.weakest]) {
		a.weakest = len(a.blocks) - 1
	}
	if len(a.blocks) <= maxBlocks {
		b.own()
		return
	}
	// Drop the weakest. The lead-up block (leadUp adds it, not keep) is
	// never dropped.
	w := a.weakest
	a.free = append(a.free, a.blocks[w])
	a.blocks = append(a.blocks[:w], a.blocks[w+1:]...)
	if w == len(a.blocks) {
		a.weakest = prev // b itself: the weakest before it still is
		return
	}
	b.own()
	a.weakest = -1
	for i, c := range a.blocks {
		if !c.leadUp && (a.weakest < 0 || weaker(c, a.blocks[a.weakest])) {
			a.weakest = i
		}
	}
}

// weaker reports whether keep drops block x before block y: x scores
// lower, or as much and starts later, so that the first error of a
// cascade stays.
func weaker(x, y *block) bool { return x.prov < y.prov || x.prov == y.prov && x.start > y.start }

func provisional(b *block) int {
	s := b.maxW*10 + min(b.hits, 4)*3
	if b.post {
		s -= 30
	}
	return s
}

// leadUp keeps the last lines of script output before the failure line n.
func (a *analyzer) leadUp(n int, failText []byte) {
	b := &block{leadUp: true, order: a.nBlocks, end: n}
	a.nBlocks++
	// Walk back through the script ring: at most leadUpLines non-blank
	// lines, stopping after the command that failed.
	var picked []*ringLine
	nonBlank := 0
	for k := 0; k < ringSize-1 && nonBlank < leadUpLines; k++ {
		s := &a.script[uint(a.scriptN-k+ringSize*2)%ringSize]
		if s.n <= 0 || s.n >= n || (len(picked) > 0 && s.n >= picked[len(picked)-1].n) {
			break
		}
		if len(picked) == 0 && isBlank(a.scriptText(s)) {
			continue // skip blank lines just before the failure
		}
		picked = append(picked, s)
		if !isBlank(a.scriptText(s)) {
			nonBlank++
		}
		if s.cmd {
			break
		}
	}
	if len(picked) == 0 {
		return
	}
	// The picked lines must be contiguous to form a block; stop at a gap.
	last := picked[0].n
	keep := 1
	for keep < len(picked) && picked[keep].n == last-1 {
		last = picked[keep].n
		keep++
	}
	picked = picked[:keep]
	b.start, b.end = picked[len(picked)-1].n, picked[0].n
	for i := len(picked) - 1; i >= 0; i-- {
		b.lines = append(b.lines, append([]byte(nil), a.scriptText(picked[i])...))
		if picked[i].weight > 0 {
			b.highlight = append(b.highlight, picked[i].n)
			b.hw = append(b.hw, picked[i].weight)
		}
	}
	// Travis prints the failure line right after the output: include it,
	// with the blank lines in between.
	if failText != nil && n-b.end <= 3 {
		for m := b.end + 1; m < n; m++ {
			b.lines = append(b.lines, nil)
		}
		b.end = n
		b.lines = append(b.lines, append([]byte(nil), truncateText(failText, maxExcerptLine)...))
	}
	b.maxW = 4
	a.blocks = append(a.blocks, b)
}

// finish closes what is open and decides the ranking, the category and the
// hint.
func (a *analyzer) finish() {
	a.closeBlock()
	res := a.res
	res.Lines = a.n
	if len(a.failCmd) > 0 {
		res.FailingCommand = string(a.failCmd)
		res.FailingCommandLine = a.failCmdLine
	} else if len(a.cmd) > 0 {
		res.FailingCommand = string(a.cmd)
		res.FailingCommandLine = a.cmdLine
	}
	a.markFailedSection()

	if a.failLine == 0 {
		// No failure line: the end of the log stands in for it.
		a.leadUp(a.n+1, nil)
		if len(a.blocks) > 0 {
			if lb := a.blocks[len(a.blocks)-1]; lb.leadUp {
				lb.maxW = 3
			}
		}
	}
	ranked := a.rank()
	for i, b := range ranked {
		if len(res.Excerpts) >= a.opts.MaxExcerpts {
			break
		}
		if i > 0 {
			if b.score < ranked[0].score-weakerBy {
				break
			}
			b.trim(laterBlockLines)
		}
		ex := Excerpt{StartLine: b.start, EndLine: b.end, Highlight: b.strongestLines()}
		for _, l := range b.lines {
			ex.Lines = append(ex.Lines, string(l))
		}
		switch {
		case b.leadUp && b.rule == nil && a.failLine == 0:
			ex.Rule = "tail"
		case b.leadUp && b.rule == nil:
			ex.Rule = "lead-up"
		case b.rule != nil:
			ex.Rule = b.rule.Name
		}
		res.Excerpts = append(res.Excerpts, ex)
	}
	a.categorise(ranked)
}

// rank orders the kept blocks, best first, without overlaps.
func (a *analyzer) rank() []*block {
	type scored struct {
		b     *block
		score int
	}
	var list []scored
	seen := map[*Rule]int{}
	for _, b := range a.blocks {
		s := b.maxW*10 + min(b.hits, 4)*3
		if b.post {
			s -= 30
		}
		if a.failLine > 0 && !b.leadUp {
			switch {
			case b.start > a.failLine:
				s -= 25 // after the first failure: a cascade or cleanup
			case b.start >= a.failCmdLine && a.failCmdLine > 0:
				s += 25 // in the output of the command that failed
			}
		}
		if b.leadUp && a.failLine > 0 {
			s += 55
		}
		if !b.leadUp && b.rule != nil && b.rule.Generic && (a.firstCmd == 0 || b.end < a.firstCmd) {
			s -= 20 // set-up chatter before the job's first command
		}
		repeat := b.rule != nil && !b.leadUp && seen[b.rule] > 0
		if !b.leadUp && a.failLine > 0 && b.end <= a.failLine && b.start >= a.failCmdLine && a.failLine > a.failCmdLine &&
			!(repeat && !b.rule.Generic) {
			// Closer to the failure is likelier the cause, a little; but
			// a tool's message that came before is the first failure, and
			// this one its summary or a later one.
			s += 8 * (b.end - a.failCmdLine) / (a.failLine - a.failCmdLine)
		}
		if repeat {
			s -= 4 * min(seen[b.rule], 3) // the same message again: an echo
		}
		if b.rule != nil && !b.leadUp {
			seen[b.rule]++
		}
		list = append(list, scored{b, s})
	}
	if a.res.TimedOut {
		// A job that ran out of time failed in what it was running: the
		// lead-up goes first, the runner's message after it.
		best := 0
		for _, s := range list {
			if !s.b.leadUp {
				best = max(best, s.score)
			}
		}
		for i := range list {
			if list[i].b.leadUp {
				list[i].score = max(list[i].score, best+1)
			}
		}
	}
	// Insertion sort: few blocks, and stable by position.
	for i := 1; i < len(list); i++ {
		for j := i; j > 0; j-- {
			x, y := list[j-1], list[j]
			if y.score > x.score || y.score == x.score && y.b.start < x.b.start {
				list[j-1], list[j] = y, x
				continue
			}
			break
		}
	}
	var out []*block
	for _, s := range list {
		s.b.score = s.score
		merged := false
		for _, o := range out {
			if s.b.start <= o.end+1 && s.b.end >= o.start-1 {
				// An overlapping block that cannot be joined repeats
				// lines already shown: drop it. A touching one stays.
				merged = o.absorb(s.b) || s.b.start <= o.end && s.b.end >= o.start
				break
			}
		}
		if !merged {
			out = append(out, s.b)
		}
	}
	// Joining may have made shown blocks touch: join them too, the better
	// ranked one taking the other.
	for i := 0; i < len(out); i++ {
		for j := i + 1; j < len(out); j++ {
			o, p := out[i], out[j]
			if p.start <= o.end+1 && p.end >= o.start-1 && o.absorb(p) {
				out = append(out[:j], out[j+1:]...)
				j = i
			}
		}
	}
	return out
}

// trim cuts a block to at most max lines, keeping its head (the message
// and the place it failed) and as many matching lines as fit.
func (b *block) trim(max int) {
	if b.end-b.start+1 <= max {
		return
	}
	b.end = b.start + max - 1
	b.lines = b.lines[:max]
	k := 0
	for i, h := range b.highlight {
		if h <= b.end {
			b.highlight[k], b.hw[k] = h, b.hw[i]
			k++
		}
	}
	b.highlight, b.hw = b.highlight[:k], b.hw[:k]
}

// strong tells whether the block holds strong evidence: a match of an
// ecosystem rule of weight strongWeight or more.
func (b *block) strong() bool {
	return b.carriesStrong || b.rule != nil && !b.rule.Generic && b.maxW >= strongWeight
}

// mergeCap is how long a block may grow by taking in the blocks it
// touches: long for strong evidence (a deep stack trace, a long failure
// report), short for generic words, which are cheap to show in full only
// when they are few.
func mergeCap(b *block) int {
	if b.strong() {
		return maxChainedLines
	}
	return weakMergedLines
}

// absorb widens b to also cover o, which overlaps or touches it, as long as
// the union stays short enough to read.
func (b *block) absorb(o *block) bool {
	start, end := min(b.start, o.start), max(b.end, o.end)
	if end-start+1 > max(mergeCap(b), mergeCap(o)) {
		return false
	}
	lines := make([][]byte, end-start+1)
	for i, l := range o.lines {
		lines[o.start-start+i] = l
	}
	for i, l := range b.lines {
		lines[b.start-start+i] = l
	}
	b.lines, b.start, b.end = lines, start, end
	if b.rule == nil && o.rule != nil && !o.rule.Generic && o.rule.Weight >= 5 {
		b.rule = o.rule // a lead-up that took in a matched block is named by its rule
	}
	for _, r := range o.rules {
		if len(b.rules) < 8 && !containsRule(b.rules, r) {
			b.rules = append(b.rules, r)
		}
	}
	for i, h := range o.highlight {
		if !containsInt(b.highlight, h) {
			b.highlight = append(b.highlight, h)
			b.hw = append(b.hw, o.hw[i])
		}
	}
	sortHighlight(b.highlight, b.hw)
	return true
}

func containsRule(s []*Rule, r *Rule) bool {
	for _, x := range s {
		if x == r {
			return true
		}
	}
	return false
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// sortHighlight sorts the highlighted lines, keeping their weights with
// them.
func sortHighlight(s, w []int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
			w[j], w[j-1] = w[j-1], w[j]
		}
	}
}

// highlightSlack is how much weaker than the block's strongest line a line
// may be and still be highlighted.
const highlightSlack = 1

// strongestLines returns the highlighted lines that carry the block's
// evidence: those about as strong as its strongest. Echoes of a failure
// ("exit code 1", "make: *** Error 2") and generic words next to a specific
// message are left plain, so that the first highlighted line names the
// cause and a shortened view keeps the lines that matter.
func (b *block) strongestLines() []int {
	top := 0
	for _, w := range b.hw {
		top = max(top, w)
	}
	var out []int
	for i, h := range b.highlight {
		if b.hw[i] >= top-highlightSlack {
			out = append(out, h)
		}
	}
	return out
}

// markFailedSection names the script section the failure happened in: the
// last script step section that started before the failure.
func (a *analyzer) markFailedSection() {
	limit := a.failLine
	if limit == 0 {
		limit = a.n + 1
	}
	idx := -1
	for i, s := range a.res.Sections {
		if s.StartLine > limit {
			break
		}
		if isScriptSection(s.Name) {
			idx = i
		}
	}
	if idx < 0 || a.failLine == 0 && a.res.Sections[idx].EndLine != 0 {
		return
	}
	a.res.Sections[idx].Failed = true
	a.res.FailedSection = a.res.Sections[idx].Name
}

func isScriptSection(name string) bool {
	return name == "build_script" || len(name) > 5 && name[:5] == "step_" || name == "script"
}

// categorise picks the job's category, hint and rule.
func (a *analyzer) categorise(ranked []*block) {
	res := a.res
	var win *Rule
	switch {
	case res.RunnerError != "":
		win = ruleByName("runner.system-failure")
		if a.decisive != nil && a.decisive.Category == CategoryInfra {
			win = a.decisive
		}
	case res.TimedOut:
		win = ruleByName("runner.job-timeout")
	case a.decisive != nil:
		win = a.decisive
	case res.HasExitCode && res.ExitCode == 137:
		win = ruleByName("infra.oom-killed")
	}
	if win == nil {
		// The strongest rule among the blocks shown; ties go to the better
		// ranked block. Generic rules only when nothing else matched.
		shown := ranked
		if len(shown) > a.opts.MaxExcerpts {
			shown = shown[:a.opts.MaxExcerpts]
		}
		for pass := 0; pass < 2 && win == nil; pass++ {
			for _, b := range shown {
				if pass == 0 && b.post {
					continue // after_script and uploads only when nothing else matched
				}
				win = strongest(win, b.rules)
			}
		}
	}
	if win == nil && res.Truncated {
		win = ruleByName("infra.log-truncated")
	}
	res.Category = CategoryUnknown
	if win != nil {
		res.Rule = win.Name
		if win.Category != "" {
			res.Category = win.Category
		}
		res.Hint = win.Hint
	}
	if res.Hint == "" {
		res.Hint = "No known pattern matched: read the first excerpt, the output of the failing command."
	}
}

// strongest returns the stronger of win and the rules in rs: a rule with a
// category beats a generic one, then the higher weight wins, then the
// earlier.
func strongest(win *Rule, rs []*Rule) *Rule {
	for _, r := range rs {
		switch {
		case win == nil:
			win = r
		case win.Category == CategoryUnknown && r.Category != CategoryUnknown:
			win = r
		case (r.Category != CategoryUnknown) == (win.Category != CategoryUnknown) && r.Weight > win.Weight:
			win = r
		}
	}
	return win
}

func ruleByName(name string) *Rule {
	for i := range rules {
		if rules[i].Name == name {
			return &rules[i]
		}
	}
	return nil
}
