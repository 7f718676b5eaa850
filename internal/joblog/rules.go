package joblog

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Category is what kind of failure a job or an excerpt shows. The values are
// the same stable identifiers as diagnose.Category.
type Category string

// Categories.
const (
	CategoryTest       Category = "test"
	CategoryBuild      Category = "build"
	CategoryLint       Category = "lint"
	CategoryDependency Category = "dependency"
	CategoryScript     Category = "script"
	CategoryInfra      Category = "infra"
	CategoryTimeout    Category = "timeout"
	CategoryConfig     Category = "config"
	CategorySupply     Category = "supply-chain"
	CategoryUnknown    Category = "unknown"
)

// Rule is one entry of the knowledge base: a line pattern with the category
// and hint it stands for.
type Rule struct {
	// Name is a stable identifier, "<ecosystem>.<what>".
	Name string
	// Category of the failure the rule recognises; empty for noise rules.
	Category Category
	// Pattern is an RE2 regular expression matched against a cleaned line.
	// Empty means a keyword is enough.
	Pattern string
	// Keywords are lower-case literals; a line is matched against Pattern
	// only when it holds one of them (ASCII case ignored). A leading "^"
	// asks for the keyword at the start of the line (after indentation), a
	// leading or trailing `\b` for a word boundary, a leading "!-" for no
	// '-' right before it (not in "x86_64-unknown-linux-gnu"), a trailing
	// "!." for no '.' and letter right after it (not in "Error.swift").
	// One pass of a byte-pair prefilter finds them all, which keeps the
	// regular expressions off most lines.
	Keywords []string
	// Hint is one line telling a person what to do.
	Hint string
	// Weight tells how strongly a match marks the root cause, from 1 (an
	// echo of a failure such as "make: *** Error 1") to 10 (a cause such as
	// an out-of-memory kill). Negative weights mark noise: lines that look
	// like errors and are not (warnings, "0 failures").
	Weight int
	// Decisive rules name the job's category wherever they match (runner
	// failures, timeouts, out-of-memory kills): they win over the rule of
	// the first excerpt.
	Decisive bool
	// Example is a log line the rule matches (testdata/rule_lines.txt
	// holds real lines, with where each comes from).
	Example string
	// Generic rules (plain "error", "failed") count only when no
	// ecosystem rule matched the line.
	Generic bool
	// AsErrors rules report that warnings fail the build: the first
	// located warning of the same command becomes the cause.
	AsErrors bool
	// Numbered rules are also tried on lines that start with a numbered
	// item such as "  1) ", whatever their keywords: test runners list
	// failures that way.
	Numbered bool

	re *lazyPattern
}

// lazyPattern compiles a rule's expression the first time a line reaches
// it: compiling the whole knowledge base took about 100 ms, paid by every
// run of the command, while a log reaches only a few rules' expressions.
// The syntax is checked when the knowledge base is built.
type lazyPattern struct {
	src  string
	once sync.Once
	pat  *pattern
	err  error
}

// Match compiles the expression on first use; an expression that does not
// compile (checked when the knowledge base is built, so never here) matches
// nothing.
func (l *lazyPattern) Match(line []byte) bool {
	l.once.Do(func() { l.pat, l.err = compilePattern(l.src) })
	return l.err == nil && l.pat.Match(line)
}

// pattern is a compiled Pattern. Each alternative that starts with "^" is
// compiled alone and tried at offset 0 only; each other alternative that
// starts with a literal or needs literals that a line must hold is
// compiled alone; the rest together. Before an engine (a lazily built
// automaton, see engine) runs, cheap tests turn away the lines that cannot
// match: the first and last bytes of the line, the literal prefix, the
// literals needed.
type pattern struct {
	anchored []anchoredAlt
	free     []*engine
	// prefix holds the literal every match of free[i] starts with, or nil:
	// a line without it is turned away before the engine is set up.
	prefix []*exactLiteral
	// needs[i] holds sets of literals each of which has a member in every
	// line free[i] matches. They are compared with ASCII case ignored: case
	// folding is exact in ASCII only, so lines with other bytes skip this
	// test (and the literal tests of anchoredAlt and startTest).
	needs [][]*literalSet
	// last[i] holds the bytes a match of free[i] can end the line with,
	// when it ends with "$", or is nil. A line whose last byte is not in
	// the set is turned away: "^\[warn\] .*\.(j|t)sx?$" otherwise
	// backtracks through every "[warn]" line of an sbt build.
	last []*[256]bool
	// starts[i], when not nil, tells where free[i] can match: on an ASCII
	// line, free[i] is tried there only.
	starts []*startTest
}

// anchoredAlt is an alternative that starts with "^", with the tests that
// turn lines away before it runs. Each is compiled alone so that one
// alternative without a test (such as `^\S+\.java:\d+`) does not take
// away the others'.
type anchoredAlt struct {
	re *engine
	// first holds the bytes a match can start with; nil when it may match
	// the empty string.
	first *[256]bool
	last  *[256]bool // as pattern.last
}

// match reports whether the alternative matches line: its automaton dies
// at the first byte no match can take, which costs less than looking for
// the literals a match needs.
func (a *anchoredAlt) match(line []byte) bool {
	if a.first != nil && (len(line) == 0 || !a.first[line[0]]) || !endsIn(line, a.last) {
		return false
	}
	return a.re.Match(line)
}

func compilePattern(p string) (*pattern, error) {
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		return nil, err
	}
	pt := &pattern{}
	var rest []string
	for _, a := range alternatives(re) {
		if tail := anchoredTail(a); tail != nil {
			aa := anchoredAlt{}
			if aa.re, err = newEngine(`^(?:` + exprString(tail) + `)`); err != nil {
				return nil, err
			}
			if first := new([256]bool); !firstBytes(tail, first) {
				aa.first = first
			}
			if last := new([256]bool); endBytes(tail, last) {
				aa.last = last
			}
			pt.anchored = append(pt.anchored, aa)
			continue
		}
		src := exprString(a)
		needs := requiredSets(a)
		one, err := newEngine(src)
		if err != nil {
			return nil, err
		}
		prefix, _ := one.re.LiteralPrefix()
		var last *[256]bool
		if set := new([256]bool); endBytes(a, set) {
			last = set
		}
		starts, err := newStartTest(a, prefix)
		if err != nil {
			return nil, err
		}
		if prefix == "" && len(needs) == 0 && last == nil && starts == nil {
			rest = append(rest, src)
			continue
		}
		pt.free = append(pt.free, one)
		pt.prefix = append(pt.prefix, newExactLiteral(prefix))
		pt.needs = append(pt.needs, needs)
		pt.last = append(pt.last, last)
		pt.starts = append(pt.starts, starts)
	}
	if len(rest) > 0 {
		one, err := newEngine(strings.Join(rest, "|"))
		if err != nil {
			return nil, err
		}
		pt.free = append(pt.free, one)
		pt.prefix = append(pt.prefix, nil)
		pt.needs = append(pt.needs, nil)
		pt.last = append(pt.last, nil)
		pt.starts = append(pt.starts, nil)
	}
	return pt, nil
}

// alternatives returns the alternatives at the top of re, which may be
// in a capture.
func alternatives(re *syntax.Regexp) []*syntax.Regexp {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op == syntax.OpAlternate {
		return re.Sub
	}
	return []*syntax.Regexp{re}
}

// anchoredTail returns what follows the "^" that starts the alternative
// a, or nil when a does not start with one.
func anchoredTail(a *syntax.Regexp) *syntax.Regexp {
	if a.Op != syntax.OpConcat || len(a.Sub) == 0 || a.Sub[0].Op != syntax.OpBeginText {
		return nil
	}
	return &syntax.Regexp{Op: syntax.OpConcat, Sub: a.Sub[1:], Flags: a.Flags}
}

// lineStartBytes returns the bytes a line that re matches can start with,
// or nil when it may start with any: when an alternative of re is not
// anchored at the start of the text, or may match the empty string.
func lineStartBytes(re *syntax.Regexp) *[256]bool {
	set := new([256]bool)
	for _, a := range alternatives(re) {
		if tail := anchoredTail(a); tail == nil || firstBytes(tail, set) {
			return nil
		}
	}
	return set
}

// minStartLength is the shortest start literal worth looking for: a
// shorter one occurs at too many offsets.
const minStartLength = 2

// startTest tells where a free alternative without a literal prefix can
// match: where one of a few literals occurs, or right before such a place,
// at the start of a run of bytes of a class. Go's engine tries such an
// alternative at every offset of the line: it skips ahead only to a
// case-sensitive literal prefix.
type startTest struct {
	at     *engine // the alternative, anchored at the start of the text
	starts *literalSet
	// lead is a word-boundary test that starts the alternative, left out of
	// at: it looks at the byte before the match, which at cannot see.
	lead syntax.Op
	// run, when not nil, holds the bytes of the class that the
	// alternative starts with, repeated without an upper bound; starts
	// then holds the literals that come after the run.
	run *[256]bool
}

// newStartTest builds the start test of the free alternative a, or
// returns nil when a has none. An alternative with a literal prefix (Go's
// engine skips to it itself) has none.
func newStartTest(a *syntax.Regexp, prefix string) (*startTest, error) {
	if prefix != "" {
		return nil, nil
	}
	st := &startTest{}
	body := a
	if a.Op == syntax.OpConcat && len(a.Sub) > 1 {
		if op := a.Sub[0].Op; op == syntax.OpWordBoundary || op == syntax.OpNoWordBoundary {
			st.lead = op
			body = &syntax.Regexp{Op: syntax.OpConcat, Sub: a.Sub[1:], Flags: a.Flags}
		}
	}
	after := body // the part whose literals are looked for
	if body.Op == syntax.OpConcat {
		switch body.Sub[0].Op {
		case syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpBeginText, syntax.OpBeginLine:
			return nil, nil
		}
		if run := asciiRun(body.Sub[0]); run != nil && len(body.Sub) > 1 {
			st.run = run
			after = &syntax.Regexp{Op: syntax.OpConcat, Sub: body.Sub[1:], Flags: body.Flags}
		}
	}
	lits, ok := literalStarts(after)
	if !ok {
		return nil, nil
	}
	for _, l := range lits {
		if len(l) < minStartLength {
			return nil, nil
		}
	}
	at, err := newEngine(`^(?:` + exprString(body) + `)`)
	if err != nil {
		return nil, err
	}
	st.at, st.starts = at, newLiteralSet(lits)
	return st, nil
}

// asciiRun returns the bytes of the class re repeats, when re is a class of
// ASCII runes (such as \d) or one ASCII byte, repeated with no upper bound,
// and nil otherwise.
func asciiRun(re *syntax.Regexp) *[256]bool {
	switch {
	case re.Op == syntax.OpPlus, re.Op == syntax.OpStar, re.Op == syntax.OpRepeat && re.Max < 0:
	default:
		return nil
	}
	c := re.Sub[0]
	set := new([256]bool)
	if c.Op == syntax.OpLiteral && len(c.Rune) == 1 && c.Rune[0] < utf8.RuneSelf {
		b := byte(c.Rune[0])
		set[b] = true
		if c.Flags&syntax.FoldCase != 0 && isLetter(b) {
			set[b|0x20], set[upper(b|0x20)] = true, true
		}
		return set
	}
	if c.Op != syntax.OpCharClass || len(c.Rune) == 0 {
		return nil
	}
	for i := 0; i+1 < len(c.Rune); i += 2 {
		if c.Rune[i+1] >= utf8.RuneSelf {
			return nil
		}
		for r := c.Rune[i]; r <= c.Rune[i+1]; r++ {
			set[r] = true
		}
	}
	return set
}

// match reports whether the alternative matches line, an ASCII line (where
// the literal sets' case folding is exact). A match's literals start at an
// occurrence j; without a run, the match starts there too. With one, it
// starts inside the run of class bytes that ends at j, and matching from
// the run's first byte finds it, as the anchored expression can repeat the
// class up to j.
func (st *startTest) match(line []byte) bool {
	for j := st.starts.index(line, 0); j >= 0; j = st.starts.index(line, j+1) {
		k := j
		if st.run != nil {
			for k > 0 && st.run[line[k-1]] {
				k--
			}
		}
		if st.lead != 0 {
			before := k > 0 && isWordByte(line[k-1])
			after := k < len(line) && isWordByte(line[k])
			if (before != after) != (st.lead == syntax.OpWordBoundary) {
				continue
			}
		}
		if st.at.Match(line[k:]) {
			return true
		}
	}
	return false
}

// Match reports whether line matches the pattern.
func (p *pattern) Match(line []byte) bool {
	ascii := -1 // whether line is ASCII, once known
	for i := range p.anchored {
		if p.anchored[i].match(line) {
			return true
		}
	}
	for i, re := range p.free {
		if !endsIn(line, p.last[i]) {
			continue
		}
		if pre := p.prefix[i]; pre != nil && !pre.in(line) {
			continue
		}
		if needs := p.needs[i]; len(needs) > 0 && !allIn(needs, line) && isASCII(line, &ascii) {
			continue
		}
		if st := p.starts[i]; st != nil && isASCII(line, &ascii) {
			if st.match(line) {
				return true
			}
			continue
		}
		if re.Match(line) {
			return true
		}
	}
	return false
}

// exactLiteral finds a literal, case and all, by its rarest byte:
// bytes.Index looks for its first byte, which in a log line is often a
// letter or a space met every few bytes, and compares from each.
type exactLiteral struct {
	lit []byte
	at  int // the offset of the byte looked for
}

// newExactLiteral returns the finder of s, nil when s is empty.
func newExactLiteral(s string) *exactLiteral {
	if s == "" {
		return nil
	}
	e := &exactLiteral{lit: []byte(s)}
	for i := range len(s) {
		if exactRarity(s[i]) > exactRarity(s[e.at]) {
			e.at = i
		}
	}
	return e
}

// exactRarity is rarity for bytes compared with their case: an upper-case
// letter is rarer than any lower-case one.
func exactRarity(c byte) int {
	if c >= 'A' && c <= 'Z' {
		return 26 + rarity(c)
	}
	return rarity(c)
}

// in reports whether line holds the literal.
func (e *exactLiteral) in(line []byte) bool {
	c, n := e.lit[e.at], len(e.lit)
	for i := e.at; i < len(line); i++ {
		j := bytes.IndexByte(line[i:], c)
		if j < 0 {
			return false
		}
		i += j
		if s := i - e.at; len(line)-s >= n && bytes.Equal(line[s:s+n], e.lit) {
			return true
		}
	}
	return false
}

// maxStarts caps the literals of a literal set.
const maxStarts = 64

// literalStarts returns lower-case ASCII literals such that every match of
// re starts with one of them, ASCII case ignored; ok is false when it finds
// no such set. A literal stops before its first non-ASCII rune.
func literalStarts(re *syntax.Regexp) (lits []string, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		var b []byte
		for _, r := range re.Rune {
			if r >= utf8.RuneSelf {
				break
			}
			b = append(b, byte(r))
		}
		if len(b) == 0 {
			return nil, false
		}
		return []string{strings.ToLower(string(b))}, true
	case syntax.OpCharClass:
		// A small set of ASCII bytes, each a one-byte literal.
		n := 0
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1] >= utf8.RuneSelf {
				return nil, false
			}
			n += int(re.Rune[i+1]-re.Rune[i]) + 1
		}
		if n == 0 || n > 10 {
			return nil, false
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if l := strings.ToLower(string(r)); !seen[l] {
					seen[l] = true
					lits = append(lits, l)
				}
			}
		}
		return lits, true
	case syntax.OpCapture, syntax.OpPlus:
		return literalStarts(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil, false
		}
		return literalStarts(re.Sub[0])
	case syntax.OpConcat:
		for i, s := range re.Sub {
			switch s.Op {
			case syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpBeginText, syntax.OpBeginLine:
				continue // zero-width: the next expression starts the match
			}
			lits, _, ok = extendedStarts(re.Sub, i)
			return lits, ok
		}
		return nil, false
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			l, ok := literalStarts(s)
			if !ok || len(lits)+len(l) > maxStarts {
				return nil, false
			}
			lits = append(lits, l...)
		}
		return lits, true
	}
	return nil, false
}

// extendedStarts returns the literals that start every match of the
// concatenation parts[i:] and the index of the first part they do not
// cover. While the parts match only their literals, the literals of the
// next part extend them, up to longEnough bytes: ` (tests|runs)` gives
// " tests" and " runs" rather than " ".
func extendedStarts(parts []*syntax.Regexp, i int) (lits []string, next int, ok bool) {
	lits, ok = literalStarts(parts[i])
	s := parts[i]
	for next = i + 1; next < len(parts); next++ {
		if !ok || !exactLiterals(s) || shortest(lits) >= longEnough {
			break
		}
		// A class of many bytes would multiply the literals: they would
		// cost more to look for than they save.
		more, nextOK := literalStarts(parts[next])
		if !nextOK || len(more) > 2 || len(lits)*len(more) > maxStarts {
			break
		}
		var prod []string
		for _, a := range lits {
			for _, b := range more {
				prod = append(prod, a+b)
			}
		}
		lits, s = prod, parts[next]
	}
	return lits, next, ok
}

// longEnough is the length from which literalStarts stops extending its
// literals: longer ones turn few more lines away, and more of them cost
// more to look for.
const longEnough = 4

// shortest returns the length of the shortest string of s.
func shortest(s []string) int {
	n := 1 << 30
	for _, x := range s {
		n = min(n, len(x))
	}
	return n
}

// exactLiterals reports whether literalStarts(re) holds whole matches:
// each match of re is one of them, ASCII case ignored.
func exactLiterals(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r >= utf8.RuneSelf {
				return false
			}
		}
		return len(re.Rune) > 0
	case syntax.OpCharClass:
		_, ok := literalStarts(re)
		return ok
	case syntax.OpCapture:
		return exactLiterals(re.Sub[0])
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if !exactLiterals(s) {
				return false
			}
		}
		return len(re.Sub) > 0
	case syntax.OpConcat:
		// Exact when the literals of the first part, extended, cover
		// every part: extendedStarts stops early on a long prefix.
		if len(re.Sub) == 0 {
			return false
		}
		_, next, ok := extendedStarts(re.Sub, 0)
		return ok && next == len(re.Sub) && exactLiterals(re.Sub[len(re.Sub)-1])
	}
	return false
}

// Limits of the literal sets a free alternative needs.
const (
	maxNeeds      = 3 // sets tested per alternative
	minNeedLength = 3 // bytes of the shortest literal of a set worth testing
)

// requiredSets returns sets of literals such that a line that re matches
// holds a member of each (ASCII case ignored): the literals that start the
// parts of re that every match goes through. Sets with a literal shorter
// than minNeedLength are left out, as they turn few lines away.
func requiredSets(re *syntax.Regexp) []*literalSet {
	parts := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		parts = re.Sub
	}
	var sets []*literalSet
	for i := 0; i < len(parts) && len(sets) < maxNeeds; {
		lits, next, ok := extendedStarts(parts, i)
		if !ok {
			i++
			continue
		}
		short := false
		for _, l := range lits {
			short = short || len(l) < minNeedLength
		}
		if !short {
			sets = append(sets, newLiteralSet(lits))
		}
		i = next
	}
	return sets
}

// addRune adds to set the first byte of r in UTF-8 (every byte from 0x80
// for a rune past ASCII), and of the runes it folds to when fold is set.
func addRune(set *[256]bool, r rune, fold bool) {
	add := func(r rune) {
		if r < utf8.RuneSelf {
			set[r] = true
			return
		}
		for b := utf8.RuneSelf; b < 256; b++ {
			set[b] = true
		}
	}
	add(r)
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			add(f)
		}
	}
}

// addClass adds to set the first bytes of the runes of a character class
// (pairs of bounds, as syntax.Regexp.Rune holds them).
func addClass(set *[256]bool, ranges []rune) {
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			addRune(set, r, false)
			if r >= utf8.RuneSelf {
				break
			}
		}
	}
}

// allIn reports whether line holds a member of every set.
func allIn(sets []*literalSet, line []byte) bool {
	for _, ls := range sets {
		if !ls.in(line) {
			return false
		}
	}
	return true
}

// literalSet finds lower-case ASCII literals in a line, ASCII case ignored.
type literalSet struct {
	lits []string
	// byFirst holds the literals ordered by their first byte, and
	// span[c] the range of byFirst that starts with c, in either case
	// (empty when none does).
	byFirst []string
	span    [256]struct{ lo, hi uint16 }
	first   [256]bool // whether span[c] is not empty: one load per byte in index's loop
	// lead, when every literal has the same byte at offset at (case
	// ignored), holds that byte in lower and upper case: IndexByte then
	// finds the places to compare, many bytes at a time. A set of one
	// literal uses its rarest byte.
	lead [2]byte
	at   int
	one  bool
	// heads[k] holds the first 8 bytes of byFirst[k] (little endian) in
	// head, mask the bytes of head it has: most places a literal is not
	// at are turned away with one load.
	heads []litHead
}

// litHead is the first 8 bytes of a literal; whole when it has no more.
type litHead struct {
	head, mask uint64
	whole      bool
}

// candidateAt reports whether one of the literals byFirst[lo:hi] is at
// line[s:], s >= 0: with 8 bytes of line from s, their heads turn most
// places away, and only a literal longer than 8 bytes is compared on.
func (ls *literalSet) candidateAt(line []byte, s, lo, hi int) bool {
	if s+8 <= len(line) {
		x := lower8(binary.LittleEndian.Uint64(line[s:]))
		for k := lo; k < hi; k++ {
			h := &ls.heads[k]
			if x&h.mask == h.head && (h.whole || ls.equalAt(line, s, k)) {
				return true
			}
		}
		return false
	}
	for k := lo; k < hi; k++ {
		if ls.equalAt(line, s, k) {
			return true
		}
	}
	return false
}

// equalAt reports whether the literal byFirst[k] is at line[s:].
func (ls *literalSet) equalAt(line []byte, s, k int) bool {
	l := ls.byFirst[k]
	return len(l) <= len(line)-s && equalFold(line[s:s+len(l)], l)
}

// letterOrder lists the letters from the most to the least frequent in CI
// logs (from pairFreq's rows).
const letterOrder = "etsionarclmdupgbhfvkwyxjqz"

// rarity ranks how uncommon the byte c is in CI logs, from 0 (space) up.
func rarity(c byte) int {
	switch {
	case c == ' ':
		return 0
	case isLetter(c):
		return 1 + strings.IndexByte(letterOrder, c|0x20)
	case c >= '0' && c <= '9':
		return 14 // each digit about as often as 'p'
	case strings.IndexByte(".-/:_,=()[]'\"", c) >= 0:
		return 12
	}
	return 30 // other punctuation: rarer than any letter
}

func newLiteralSet(lits []string) *literalSet {
	ls := &literalSet{lits: lits, byFirst: slices.Clone(lits)}
	slices.Sort(ls.byFirst)
	for _, l := range ls.byFirst {
		h := litHead{whole: len(l) <= 8}
		h.head, h.mask = head8(l)
		ls.heads = append(ls.heads, h)
	}
	for i, l := range ls.byFirst {
		for _, c := range [2]byte{l[0], upper(l[0])} {
			sp := &ls.span[c]
			if sp.hi == 0 {
				sp.lo = uint16(i)
			}
			sp.hi = uint16(i + 1)
			ls.first[c] = true
		}
	}
	switch f := ls.byFirst; {
	case len(f) == 1:
		for i := range len(f[0]) {
			if rarity(f[0][i]) > rarity(f[0][ls.at]) {
				ls.at = i
			}
		}
		c := f[0][ls.at]
		ls.lead, ls.one = [2]byte{c, upper(c)}, true
	case len(f) > 0 && f[0][0] == f[len(f)-1][0]:
		ls.lead, ls.one = [2]byte{f[0][0], upper(f[0][0])}, true
	}
	return ls
}

// upper returns c in upper case when it is a lower-case ASCII letter.
func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// in reports whether one of the literals occurs in line.
func (ls *literalSet) in(line []byte) bool { return ls.index(line, 0) >= 0 }

// index returns the first offset from i on where one of the literals
// occurs in line, or -1.
func (ls *literalSet) index(line []byte, i int) int {
	if ls.one {
		return ls.indexLead(line, i)
	}
	for ; i < len(line); i++ {
		if !ls.first[line[i]] {
			continue
		}
		if sp := ls.span[line[i]]; ls.candidateAt(line, i, int(sp.lo), int(sp.hi)) {
			return i
		}
	}
	return -1
}

// indexLead is index for a set whose literals hold ls.lead at ls.at.
func (ls *literalSet) indexLead(line []byte, from int) int {
	lo, up := -2, -2 // the next offset of each case: -2 not known, -1 none
	if ls.lead[1] == ls.lead[0] {
		up = -1 // not a letter: one case
	}
	for i := from + ls.at; i < len(line); {
		if lo < i && lo != -1 {
			if lo = bytes.IndexByte(line[i:], ls.lead[0]); lo >= 0 {
				lo += i
			}
		}
		if up < i && up != -1 {
			if up = bytes.IndexByte(line[i:], ls.lead[1]); up >= 0 {
				up += i
			}
		}
		switch {
		case lo < 0 && up < 0:
			return -1
		case lo < 0 || up >= 0 && up < lo:
			i = up
		default:
			i = lo
		}
		if s := i - ls.at; ls.candidateAt(line, s, 0, len(ls.byFirst)) { // from or after: i starts at from+ls.at
			return s
		}
		i++
	}
	return -1
}

// isASCII reports whether line holds only ASCII bytes, caching the answer
// in *known (-1 unknown, 0 no, 1 yes).
func isASCII(line []byte, known *int) bool {
	if *known < 0 {
		*known = 0
		if allASCII(line) {
			*known = 1
		}
	}
	return *known == 1
}

// allASCII reports whether b holds only ASCII bytes, looking at eight
// bytes at a time.
func allASCII(b []byte) bool {
	var high uint64
	i := 0
	for ; i+8 <= len(b); i += 8 {
		high |= binary.LittleEndian.Uint64(b[i:])
	}
	for ; i < len(b); i++ {
		high |= uint64(b[i])
	}
	return high&highs8 == 0
}

// classBase is the first of the private-use runes that stand for character
// classes while exprString prints an expression.
const classBase = 0xF0000

// exprString prints re as an expression that matches the same text. It is
// re.String() except for character classes: the standard printer tests the
// case folding of every rune in a class's ranges, a million calls to
// unicode.SimpleFold for a class such as \S, which made compiling the
// knowledge base slow. Here each class is swapped for a placeholder literal
// while printing, then written out as its ranges, case-sensitive.
func exprString(re *syntax.Regexp) string {
	var classes []*syntax.Regexp
	var saved []syntax.Regexp
	var swap func(*syntax.Regexp)
	swap = func(r *syntax.Regexp) {
		if r.Op == syntax.OpCharClass {
			classes = append(classes, r)
			saved = append(saved, *r)
			r.Op, r.Flags, r.Rune = syntax.OpLiteral, 0, []rune{classBase + rune(len(classes)-1)}
			return
		}
		for _, s := range r.Sub {
			swap(s)
		}
	}
	swap(re)
	out := re.String()
	for i, r := range classes {
		*r = saved[i]
		placeholder := (&syntax.Regexp{Op: syntax.OpLiteral, Rune: []rune{classBase + rune(i)}}).String()
		out = strings.Replace(out, placeholder, classString(r.Rune), 1)
	}
	return out
}

// classString writes the ranges of a character class, case-sensitive.
func classString(ranges []rune) string {
	if len(ranges) == 0 {
		return `(?-i:[^\x{0}-\x{10FFFF}])`
	}
	var b strings.Builder
	b.WriteString("(?-i:[")
	for i := 0; i+1 < len(ranges); i += 2 {
		fmt.Fprintf(&b, `\x{%x}`, ranges[i])
		if ranges[i+1] != ranges[i] {
			fmt.Fprintf(&b, `-\x{%x}`, ranges[i+1])
		}
	}
	b.WriteString("])")
	return b.String()
}

// firstBytes adds to set every byte that a match of re can start with and
// reports whether re can match the empty string (then a match may start with
// any byte). It errs on the side of adding too much: every byte of a
// multi-byte UTF-8 sequence stands for all of them.
func firstBytes(re *syntax.Regexp, set *[256]bool) bool { return edgeBytes(re, set, false) }

// lastBytes is firstBytes from the end: it adds to set the bytes a match of
// re can end with, and reports whether re can match the empty string.
func lastBytes(re *syntax.Regexp, set *[256]bool) bool { return edgeBytes(re, set, true) }

// edgeBytes is firstBytes, or lastBytes when fromEnd is set.
func edgeBytes(re *syntax.Regexp, set *[256]bool, fromEnd bool) bool {
	switch re.Op {
	case syntax.OpNoMatch:
		return false
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return true
		}
		r := re.Rune[0]
		if fromEnd {
			r = re.Rune[len(re.Rune)-1]
		}
		addRune(set, r, re.Flags&syntax.FoldCase != 0)
		return false
	case syntax.OpCharClass:
		addClass(set, re.Rune)
		return false
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		for b := range set {
			set[b] = true
		}
		return false
	case syntax.OpCapture, syntax.OpPlus:
		return edgeBytes(re.Sub[0], set, fromEnd)
	case syntax.OpStar, syntax.OpQuest:
		edgeBytes(re.Sub[0], set, fromEnd)
		return true
	case syntax.OpRepeat:
		return edgeBytes(re.Sub[0], set, fromEnd) || re.Min == 0
	case syntax.OpConcat:
		for k := range re.Sub {
			s := re.Sub[k]
			if fromEnd {
				s = re.Sub[len(re.Sub)-1-k]
			}
			if !edgeBytes(s, set, fromEnd) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		nullable := false
		for _, s := range re.Sub {
			if edgeBytes(s, set, fromEnd) {
				nullable = true
			}
		}
		return nullable
	}
	return true
}

// endsIn reports whether line may end a match whose last bytes are in set
// (nil: any line may).
func endsIn(line []byte, set *[256]bool) bool {
	return set == nil || len(line) > 0 && set[line[len(line)-1]]
}

// endBytes adds to set the bytes that can end a match of re at the end of
// the text, and reports whether re can only match there: its last element
// is "$" (or "\z"), and what comes before it cannot match the empty string.
func endBytes(re *syntax.Regexp, set *[256]bool) bool {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	switch re.Op {
	case syntax.OpConcat:
		n := len(re.Sub)
		if n < 2 || re.Sub[n-1].Op != syntax.OpEndText && re.Sub[n-1].Op != syntax.OpEndLine {
			return false
		}
		for i := n - 2; i >= 0; i-- {
			if !lastBytes(re.Sub[i], set) {
				return true
			}
		}
		return false
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if !endBytes(s, set) {
				return false
			}
		}
		return true
	}
	return false
}

// The knowledge base. Order matters only between rules of equal weight on
// the same line: the first wins. The noise rules come last (classify looks
// for them only once the line's rule is known).
var rules = []Rule{
	// Runner and infrastructure.
	{Name: "runner.system-failure", Category: CategoryInfra, Weight: 10, Decisive: true,
		Keywords: []string{"job failed (system failure)", "preparation failed"},
		Hint:     "The runner failed, not the job script: retry the job; if it keeps failing, check the runner's health and executor.",
		Example:  `ERROR: Job failed (system failure): Error response from daemon: container did not start`},
	{Name: "runner.job-timeout", Category: CategoryTimeout, Weight: 10, Decisive: true,
		Pattern:  `(?i)(execution took longer than|job exceeded the maximum time limit|has exceeded the (maximum )?(execution )?(time|timeout)|job timed out|exceeded the timeout of)`,
		Keywords: []string{"took longer", "time limit", "exceeded the", "timed out"},
		Hint:     "The job hit its time limit: find the step that hangs or is slow, or raise `timeout:` in .gitlab-ci.yml.",
		Example:  `ERROR: Job failed: execution took longer than 1h0m0s seconds`},
	{Name: "runner.stalled", Category: CategoryTimeout, Weight: 9, Decisive: true,
		Pattern:  `(?i)no output has been received in the last \S+|stuck.*no runners|job is stuck`,
		Keywords: []string{"no output has been", "stuck"},
		Hint:     "The job printed nothing for too long and was stopped: a command is waiting for input or hangs.",
		Example:  `No output has been received in the last 10m0s, this potentially indicates a stalled build or something wrong with the build itself.`},
	{Name: "runner.no-matching-runner", Category: CategoryConfig, Weight: 9, Decisive: true,
		Keywords: []string{"runners online", "active runners", "runner online", "runners that match", "runners which match"},
		Hint:     "No runner can take this job: check the job's `tags:` against the runners available to the project.",
		Example:  `This job is stuck because you don't have any active runners online or available with any of these tags assigned to them: docker-arm64`},
	{Name: "infra.oom-killed", Category: CategoryInfra, Weight: 10, Decisive: true,
		Keywords: []string{"out of memory", "oomkilled", "oom-kill", "killed process", "cannot allocate memory", "heap out of memory", "memoryerror", "virtual memory exhausted", "signal: killed", "killed signal terminated"},
		Hint:     "The process ran out of memory and was killed: lower parallelism (-j, workers, maxWorkers) or use a runner with more memory.",
		Example:  `FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory`},
	{Name: "infra.killed", Category: CategoryInfra, Weight: 9,
		Pattern:  `^(\S+: line \d+: +)?(\d+ )?Killed(\s|$)`,
		Keywords: []string{"killed"},
		Hint:     "A process was killed (SIGKILL, exit code 137), most often by the out-of-memory killer: lower parallelism (-j, workers, maxWorkers) or use a runner with more memory.",
		Example:  `/usr/bin/bash: line 152:   812 Killed                  pip install -e . --no-build-isolation`},
	{Name: "infra.no-space", Category: CategoryInfra, Weight: 10, Decisive: true,
		Keywords: []string{"no space left on device", "disk quota exceeded", "not enough disk space", "insufficient disk space", "not enough free disk space"},
		Hint:     "The runner's disk is full: clean caches and artifacts or use a runner with more disk.",
		Example:  `OSError: [Errno 28] No space left on device`},
	{Name: "infra.image-pull", Category: CategoryInfra, Weight: 10, Decisive: true,
		Pattern:  `(?i)(failed to pull image|error pulling image|pull access denied|manifest (for \S+ )?(unknown|not found)|ImagePullBackOff|ErrImagePull|toomanyrequests: you have reached your pull rate limit)`,
		Keywords: []string{"pull image", "pulling image", "pull access denied", "manifest", "imagepullbackoff", "errimagepull", "pull rate limit"},
		Hint:     "The job image could not be pulled: check the image name and tag, registry credentials and rate limits.",
		Example:  `ERROR: Job failed (system failure): failed to pull image "registry.example.com/app/ci:missing" with specified policies [always]: Error response from daemon: manifest unknown`},
	{Name: "infra.network", Category: CategoryInfra, Weight: 7,
		Keywords: []string{"could not resolve host", "temporary failure in name resolution", "name or service not known", "connection refused", "connection reset", "connection timed out", "network is unreachable", "no route to host", "tls handshake timeout", "i/o timeout", "ssl_error", "econnreset", "etimedout", "econnrefused", "enotfound", "eai_again", "getaddrinfo", "failed to connect to", "connect timeout", "unable to access 'http", "502 bad gateway", "503 service unavailable"},
		Hint:     "A network call failed (DNS, connection or TLS): retry the job; if it persists, check the remote service, proxies and the runner's network.",
		Example:  `fatal: unable to access 'https://github.com/foo/bar.git/': Could not resolve host: github.com`},
	{Name: "infra.log-truncated", Category: CategoryInfra, Weight: 2,
		Keywords: []string{"job's log exceeded limit"},
		Hint:     "The log was cut at the runner's output_limit: the cause may be past the cut; raise output_limit or log less.",
		Example:  `Job's log exceeded limit of 4194304 bytes.`},

	// Shell and scripts.
	{Name: "shell.command-not-found", Category: CategoryScript, Weight: 9,
		Pattern:  `(?i)(: (command )?not found$|command not found|is not recognized as an internal or external command|executable file not found in \$path|no such file or directory.*(sh|bash)\b)`,
		Keywords: []string{"not found", "not recognized", "no such file"},
		Hint:     "A command is missing from the job image: install it in the image or a before_script (e.g. `apk add --no-cache curl` on Alpine), or fix its name.",
		Example:  `/bin/sh: eval: line 123: curl: not found`},
	{Name: "shell.permission-denied", Category: CategoryScript, Weight: 9,
		Keywords: []string{"permission denied", "exited with 126", "not permitted"},
		Hint:     "A script is not executable or a path is not writable: `git update-index --chmod=+x <script>` or run it with `sh <script>`.",
		Example:  `/home/travis/.travis/functions: line 104: /home/travis/build/LightTable/LightTable/install-jdk.sh: Permission denied`},
	{Name: "shell.no-such-file", Category: CategoryScript, Weight: 6,
		// "can't open" as the shells print it ("sh: 0: Can't open x.sh",
		// "can't open file 'x'"), not in a sentence such as a test's name.
		Pattern:  `(?i)no such file|cannot stat|file not found|: can't open \S+$|can't open file`,
		Keywords: []string{"no such file", "cannot stat", "can't open", "file not found"},
		Hint:     "A file the script expects does not exist: check paths, the working directory and artifacts from earlier jobs.",
		Example:  `cp: cannot stat 'build/output.bin': No such file or directory`},
	{Name: "shell.syntax-error", Category: CategoryScript, Weight: 8,
		Keywords: []string{`syntax error\b`, "unexpected end", "bad substitution", "unbound variable", "[[: not found"},
		Hint:     "The shell script has an error; bash syntax under /bin/sh is a common cause (use `bash script.sh` or POSIX sh).",
		Example:  `./deploy.sh: line 12: TAG: unbound variable`},
	{Name: "shell.rake-aborted", Category: CategoryScript, Weight: 8,
		Keywords: []string{"rake aborted", "no rakefile found", "don't know how to build task"},
		Hint:     "Rake stopped: see the error below `rake aborted!`; a missing Rakefile means the job runs the default script for the wrong language.",
		Example:  `No Rakefile found (looking for: rakefile, Rakefile, rakefile.rb, Rakefile.rb)`},

	// Python.
	{Name: "python.traceback", Category: CategoryTest, Weight: 7,
		Keywords: []string{"traceback (most recent call last)"},
		Hint:     "A Python exception was raised: read the last line of the traceback, then the frame in your code above it.",
		Example:  `Traceback (most recent call last):`},
	{Name: "python.import-error", Category: CategoryDependency, Weight: 9,
		Pattern:  `\b(ModuleNotFoundError|ImportError): `,
		Keywords: []string{"modulenotfounderror", "importerror"},
		Hint:     "A Python module cannot be imported: add it to the requirements, or install the package under test (pip install -e .).",
		Example:  `ModuleNotFoundError: No module named 'yaml'`},
	// Node.js names its parse errors SyntaxError too; its messages are
	// told apart from Python's, and this rule comes first at equal weight.
	{Name: "js.syntax-error", Category: CategoryBuild, Weight: 9,
		Pattern:  `^\s*SyntaxError: (Unexpected (token|identifier|end of input|string|number|reserved word)|Invalid or unexpected token|missing \) after argument list|Cannot use import statement outside a module|Identifier '[^']+' has already been declared)`,
		Keywords: []string{"syntaxerror: unexpected", "syntaxerror: invalid or unexpected", "syntaxerror: missing )", "syntaxerror: cannot use import", "syntaxerror: identifier"},
		Hint:     "JavaScript cannot be parsed: fix the syntax at the file and line shown, or run a Node.js version that supports it.",
		Example:  `SyntaxError: Unexpected token )`},
	{Name: "python.syntax-error", Category: CategoryBuild, Weight: 9,
		Pattern:  `^\s*(E\s+)?(SyntaxError|IndentationError|TabError): `,
		Keywords: []string{"syntaxerror", "indentationerror", "taberror"},
		Hint:     "Python cannot parse a file: fix the syntax at the file and line shown (or the interpreter is older than the code).",
		Example:  `SyntaxError: invalid syntax`},
	{Name: "python.pytest-collection", Category: CategoryTest, Weight: 9,
		Pattern:  `(?i)(^ERROR collecting |errors? during collection|^_+ ERROR collecting .* _+$)`,
		Keywords: []string{"collecting", "during collection"},
		Hint:     "pytest could not import a test module: fix the import or syntax error shown under \"ERROR collecting\".",
		Example:  `ERROR collecting tests/test_api.py`},
	{Name: "python.pytest-failed", Category: CategoryTest, Weight: 7,
		Pattern:  `^(FAILED|ERROR) \S+::\S+|^_{3,} \S.* _{3,}$|^E\s{3}\S`,
		Keywords: []string{"^failed ", "^error ", "^___", "^e   ", "^e\t"},
		Hint:     "pytest tests failed: run the listed node ids locally with `pytest <nodeid>`.",
		Example:  `FAILED tests/test_parser.py::test_empty_input - AssertionError: assert 1 == 0`},
	{Name: "python.unittest-failed", Category: CategoryTest, Weight: 7,
		Pattern:  `^(FAIL|ERROR): \S+( \(|$)|^FAILED \((failures|errors)=\d+`,
		Keywords: []string{"fail: ", "error: ", "failed (failures", "failed (errors"},
		Hint:     "unittest cases failed: run them locally with `python -m unittest <module.Class.test>`.",
		Example:  `FAIL: tests.openface_batch_represent_tests.test_batch_represent`},
	{Name: "python.exception", Category: CategoryTest, Weight: 7,
		Pattern:  `^\s*(E\s+)?([A-Za-z_][\w.]*\.)?[A-Z]\w*(Error|Exception|Exit|Interrupt): `,
		Keywords: []string{"error: ", "exception: ", "exit: ", "interrupt: "},
		Hint:     "An exception ended the run: read its message and the frames above it.",
		Example:  `AssertionError: Missing expected exception.`},
	{Name: "python.pip-resolution", Category: CategoryDependency, Weight: 9,
		Keywords: []string{"resolutionimpossible", "could not find a version", "no matching distribution", "package versions have conflicting dependencies", "packagesnotfounderror", "unsatisfiableerror", "different python"},
		Hint:     "Python dependencies cannot be resolved: relax or fix the conflicting pins, or check the package exists for this Python version.",
		Example:  `PackagesNotFoundError: The following packages are not available from current channels:`},
	{Name: "python.pip-conflict", Category: CategoryDependency, Weight: 9,
		Pattern:  `^The conflict is caused by:|^\s+The user requested \S|^\s+\S+ \S+ depends on \S`,
		Keywords: []string{"conflict is caused by", "the user requested", " depends on "},
		Hint:     "Python dependencies cannot be resolved: relax or fix the conflicting pins, or check the package exists for this Python version.",
		Example:  `    pydantic-settings 2.7.0 depends on pydantic>=2.7.0`},
	{Name: "python.pip-build", Category: CategoryDependency, Weight: 7,
		Keywords: []string{"failed building wheel", "errored out with exit status", "subprocess-exited-with-error", "could not build wheels"},
		Hint:     "A Python package failed to build from source: install its system build dependencies or pin a version with a wheel.",
		Example:  `ERROR: Failed building wheel for cryptography`},
	{Name: "python.flake8", Category: CategoryLint, Weight: 7,
		Pattern:  `^\S+\.py:\d+:\d+: [EWFCNB]\d{3} `,
		Keywords: []string{".py:"},
		Hint:     "flake8 found style errors: fix the listed lines (or run the formatter) and push again.",
		Example:  `src/app/main.py:12:80: E501 line too long (88 > 79 characters)`},
	{Name: "python.pylint", Category: CategoryLint, Weight: 7,
		Pattern:  `^\S+\.py:\d+:\d+: [CRWEF]\d{4}: |Your code has been rated at`,
		Keywords: []string{".py:", "rated at"},
		Hint:     "pylint reported problems: fix the listed messages or adjust the pylintrc.",
		Example:  `app/views.py:41:4: W0612: Unused variable 'user' (unused-variable)`},
	{Name: "python.mypy", Category: CategoryLint, Weight: 7,
		Pattern:  `^\S+\.py:\d+: error: |^Found \d+ errors? in \d+ files?`,
		Keywords: []string{": error:", "errors in", "error in"},
		Hint:     "mypy found type errors: fix the annotated lines.",
		Example:  `app/models.py:27: error: Incompatible return value type (got "str", expected "int")`},
	{Name: "python.black", Category: CategoryLint, Weight: 7,
		Pattern:  `^would reformat |^Oh no! .* files? would be reformatted|^\d+ files? would be reformatted`,
		Keywords: []string{"reformat"},
		Hint:     "The formatter check failed: run black locally and commit the result.",
		Example:  `would reformat src/app/main.py`},

	// Go.
	{Name: "go.test-failed", Category: CategoryTest, Weight: 7,
		Pattern:  `^\s*--- FAIL: \S+`,
		Keywords: []string{"--- fail"},
		Hint:     "Go tests failed: rerun them with `go test -run '^TestName$' ./pkg`.",
		Example:  `--- FAIL: TestParallelPreferChained (2.46s)`},
	{Name: "go.panic", Category: CategoryTest, Weight: 9,
		Pattern:  `^panic: |^fatal error: (all goroutines are asleep|concurrent map)|^goroutine \d+ \[running\]:`,
		Keywords: []string{"panic", "fatal error", "goroutine"},
		Hint:     "A Go program panicked: the first frame in your code under the panic message is where to look.",
		Example:  `panic: runtime error: invalid memory address or nil pointer dereference`},
	{Name: "go.race", Category: CategoryTest, Weight: 9,
		Keywords: []string{"warning: data race", "race detected during execution"},
		Hint:     "The race detector found a data race: the two stacks show the conflicting accesses.",
		Example:  `WARNING: DATA RACE`},
	{Name: "go.build-error", Category: CategoryBuild, Weight: 8,
		Pattern:  `^(\.\.?/)?[\w./@-]+\.go:\d+:\d+: \S|^go: (updates to go.mod needed|finding module|inconsistent vendoring|cannot find main module)`,
		Keywords: []string{".go:", "go: updates to go.mod", "go: finding module", "inconsistent vendoring", "cannot find main module"},
		Hint:     "Go code does not compile: fix the error at the file and line shown (`go build ./...`, `go vet ./...`).",
		Example:  `../vendor/github.com/elastic/gosigar/sigar_darwin.go:12:10: fatal error: 'libproc.h' file not found`},
	{Name: "go.module", Category: CategoryDependency, Weight: 9,
		Pattern:  `(?i)^go: .*(unknown revision|invalid version|verifying module|missing go.sum entry|no required module provides|module .* found, but does not contain)|^\S+\.go:\d+:\d+: (no required module provides package|missing go\.sum entry for module providing package|module .* found, but does not contain package)|cannot find package "`,
		Keywords: []string{"unknown revision", "invalid version", "verifying module", "missing go.sum", "no required module", "does not contain package", "cannot find package"},
		Hint:     "A Go module cannot be resolved: run `go mod tidy`, check the version exists, and commit go.sum.",
		Example:  `go: github.com/acme/lib@v1.2.3: invalid version: unknown revision v1.2.3`},

	// JavaScript and TypeScript.
	{Name: "js.jest-failed", Category: CategoryTest, Weight: 7,
		Pattern:  `^\s*(FAIL\s+\S+\.(j|t)sx?\b|● .+ › .+|Tests:\s+\d+ failed)`,
		Keywords: []string{"fail ", "● ", "tests:"},
		Hint:     "Jest tests failed: rerun one with `npx jest <file> -t '<name>'`.",
		Example:  `FAIL src/components/App.test.js`},
	{Name: "test.numbered-failure", Category: CategoryTest, Weight: 6, Numbered: true,
		Pattern: `^\s*\d{1,4}\) \S`,
		Hint:    "Tests failed: each numbered entry is one failing test with its message.",
		Example: `1) Inflector_helper_test::test_plural`},
	{Name: "js.mocha-failed", Category: CategoryTest, Weight: 7,
		Pattern:  `^\s*\d+ failing\b`,
		Keywords: []string{"failing"},
		Hint:     "Mocha tests failed: rerun with `npx mocha --grep '<name>'`.",
		Example:  `  3 failing`},
	{Name: "js.assertion", Category: CategoryTest, Weight: 7,
		Pattern:  `(AssertionError|expect\(.*\)\.|Expected:? .* (to|but)|Expected value to|Received:|toEqual|toBe\()`,
		Keywords: []string{"assertionerror", "expect(", "expected", "received:", "tobe(", "toequal"},
		Hint:     "An assertion failed: compare expected and received values.",
		Example:  `    Expected value to equal:`},
	{Name: "js.error", Category: CategoryBuild, Weight: 7,
		Pattern:  `^\s*(Uncaught )?(TypeError|ReferenceError|RangeError|SyntaxError): \S|^\s+Error: \S|Cannot find module '|Module not found: Error|^Error: (ENOENT|EACCES|EPERM|Command failed)`,
		Keywords: []string{"error: ", "cannot find module", "module not found"},
		Hint:     "An error was thrown: read its message, then the first stack frame in your code (with Node.js, the first outside node_modules).",
		Example:  `Error: Cannot find module 'fast-deep-equal'`},
	// "Error: " at the start of a line, from a tool the rules above do not
	// name (R, Cobra commands, cosign...).
	{Name: "tool.error-message", Category: CategoryBuild, Weight: 7,
		Pattern:  `^Error: \S`,
		Keywords: []string{"^error: "},
		Hint:     "A tool stopped with an error: fix what the first error line names; the lines after it often follow from it.",
		Example:  `Error: testthat unit tests failed`},
	{Name: "js.npm-error", Category: CategoryDependency, Weight: 3,
		Pattern:  `^npm (ERR!|error) |^error (An unexpected error|Command failed|Couldn't find)|^ERR_PNPM_|^\s*ERR_PNPM_\w+|^ERROR\s+.*ERR_PNPM|^yarn (run|install) v.* error`,
		Keywords: []string{"npm err", "npm error", "error an unexpected", "error command failed", "error couldn't find", "err_pnpm", "yarn run", "yarn install"},
		Hint:     "The package manager failed: read the first error line above its log summary.",
		Example:  `npm ERR! code ELIFECYCLE`},
	{Name: "js.npm-resolve", Category: CategoryDependency, Weight: 9,
		Keywords: []string{`\beresolve`, "unable to resolve dependency tree", `\betarget`, "no matching version found", "404 not found - get", "e404", "couldn't find any versions", "err_pnpm_no_matching_version", "err_pnpm_outdated_lockfile", "err_pnpm_frozen_lockfile", "lockfile needs to be updated", "can only install packages when your package.json and package-lock.json"},
		Hint:     "npm/yarn/pnpm cannot resolve the dependencies: fix the version range or regenerate and commit the lock file.",
		Example:  `npm ERR! code ERESOLVE`},
	{Name: "js.tsc", Category: CategoryBuild, Weight: 8,
		Pattern:  `\.tsx?(:\d+:\d+|\(\d+,\d+\)):? - error TS\d+|error TS\d+: `,
		Keywords: []string{"error ts"},
		Hint:     "TypeScript does not compile: fix the type errors at the lines shown (`npx tsc --noEmit`).",
		Example:  `src/app.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.`},
	{Name: "js.eslint", Category: CategoryLint, Weight: 7,
		Pattern:  `^\s*\d+:\d+\s+error\s+.+\s+[\w/@-]+$|✖ \d+ problems? \(\d+ errors?|^\s*\S+\.(j|t)sx?:\d+:\d+: .+|Use JavaScript Standard Style`,
		Keywords: []string{" error ", "problem", ".js:", ".ts:", ".jsx:", ".tsx:", "standard style"},
		Hint:     "The JavaScript linter reported errors: run it locally (`npx eslint . --fix`) and commit.",
		Example:  `  /home/travis/build/jlord/git-it-electron/lib/locale.js:36:16: Unexpected trailing comma.`},
	{Name: "js.prettier", Category: CategoryLint, Weight: 7,
		Pattern:  `Code style issues (found|were found)|Forgot to run Prettier\?|^\[warn\] .*\.(j|t)sx?$`,
		Keywords: []string{"code style issues", "prettier", "[warn]"},
		Hint:     "Files are not formatted: run `npx prettier --write .` and commit.",
		Example:  `[warn] Code style issues found in 2 files. Forgot to run Prettier?`},

	// Java, Kotlin, Scala.
	{Name: "java.compile", Category: CategoryBuild, Weight: 8,
		Pattern:  `^\[ERROR\] .*\.(java|kt|scala):\[?\d+|COMPILATION ERROR|Compilation failed|^e: .*\.kt|^\S+\.java:\d+: error: |^\[error\] .*\.scala:\d+`,
		Keywords: []string{".java:", ".kt:", "^e: ", ".scala:", "compilation"},
		Hint:     "Java/Kotlin/Scala code does not compile: fix the first error at the file and line shown.",
		Example:  `[ERROR] /builds/app/src/main/java/com/acme/App.java:[14,8] cannot find symbol`},
	{Name: "java.surefire", Category: CategoryTest, Weight: 7,
		Pattern:  `^\[ERROR\] (Tests run:.*Fail|Failures:|Errors:|  \S+[.:#]\S+)|Tests run: \d+, Failures: [1-9]|There (are|were) test failures|<<< (FAILURE|ERROR)!|\*\*\* FAILED \*\*\*|^\S+ > \S+ FAILED$|tests? completed, \d+ failed`,
		Keywords: []string{"tests run:", "[error]", "test failures", "<<< failure", "<<< error", "*** failed", " failed", "tests completed"},
		Hint:     "JVM tests failed: rerun one with `mvn -Dtest=Class#method test` or `gradle test --tests Class.method`.",
		Example:  `[info] - Should not increase dropped_request count when number of requests is less than limit *** FAILED ***`},
	{Name: "java.exception", Category: CategoryTest, Weight: 6,
		Pattern:  `^(Exception in thread "|Caused by: )|^\s*([a-z][\w$]*\.)+[A-Z][\w$]*(Exception|Error)(: |$)`,
		Keywords: []string{"exception in thread", "caused by: ", "exception: ", "error: "},
		Hint:     "A JVM exception was thrown: the first `Caused by:` and its top frame are the place to start.",
		Example:  `Exception in thread "main" java.lang.NoClassDefFoundError: org/slf4j/LoggerFactory`},
	{Name: "java.dependency", Category: CategoryDependency, Weight: 9,
		Keywords: []string{"could not resolve dependencies", "could not resolve all files", "could not resolve all dependencies", "could not find artifact", "could not transfer artifact", "failed to read artifact descriptor", "non-resolvable parent pom", "unresolved dependenc"},
		Hint:     "Maven/Gradle/sbt cannot download a dependency: check the version, the repository URL and its credentials.",
		Example:  `[ERROR] Failed to execute goal on project app: Could not resolve dependencies for project com.acme:app:jar:1.0`},
	{Name: "java.build-failed", Category: CategoryBuild, Weight: 3,
		Keywords: []string{"build failure", "failure: build failed with an exception", "failed to execute goal", "what went wrong:", "execution failed for task"},
		Hint:     "The Maven/Gradle/sbt build failed: the first [ERROR] or \"What went wrong\" above names the cause.",
		Example:  `[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:2.22.2:test (default-test) on project app: There are test failures.`},
	{Name: "java.checkstyle", Category: CategoryLint, Weight: 7,
		Pattern:  `(?i)(checkstyle|spotless|ktlint|detekt|scalafmt|scalastyle).*(violation|error|fail)|You have \d+ Checkstyle violations?`,
		Keywords: []string{"checkstyle", "spotless", "ktlint", "detekt", "scalafmt", "scalastyle"},
		Hint:     "A JVM linter or formatter check failed: run it locally (e.g. `mvn spotless:apply`) and commit.",
		Example:  `[ERROR] Failed to execute goal com.diffplug.spotless:spotless-maven-plugin:2.30.0:check (default) on project app: The following files had format violations:`},

	// Ruby.
	{Name: "ruby.rspec", Category: CategoryTest, Weight: 7,
		Pattern:  `^rspec \./\S+:\d+|^Failures:$|^\s*\d+\) \S.*|^\s+Failure/Error: |examples?, [1-9]\d* failures?`,
		Keywords: []string{"rspec ./", "failures:", "failure/error", " examples, ", "1 example, "},
		Hint:     "RSpec examples failed: rerun them with the `rspec ./spec/...:LINE` lines printed at the end.",
		Example:  `rspec ./spec/models/user_spec.rb:42 # User validates email`},
	{Name: "ruby.minitest", Category: CategoryTest, Weight: 7,
		Pattern:  `^\s*\d+\) (Failure|Error):$|\d+ runs, \d+ assertions, [1-9]\d* failures|\d+ (tests|runs), .* [1-9]\d* errors`,
		Keywords: []string{"failure:", "error:", " failures", " errors"},
		Hint:     "Minitest tests failed: rerun one with `ruby -Itest <file> -n <test_name>`.",
		Example:  `  1) Failure:`},
	{Name: "ruby.bundler", Category: CategoryDependency, Weight: 9,
		Keywords: []string{"could not find gem", "could not find compatible versions", "your bundle is locked to", "in any of the sources", "an error occurred while installing", "gem::ext::builderror", "bundler::gemnotfound"},
		Hint:     "Bundler cannot install the gems: update Gemfile.lock (`bundle lock --update`) or install the native libraries the gem needs.",
		Example:  `An error occurred while installing nokogiri (1.10.1), and Bundler cannot continue.`},
	{Name: "ruby.rubocop", Category: CategoryLint, Weight: 7,
		Pattern:  `^\S+\.rb:\d+:\d+: [CWEF]: |\d+ files? inspected, [1-9]\d* offenses?`,
		Keywords: []string{": c: ", ": w: ", ": e: ", ": f: ", "offense"},
		Hint:     "RuboCop reported offenses: run `rubocop -a` locally and commit.",
		Example:  `app/models/user.rb:10:5: C: Style/GuardClause: Use a guard clause instead of wrapping the code inside a conditional expression.`},

	// Rust.
	{Name: "rust.compile", Category: CategoryBuild, Weight: 8,
		Pattern:  `^error\[E\d{4}\]: |^error: (could not compile|aborting due to|linking with|failed to run custom build command)`,
		Keywords: []string{"error[e", "error: "},
		Hint:     "Rust code does not compile: fix the first error (`cargo build`); the rest often follow from it.",
		Example:  `error[E0425]: cannot find value ` + "`x`" + ` in this scope`},
	// A line that starts with "error: " and names no ecosystem: a tool's
	// error (cargo and rustc without a code, sbt, clang's driver...).
	{Name: "tool.error", Category: CategoryBuild, Weight: 8,
		Pattern:  `^error: `,
		Keywords: []string{"^error: "},
		Hint:     "A tool stopped with an error: fix what the first error line names; the lines after it often follow from it.",
		Example:  `error: head of empty list`},
	{Name: "rust.panic", Category: CategoryTest, Weight: 8,
		Pattern:  `^thread '.*' panicked at|^---- \S+ stdout ----$|^test result: FAILED|^failures:$`,
		Keywords: []string{"panicked", "stdout ----", "test result: failed", "failures:"},
		Hint:     "Rust tests failed or a thread panicked: rerun with `cargo test <name> -- --nocapture`.",
		Example:  `thread 'main' panicked at 'called ` + "`Result::unwrap()`" + ` on an ` + "`Err`" + ` value: Os { code: 2, kind: NotFound, message: "No such file or directory" }', src/libcore/result.rs:999:5`},
	{Name: "rust.clippy-fmt", Category: CategoryLint, Weight: 7,
		Pattern:  `^Diff in \S+ at line \d+|clippy::|^warning: .* generated \d+ warnings?.*-D warnings`,
		Keywords: []string{"diff in", "clippy", "-d warnings"},
		Hint:     "rustfmt or clippy rejected the code: run `cargo fmt` / `cargo clippy --fix` and commit.",
		Example:  `Diff in /builds/app/src/main.rs at line 12:`},

	// C and C++.
	{Name: "c.compile", Category: CategoryBuild, Weight: 8,
		Pattern:  `^\S+\.(c|cc|cpp|cxx|h|hh|hpp|m|mm|swift):\d+(:\d+)?: (fatal )?error: |fatal error: .* file not found|No such file or directory\s*$.*#include|undefined reference to |ld returned \d+ exit status|linker command failed|Undefined symbols for architecture`,
		Keywords: []string{"error:", "undefined reference", "ld returned", "linker command", "undefined symbols"},
		Hint:     "C/C++ code does not compile or link: fix the first error; missing headers or libraries mean a -dev package is missing from the image.",
		Example:  `src/main.c:17:5: error: implicit declaration of function 'foo' [-Werror=implicit-function-declaration]`},
	{Name: "c.make", Category: CategoryBuild, Weight: 2,
		Pattern:  `^(g?make|ninja)(\[\d+\])?: \*\*\* |^ninja: build stopped|^make: .*Error \d+`,
		Keywords: []string{"make: ***", "make[", "ninja: build stopped", "ninja: ***", "error 1", "error 2"},
		Hint:     "make stopped because a recipe failed: the real error is above the `***` line.",
		Example:  `make: *** [Makefile:12: all] Error 2`},
	{Name: "c.cmake", Category: CategoryConfig, Weight: 8,
		Pattern:  `^CMake Error|Could NOT find \w+|-- Configuring incomplete, errors occurred!`,
		Keywords: []string{"cmake error", "could not find", "configuring incomplete"},
		Hint:     "CMake could not configure the project: install the missing package or set its *_DIR/CMAKE_PREFIX_PATH.",
		Example:  `CMake Error at CMakeLists.txt:25 (find_package):`},
	{Name: "c.sanitizer", Category: CategoryTest, Weight: 9,
		Keywords: []string{"error: addresssanitizer", "error: leaksanitizer", "error: memorysanitizer", "warning: threadsanitizer", "undefinedbehaviorsanitizer", "segmentation fault"},
		Hint:     "The program crashed or a sanitizer found memory corruption: the first frame in your code in the report is where to look.",
		Example:  `==16549==ERROR: AddressSanitizer: SEGV on unknown address 0x000001d741d0 (pc 0x000000455234 bp 0x000000000000 sp 0x7fff2c221390 T0)`},
	{Name: "c.ctest", Category: CategoryTest, Weight: 7,
		Pattern:  `\d+% tests passed, [1-9]\d* tests? failed|^\s*\d+ - \S+ \((Failed|SEGFAULT|Timeout|Subprocess aborted)\)|\*\*\*Failed |^\[  FAILED  \] \S`,
		Keywords: []string{"tests passed", "(failed)", "(segfault)", "(timeout)", "(subprocess aborted)", "***failed", "[  failed  ]"},
		Hint:     "C/C++ tests failed: rerun one with `ctest -R <name> --output-on-failure` or the gtest filter shown.",
		Example:  `[  FAILED  ] ParserTest.HandlesEmptyInput (0 ms)`},

	// .NET.
	{Name: "dotnet.build", Category: CategoryBuild, Weight: 8,
		Pattern:  `: error (CS|MSB|NU|FS|BC)\d{4}|^Build FAILED\.?$`,
		Keywords: []string{": error ", "build failed"},
		Hint:     ".NET build failed: fix the first CSxxxx/MSBxxxx error (`dotnet build`).",
		Example:  `Program.cs(12,17): error CS0103: The name 'foo' does not exist in the current context [/builds/app/App.csproj]`},
	{Name: "dotnet.test", Category: CategoryTest, Weight: 7,
		Pattern:  `^\s*Failed \S+ \[\d|Failed!\s+- Failed:\s+[1-9]|Total tests: \d+.*Failed: [1-9]|^\s*Error Message:$`,
		Keywords: []string{"failed ", "failed!", "error message", "total tests"},
		Hint:     ".NET tests failed: rerun with `dotnet test --filter FullyQualifiedName~<name>`.",
		Example:  `  Failed MyApp.Tests.ParserTests.ParsesEmptyInput [12 ms]`},
	{Name: "dotnet.restore", Category: CategoryDependency, Weight: 9,
		Keywords: []string{"error nu1", "unable to find package", "package restore failed"},
		Hint:     "NuGet cannot restore packages: check the version, the feed URL and its credentials.",
		Example:  `/builds/app/App.csproj : error NU1101: Unable to find package Acme.Widgets. No packages exist with this id in source(s): nuget.org`},
	{Name: "dotnet.exception", Category: CategoryTest, Weight: 5,
		Pattern:  `^\s*(Unhandled [Ee]xception\. )?System\.\w+(\.\w+)*Exception: |\+ FullyQualifiedErrorId : |^\s*\+ CategoryInfo\s+:`,
		Keywords: []string{"exception: ", "fullyqualifiederrorid", "categoryinfo"},
		Hint:     "A .NET or PowerShell exception was thrown: read its message and the first frame in your code.",
		Example:  `Unhandled exception. System.InvalidOperationException: Sequence contains no elements`},

	// PHP, Elixir, Haskell and other test runners.
	{Name: "php.phpunit", Category: CategoryTest, Weight: 7,
		Pattern:  `^There (was|were) \d+ (failures?|errors?):|^FAILURES!$|Failed asserting that|^PHP (Fatal|Parse) error: `,
		Keywords: []string{"there was ", "there were ", "failures!", "failed asserting", "php fatal", "php parse"},
		Hint:     "PHPUnit tests failed: rerun one with `phpunit --filter <name>`.",
		Example:  `Failed asserting that two strings are equal.`},
	{Name: "php.run-tests", Category: CategoryTest, Weight: 7,
		Pattern:  `^FAIL .* \[[^\]]+\.phpt\]`,
		Keywords: []string{".phpt]"},
		Hint:     "PHP's run-tests.php tests failed: rerun one with `php run-tests.php <file>.phpt` (in php-src, `make test TESTS=<file>.phpt`).",
		Example:  `FAIL FPM: bug77934 - php-fpm kill -USR2 not working [sapi/fpm/tests/bug77934-reload-process-control.phpt]`},
	{Name: "elixir.exunit", Category: CategoryTest, Weight: 7,
		Pattern:  `^\s*\*\* \(\w+(\.\w+)*\) |^\s*\d+\) test .* \(\S+\)$|\d+ tests?, [1-9]\d* failures?`,
		Keywords: []string{"** (", ") test ", " failure"},
		Hint:     "Elixir tests failed or raised: rerun with `mix test <file>:<line>`.",
		Example:  `** (RuntimeError) Line does not match format: '[dummy](https://github.com/Vesuvium/dummy) - An Elixir mocking library that makes sense by exposing meck in the right way' Is there a dot at the end?`},
	{Name: "generic.tap", Category: CategoryTest, Weight: 7,
		Pattern:  `^not ok \d+|^# Looks like you failed \d+|^# Looks like your test exited with|Dubious, test returned|^Failed \d+/\d+ (test programs|subtests)|^Result: FAIL`,
		Keywords: []string{"not ok", "looks like", "dubious", "subtests", "test programs", "result: fail"},
		Hint:     "TAP tests failed: rerun the failing test file alone (`prove -v <file>`).",
		Example:  `# Looks like your test exited with 11 before it could output anything.`},
	{Name: "haskell.build", Category: CategoryBuild, Weight: 8,
		Pattern:  `^\S+\.hs:\d+:\d+(-\d+)?: error:|^\s*• (No instance|Couldn't match|Variable not in scope)`,
		Keywords: []string{".hs:", "no instance", "couldn't match", "not in scope"},
		Hint:     "Haskell code does not compile: fix the first type error shown.",
		Example:  `src/Text/Pandoc/Readers/Markdown.hs:120:5: error:`},

	// Mobile and Apple.
	{Name: "xcode.error", Category: CategoryBuild, Weight: 8,
		Keywords: []string{"xcodebuild: error:", "- error | ", "unable to find a destination"},
		Hint:     "The Xcode build or test failed: the first error above the `** BUILD FAILED **` line names the cause.",
		Example:  `xcodebuild: error: Unable to find a destination matching the provided destination specifier:`},
	// Summaries printed after the errors they count: where the failure
	// surfaced, not why.
	{Name: "xcode.summary", Category: CategoryBuild, Weight: 2,
		Keywords: []string{"** build failed **", "** test failed **", "** archive failed **", "** test build failed **", "the following build commands failed", "testing failed:"},
		Hint:     "The Xcode build or test failed: the first error above the `** BUILD FAILED **` line names the cause.",
		Example:  `** TEST BUILD FAILED **`},

	// Supply chain.
	{Name: "supply.cosign", Category: CategorySupply, Weight: 9,
		Keywords: []string{"error: signing", "no matching signatures", "none of the expected identities matched", "signature verification failed", "invalid signature when validating", "getting signer"},
		Hint:     "Signing or signature verification failed: check the OIDC identity (id_tokens), the key or certificate identity, and the image digest.",
		Example:  `Error: no matching signatures: none of the expected identities matched what was in the certificate, got subjects [https://gitlab.com/acme/app//.gitlab-ci.yml@refs/heads/main] with issuer https://gitlab.com`},
	{Name: "supply.registry-auth", Category: CategorySupply, Weight: 9,
		Pattern:  `(?i)(denied: requested access to the resource is denied|unauthorized: (authentication required|access to the requested resource)|(401|403) (unauthorized|forbidden).*\b(push|put|upload|registry|/v2/)|\b(push|upload|put)\b.*\b(status|http|response)\W+(401|403|409)\b|409 conflict|(already exists|cannot overwrite).*(package|version|file)|error parsing http 40[139] response)`,
		Keywords: []string{"requested access", "unauthorized: ", "401 unauthorized", "403 forbidden", "status 40", "status: 40", "status code 40", "http 40", "response 40", "409 conflict", "already exists", "cannot overwrite", "error parsing http"},
		Hint:     "The registry refused the upload: check the token's scope (CI_JOB_TOKEN permissions, deploy token) or bump a version that already exists.",
		Example:  `denied: requested access to the resource is denied`},

	// Lint and format checks, CI configuration.
	{Name: "lint.diff-check", Category: CategoryLint, Weight: 6,
		Pattern:  `(?i)(files? (were|was|would be) (reformatted|modified)|please run .*(fmt|format|lint)|is not (properly )?formatted|not gofmt|gofmt -l|^diff --git a/|^Run '.*' to )`,
		Keywords: []string{"reformatted", "modified", "please run", "formatted", "gofmt", "diff --git", "run '"},
		Hint:     "A format or generated-files check failed: run the formatter or generator locally and commit the diff.",
		Example:  `Run 'make docs' to create man/git-rename-remote.1 and man/git-rename-remote.html`},
	{Name: "lint.generic", Category: CategoryLint, Weight: 5,
		Pattern:  `(?i)\b(lint|linter|shellcheck|hadolint|yamllint|markdownlint|stylelint|rubocop|golangci-lint|staticcheck|ruff|htmlhint|jshint|jscs|tslint|coffeelint)\b.*\b(error|fail|problem|violation|warning)|^In \S+ line \d+:$|\bSC\d{4}\b`,
		Keywords: []string{`\blint`, "hadolint", "yamllint", "markdownlint", "stylelint", "tslint", "coffeelint", "shellcheck", "rubocop", "staticcheck", "ruff", "htmlhint", "jshint", "jscs", "^in ", "-- sc"},
		Hint:     "A linter reported problems: run it locally and fix or silence the findings.",
		Example:  `In ./scripts/deploy.sh line 7:`},
	{Name: "config.gitlab-ci", Category: CategoryConfig, Weight: 9,
		Keywords: []string{"config should contain", "yaml invalid", "config contains unknown keys", "undefined need", "chosen stage does not exist"},
		Hint:     "The CI configuration is invalid: validate .gitlab-ci.yml with the pipeline editor or `glab ci lint`.",
		Example:  `jobs:test config contains unknown keys: scripts`},
	{Name: "git.fetch", Category: CategoryInfra, Weight: 8,
		Keywords: []string{"fatal: remote branch", "couldn't find remote ref", "reference is not a tree", "fatal: repository", "could not read username", "fatal: authentication failed", "error: pathspec"},
		Hint:     "Git could not fetch the sources: the branch or commit may be gone (force-push), or the job token lacks access.",
		Example:  `fatal: Remote branch jakew/readmes/2018-11-16 not found in upstream origin`},

	{Name: "generic.warnings-as-errors", Category: CategoryBuild, Weight: 7, AsErrors: true,
		Pattern:  `(?i)warnings? (are |were |being )?treated as errors|failing due to -werror`,
		Keywords: []string{"treated as errors", "due to -werror"},
		Hint:     warningHint,
		Example:  `Failing due to -Werror.`},
	{Name: "generic.cross-mark", Category: CategoryUnknown, Weight: 6,
		Pattern:  `(❌|✗|✖|✘)\s*\S`,
		Keywords: []string{"❌ ", "✗ ", "✖ ", "✘ "},
		Example:  `nl❌  /Users/travis/build/SwiftyJSON/SwiftyJSON/Source/SwiftyJSON.swift:97:2: unknown attribute 'dynamicMemberLookup'`},

	// Generic signals, weaker than any ecosystem rule.
	{Name: "generic.error", Category: CategoryUnknown, Weight: 5, Generic: true,
		Keywords: []string{"error!.", "err!", "fatal!.", "failure!.", "exception!."},
		Example:  `ERROR: Could not open requirements file: [Errno 2] No such file or directory: 'requirements-dev.txt'`},
	{Name: "generic.failed", Category: CategoryUnknown, Weight: 4, Generic: true,
		Keywords: []string{"!-fail", "cannot", "can't", "could not", "couldn't", "unable to", "not found", "missing", "invalid", "unexpected", "undefined", "abort", "denied", "refused", "violation", "not allowed", "!-unknown", "broken", "crash", "doesn't", "does not", "is not", "isn't", "issues"},
		Example:  `Variable $bd-warning is not being used!`},

	// Echoes of a failure: where it surfaced, not why.
	{Name: "runner.exit-code", Category: CategoryUnknown, Weight: 1,
		Pattern:  `ERROR: Job failed: (exit code|exit status|command terminated with exit code) \d+|^The command ".*" (exited with [1-9]\d*|failed)|^Done\. Your build exited with [1-9]|Process completed with exit code [1-9]|^Error: Process completed|script returned exit code [1-9]|ELIFECYCLE|^error Command failed with exit code|exited with (code|status) [1-9]|returned non-zero exit status|Command exited with non-zero status`,
		Keywords: []string{"job failed", "the command", "build exited", "exit code", "process completed", "elifecycle", "exited with", "non-zero"},
		Hint:     "The job script exited with a non-zero status: the excerpt above the exit line shows the failing command's output.",
		Example:  `ERROR: Job failed: exit code 1`},

	// Noise: lines that look like errors and are not the cause.
	{Name: "noise.warning", Weight: -1,
		Keywords: []string{"warning:", "warning ", "warn ", "[warn", "warn:", "deprecat", "(node:", "notice:"},
		Example:  `npm WARN deprecated request@2.88.2: request has been deprecated, see https://github.com/request/request/issues/3142`},
	{Name: "noise.zero-failures", Weight: -1,
		Keywords: []string{" 0 failures", " 0 failure", " 0 errors", " 0 error", " 0 failed", " 0 failing", "failures=\"0\"", "errors=\"0\"", "failed=\"0\"",
			"failed: 0", "failures: 0", "errors: 0", "no errors", "no failures", "error_reporting", "errorformat", "-werror", "werror=", "onerror=", ".onerror",
			"stderr", "strerror", "errno.h", "allow_failure", "fail-fast", "fail_fast", "--fail", "ignore-errors", "failure_reason",
			"error.c", "error.h", "error.o", "error.rb", "error.py", "error.js", "error.ts", "error.go", "errors.go", "error.java"},
		Example: `<testsuite name="pytest" errors="0" failures="0" skipped="0" tests="12" time="1.234">`},
	{Name: "noise.passed", Weight: -1,
		Keywords: []string{"--- pass", " passed", "✓", "√", " ok", "[ok]", "level=info", "level=debug", " debug ", " info ", "[debug]", "[info]", " trace "},
		Example:  `[ RUN      ] path.c append_path fails and uses filename if there is not enough space left for to_append: 61.98 ms OK`},
	{Name: "noise.runner-stage", Weight: -1,
		Keywords: []string{"^uploading artifacts", "^saving cache", "^cleaning up project directory", "^running after_script",
			"^restoring cache", "^downloading artifacts", "^preparing environment", "^getting source from git", `^executing "step_`,
			"^warning: after_script failed", "^not uploading cache", "^no url provided, cache will not be"},
		Example: `Uploading artifacts for failed job`},
	{Name: "noise.progress", Weight: -1,
		Keywords: []string{"^downloading", "^downloaded", "^installing", "^collecting", "^requirement already satisfied", "^get:",
			"^fetched", "^unpacking", "^setting up", "^preparing to unpack", "^selecting previously", "^compiling", "^building",
			"^linking", "^checking", "^creating", "^copying", "^running setup.py", "^processing triggers", "^ok ", "^ok\t",
			`^pass\b`, `^passed\b`, "^✓", "^√"},
		Example: `Collecting pytest-error-for-skips==2.0.2`},
	{Name: "noise.progress-count", Weight: -1,
		Pattern:  `^\s*(\[\d+/\d+\]|\d+%)`,
		Keywords: []string{"^[1", "^[2", "^[3", "^[4", "^[5", "^[6", "^[7", "^[8", "^[9", "^0", "^1", "^2", "^3", "^4", "^5", "^6", "^7", "^8", "^9"},
		Example:  `[10/40] Cythonizing sklearn/ensemble/_gradient_boosting.pyx`},
}

// warningAsErrorWeight is the weight of a warning that failed the build.
const warningAsErrorWeight = 9

const warningHint = "Warnings are treated as errors (-W, -Werror): fix the warning shown, or stop treating warnings as errors."

var (
	compileOnce sync.Once
	compileErr  error
	matcher     *keywordMatcher // keywords of the rules with a positive weight
	noiseMatch  *keywordMatcher // keywords of the noise rules, tried on lines that matched
	positive    ruleMask        // rules with a positive weight
	// rules tried on numbered items whatever their keywords
	numberedRules ruleMask
	// The positive rules in the order classify tries them: the ecosystem
	// rules before the generic ones, the heavier first, then in the
	// knowledge base's order. The first that matches a line is its rule.
	byRank []int
	rank   [maxRules]uint8 // rule index -> its place in byRank
	// startMiss[c] holds the rules that match no line starting with the
	// byte c: each alternative of their expression is anchored at the
	// start (lineStartBytes).
	startMiss [256]ruleMask
	// startBound holds the rules startMiss may hold.
	startBound ruleMask
)

// compiledRules returns the knowledge base with its expressions compiled and
// the keyword prefilter built.
func compiledRules() ([]Rule, error) {
	compileOnce.Do(func() {
		if len(rules) >= warningWord {
			compileErr = fmt.Errorf("the knowledge base has %d rules, more than %d", len(rules), warningWord)
			return
		}
		var kws, noise []keyword
		for i := range rules {
			r := &rules[i]
			if i > 0 && rules[i-1].Weight < 0 && r.Weight >= 0 {
				compileErr = fmt.Errorf("rule %s: the noise rules must come last", r.Name)
				return
			}
			if r.Pattern != "" {
				re, err := syntax.Parse(r.Pattern, syntax.Perl)
				if err != nil {
					compileErr = fmt.Errorf("compiling rule %s: %w", r.Name, err)
					return
				}
				r.re = &lazyPattern{src: r.Pattern}
				if starts := lineStartBytes(re); starts != nil {
					startBound.set(i)
					for c, ok := range starts {
						if !ok {
							startMiss[c].set(i)
						}
					}
				}
			}
			if r.Weight > 0 {
				positive.set(i)
			}
			if r.Numbered {
				numberedRules.set(i)
			}
			for _, s := range r.Keywords {
				// The keywords of noise rules are looked for only on lines
				// that matched a rule: they may be shorter.
				minLen := 4
				if r.Weight < 0 {
					minLen = 3
				}
				k, err := parseKeyword(s, i, minLen)
				if err != nil {
					compileErr = fmt.Errorf("rule %s: %w", r.Name, err)
					return
				}
				if r.Weight < 0 {
					noise = append(noise, k)
				} else {
					kws = append(kws, k)
				}
			}
		}
		k, err := parseKeyword("arning", warningWord, 4)
		if err != nil {
			compileErr = err
			return
		}
		matcher = newKeywordMatcher(append(kws, k), 4)
		noiseMatch = newKeywordMatcher(noise, 3)
		for c := range quietLead {
			bodyLead[c] = 0
			if len(matcher.lineKws[c|0x20]) > 0 {
				bodyLead[c] |= leadsKeyword
			}
			if c >= '0' && c <= '9' {
				bodyLead[c] |= leadsItem
			}
			quietLead[c] = !factLead[c] && c != ' ' && c != '\t' && bodyLead[c] == 0
		}
		byRank = byRank[:0]
		for i := range rules {
			if rules[i].Weight > 0 {
				byRank = append(byRank, i)
			}
		}
		slices.SortStableFunc(byRank, func(i, j int) int {
			a, b := &rules[i], &rules[j]
			if a.Generic != b.Generic {
				if a.Generic {
					return 1
				}
				return -1
			}
			return b.Weight - a.Weight
		})
		for k, i := range byRank {
			rank[i] = uint8(k)
		}
	})
	return rules, compileErr
}

// warningWord is the bit of a ruleMask that no rule holds: the keyword
// matcher sets it for "warning" in any case, so that a run of quiet lines
// stops at a line that may be a located warning (noteWarning) without
// looking for one in each line.
const warningWord = maxRules - 1

// Rules returns a copy of the knowledge base, for documentation and tests.
func Rules() []Rule {
	rs, _ := compiledRules()
	out := make([]Rule, len(rs))
	copy(out, rs)
	return out
}

// lineMatch is what the knowledge base says about one line.
type lineMatch struct {
	rule   *Rule // the strongest positive rule, or nil
	weight int   // its weight, 0 when noise won or nothing matched
	noise  bool
}

// noiseOutweighs is the weight below which a noise match on the line
// cancels the rule that matched.
const noiseOutweighs = 7

// classify matches one cleaned line against the knowledge base.
func classify(rs []Rule, line []byte) lineMatch {
	return classifyMask(rs, line, matcher.scan(line))
}

// classifyMask is classify given the rules whose keywords line holds.
func classifyMask(rs []Rule, line []byte, mask ruleMask) lineMatch {
	var m lineMatch
	if isNumberedItem(line) {
		mask.or(&numberedRules)
	}
	if !mask.any(&positive) {
		return m
	}
	// A rule of an ecosystem beats the generic rules; among those, the
	// heaviest wins, then the first in the knowledge base. Trying them in
	// that order, the first that matches is the line's rule, and the
	// expressions of the rules it beats are never run.
	var ranked ruleMask
	for i := range mask.indexes(len(rs)) {
		if positive.has(i) {
			ranked.set(int(rank[i]))
		}
	}
	for k := range ranked.indexes(len(byRank)) {
		r := &rs[byRank[k]]
		if r.re == nil || r.re.Match(line) {
			m.rule, m.weight = r, r.Weight
			break
		}
	}
	// Noise matters only on lines that matched a rule it can outweigh. The
	// noise rules come last in the knowledge base, so they are looked for
	// only once the rule is known.
	if m.rule != nil && m.weight < noiseOutweighs {
		noise := noiseMatch.scan(line)
		for i := range noise.indexes(len(rs)) {
			if r := &rs[i]; r.re == nil || r.re.Match(line) {
				m.noise = true
				break
			}
		}
	}
	switch {
	case m.noise && m.weight < noiseOutweighs:
		m.rule, m.weight = nil, 0
	case m.rule != nil && m.weight > warningWeight && isWarningLine(line):
		// A strong message the tool itself labels as a warning (a pull
		// retried with another policy, a deprecation) is weaker than the
		// same message given as an error.
		m.weight = warningWeight
	}
	return m
}

// warningWeight is the most a line labelled as a warning weighs.
const warningWeight = 7

// isWarningLine reports whether line starts, after spaces, with a warning
// severity label: "WARNING:", "warning:", "WARN ", "[WARN]".
func isWarningLine(line []byte) bool {
	line = bytes.TrimLeft(line, " \t")
	line = bytes.TrimPrefix(line, []byte("["))
	if len(line) < 5 || !bytes.EqualFold(line[:4], []byte("warn")) {
		return false
	}
	rest := line[4:]
	if len(rest) >= 3 && bytes.EqualFold(rest[:3], []byte("ing")) {
		rest = rest[3:]
	}
	return len(rest) > 0 && (rest[0] == ':' || rest[0] == ' ' || rest[0] == ']')
}

// isNumberedItem reports whether line starts with "1) ", after spaces.
func isNumberedItem(line []byte) bool {
	i := 0
	for i < len(line) && i < 8 && line[i] == ' ' {
		i++
	}
	j := i
	for j < len(line) && j-i < 4 && line[j] >= '0' && line[j] <= '9' {
		j++
	}
	return j > i && j+1 < len(line) && line[j] == ')' && line[j+1] == ' '
}
