package joblog

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// dfa tells whether an expression matches a line, in one pass over it with
// a few instructions per byte: a deterministic automaton built lazily from
// the program Go's regexp/syntax compiles, its states the sets of that
// program's threads. Go's regexp engine has no such automaton: it
// backtracks, or runs the threads one by one, at each byte, which costs
// tens of times more on a long line, and more again when a ".*" sits in the
// middle of the expression. Matching runs the program's own instructions
// (syntax.Inst.MatchRune, syntax.EmptyOpContext), so the answer is the
// engine's; the tests compare the two on every rule.
//
// States and transitions are built on first use and shared by the
// goroutines that match: a transition is read with an atomic load, and
// built under the mutex. A dfa holds at most maxStates states, and all of
// them together dfaBudget; past that, Match reports that it cannot answer
// and the caller asks Go's engine (engine does).
type dfa struct {
	prog *syntax.Prog
	// begin tells that every match starts at the beginning of the text:
	// no thread starts after it, and a state without threads fails.
	begin bool
	// bounds holds, sorted, the runes where the answer of an instruction
	// to a rune past ASCII may change: the runes of each interval between
	// two bounds take the same transitions (their class).
	bounds []rune

	mu        sync.Mutex
	states    map[string]*dstate
	start     *dstate
	maxStates int
}

// dstate is a state of a dfa: the threads at a position of the line, as
// the program counters of the instructions they wait at (a rune to read,
// or an empty-width condition that the next rune decides), and what came
// before the position.
type dstate struct {
	// done tells that Match can answer without reading on: the state
	// that matched, or a state without threads when no thread starts
	// after the beginning.
	done  bool
	pcs   []uint32
	prev  prevKind
	ascii [utf8.RuneSelf]atomic.Pointer[dstate] // the transitions on ASCII bytes
	other []atomic.Pointer[dstate]              // on the other runes, by their class
	end   atomic.Int32                          // whether a match ends at the end of the text: 0 not known yet, 1 yes, 2 no
}

// prevKind is what the rune before a position is, as far as empty-width
// conditions can tell.
type prevKind uint8

const (
	prevNone    prevKind = iota // the beginning of the text
	prevNewline                 // '\n'
	prevWord                    // a word rune (\b): ASCII letter, digit or '_'
	prevOther
)

// maxDFAStates bounds the states of a dfa, and dfaBudget those of all of
// them, and so their memory (a state takes about 1.1 KB). The rules' dfas
// hold about 1,900 states after the 201 logs of LogChunks and the dense
// benchmark trace, 67 at most in one.
const maxDFAStates = 256

var dfaBudget atomic.Int64

func init() { dfaBudget.Store(4096) }

// dfaMatched is the state reached once a match is found: the line matches.
var dfaMatched = &dstate{done: true}

func newDFA(re *syntax.Regexp) (*dfa, error) {
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	d := &dfa{prog: prog, begin: prog.StartCond()&syntax.EmptyBeginText != 0, states: map[string]*dstate{}, maxStates: maxDFAStates}
	// The bounds of the rune classes: the ends of each range an
	// instruction holds, and each rune a case-folding instruction accepts.
	var bounds []rune
	for i := range prog.Inst {
		in := &prog.Inst[i]
		if in.Op != syntax.InstRune && in.Op != syntax.InstRune1 {
			continue
		}
		if len(in.Rune) == 1 {
			r := in.Rune[0]
			bounds = append(bounds, r, r+1)
			if syntax.Flags(in.Arg)&syntax.FoldCase != 0 {
				for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
					bounds = append(bounds, f, f+1)
				}
			}
			continue
		}
		for j := 0; j+1 < len(in.Rune); j += 2 {
			bounds = append(bounds, in.Rune[j], in.Rune[j+1]+1)
		}
	}
	for _, b := range bounds {
		if b > utf8.RuneSelf {
			d.bounds = append(d.bounds, b)
		}
	}
	slices.Sort(d.bounds)
	d.bounds = slices.Compact(d.bounds)
	var pcs []uint32
	if d.closure(&pcs, uint32(prog.Start), make([]bool, len(prog.Inst))) {
		d.start = dfaMatched // the empty string matches
	} else {
		d.start = d.state(pcs, prevNone)
	}
	return d, nil
}

// classOf returns the class of r, a rune past ASCII: its index in other.
func (d *dfa) classOf(r rune) int {
	i, _ := slices.BinarySearch(d.bounds, r+1) // the bounds at or below r
	return i
}

// next returns the transition of s on r.
func (s *dstate) nextOn(d *dfa, r rune) *atomic.Pointer[dstate] {
	if r < utf8.RuneSelf {
		return &s.ascii[r]
	}
	return &s.other[d.classOf(r)]
}

// state returns the state of the threads pcs (sorted) after prev, made
// once. Called with mu held, or before the dfa is shared. It returns nil
// once the dfa holds maxDFAStates states.
func (d *dfa) state(pcs []uint32, prev prevKind) *dstate {
	key := make([]byte, 0, 1+4*len(pcs))
	key = append(key, byte(prev))
	for _, pc := range pcs {
		key = strconv.AppendUint(key, uint64(pc), 36)
		key = append(key, ',')
	}
	if s, ok := d.states[string(key)]; ok {
		return s
	}
	if len(d.states) >= d.maxStates || dfaBudget.Add(-1) < 0 {
		return nil
	}
	s := &dstate{pcs: pcs, prev: prev, other: make([]atomic.Pointer[dstate], len(d.bounds)+1), done: d.begin && len(pcs) == 0}
	d.states[string(key)] = s
	return s
}

// closure adds to pcs the threads that pc leads to without reading a rune
// and without an empty-width condition; it reports whether one of them is
// a match.
func (d *dfa) closure(pcs *[]uint32, pc uint32, seen []bool) bool {
	return d.follow(pcs, pc, seen, 0, false)
}

// expand follows the empty-width conditions that flags meet from the
// threads pcs, and returns the threads that wait for a rune; matched tells
// that one of them reached a match.
func (d *dfa) expand(pcs []uint32, flags syntax.EmptyOp) (runes []uint32, matched bool) {
	seen := make([]bool, len(d.prog.Inst))
	for _, pc := range pcs {
		if d.follow(&runes, pc, seen, flags, true) {
			return nil, true
		}
	}
	return runes, false
}

// follow adds to pcs the threads that pc leads to without reading a rune:
// those that wait for a rune, and, unless resolve is set, those that wait
// for an empty-width condition; with resolve, a condition that flags meet
// is passed and the others end their thread. It reports whether a thread
// reached a match.
func (d *dfa) follow(pcs *[]uint32, pc uint32, seen []bool, flags syntax.EmptyOp, resolve bool) bool {
	if seen[pc] {
		return false
	}
	seen[pc] = true
	in := &d.prog.Inst[pc]
	switch in.Op {
	case syntax.InstAlt, syntax.InstAltMatch:
		return d.follow(pcs, in.Out, seen, flags, resolve) || d.follow(pcs, in.Arg, seen, flags, resolve)
	case syntax.InstNop, syntax.InstCapture:
		return d.follow(pcs, in.Out, seen, flags, resolve)
	case syntax.InstEmptyWidth:
		if resolve {
			return syntax.EmptyOp(in.Arg)&^flags == 0 && d.follow(pcs, in.Out, seen, flags, resolve)
		}
	case syntax.InstMatch:
		return true
	case syntax.InstFail:
		return false
	}
	*pcs = append(*pcs, pc)
	return false
}

// rune returns a rune of kind k, for syntax.EmptyOpContext.
func (k prevKind) rune() rune {
	switch k {
	case prevNone:
		return -1
	case prevNewline:
		return '\n'
	case prevWord:
		return 'a'
	}
	return ' '
}

// kindOf returns the kind of r.
func kindOf(r rune) prevKind {
	switch {
	case r == '\n':
		return prevNewline
	case syntax.IsWordChar(r):
		return prevWord
	}
	return prevOther
}

// step computes the transition of s on r, and returns nil when the dfa is
// full.
func (d *dfa) step(s *dstate, r rune) *dstate {
	runes, matched := d.expand(s.pcs, syntax.EmptyOpContext(s.prev.rune(), r))
	if matched {
		return dfaMatched
	}
	var pcs []uint32
	seen := make([]bool, len(d.prog.Inst))
	for _, pc := range runes {
		in := &d.prog.Inst[pc]
		ok := false
		switch in.Op {
		case syntax.InstRune, syntax.InstRune1:
			ok = in.MatchRune(r)
		case syntax.InstRuneAny:
			ok = true
		case syntax.InstRuneAnyNotNL:
			ok = r != '\n'
		}
		if ok && d.closure(&pcs, in.Out, seen) {
			return dfaMatched
		}
	}
	if !d.begin && d.closure(&pcs, uint32(d.prog.Start), seen) {
		return dfaMatched
	}
	slices.Sort(pcs)
	return d.state(pcs, kindOf(r))
}

// Match reports whether the expression matches line; ok is false when the
// dfa is full and cannot tell.
func (d *dfa) Match(line []byte) (matched, ok bool) {
	s := d.start
	if s == nil {
		return false, false // the budget ran out before the dfa started
	}
	for i := 0; i < len(line) && !s.done; {
		c := line[i]
		if c < utf8.RuneSelf {
			if next := s.ascii[c].Load(); next != nil {
				s = next
				i++
				continue
			}
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(line[i:])
		}
		t := s.nextOn(d, r)
		next := t.Load()
		if next == nil {
			d.mu.Lock()
			if next = t.Load(); next == nil {
				if next = d.step(s, r); next != nil {
					t.Store(next)
				}
			}
			d.mu.Unlock()
			if next == nil {
				return false, false
			}
		}
		s = next
		i += size
	}
	if s.done {
		return s == dfaMatched, true
	}
	switch s.end.Load() {
	case 1:
		return true, true
	case 2:
		return false, true
	}
	_, matched = d.expand(s.pcs, syntax.EmptyOpContext(s.prev.rune(), -1))
	if matched {
		s.end.Store(1)
	} else {
		s.end.Store(2)
	}
	return matched, true
}

// engine runs an expression: with its dfa, or with Go's engine when the
// dfa is full.
type engine struct {
	d  *dfa
	re *regexp.Regexp
}

func newEngine(src string) (*engine, error) {
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, err
	}
	parsed, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, err
	}
	d, err := newDFA(parsed)
	if err != nil {
		return nil, err
	}
	return &engine{d: d, re: re}, nil
}

// Match reports whether line matches the expression.
func (e *engine) Match(line []byte) bool {
	if m, ok := e.d.Match(line); ok {
		return m
	}
	return e.re.Match(line)
}

// String returns the expression.
func (e *engine) String() string { return e.re.String() }
