package joblog

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// lenderCheck is a ChunkSink that holds on to every text given to
// LineInChunk until the next OwnLines, with a copy of it, and checks that
// the text has not changed by then: Analyze calls OwnLines before it
// overwrites the bytes it lent.
type lenderCheck struct {
	t        *testing.T
	held     [][]byte
	copies   []string
	lines    []string // every line as given, for comparison
	lent     int
	ownCalls int
}

func (s *lenderCheck) Line(n int, text []byte) {
	s.lines = append(s.lines, fmt.Sprintf("%d %s", n, text))
}

func (s *lenderCheck) LineInChunk(n int, text []byte) {
	s.Line(n, text)
	s.held = append(s.held, text)
	s.copies = append(s.copies, string(text))
	s.lent++
}

func (s *lenderCheck) OwnLines() {
	s.ownCalls++
	for i, h := range s.held {
		if string(h) != s.copies[i] {
			s.t.Fatalf("a lent line changed before OwnLines: %q, was %q", h, s.copies[i])
		}
	}
	s.held, s.copies = s.held[:0], s.copies[:0]
}

// Lines lent to a ChunkSink stay as they were until OwnLines, whatever the
// size of the reads; the sink sees the lines a plain LineSink sees.
func TestChunkSinkLending(t *testing.T) {
	for i, d := range blockTestData(t) {
		var plain lineRecorder
		if _, err := Analyze(bytes.NewReader(d), Options{Sinks: []LineSink{&plain}}); err != nil {
			t.Fatal(err)
		}
		for _, r := range []interface{ Read([]byte) (int, error) }{
			bytes.NewReader(d),
			&pieceReader{data: d, r: rand.New(rand.NewPCG(uint64(i), 11))},
		} {
			lender := &lenderCheck{t: t}
			if _, err := Analyze(r, Options{Sinks: []LineSink{lender}}); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(lender.lines, []string(plain)) {
				for k := range min(len(plain), len(lender.lines)) {
					if plain[k] != lender.lines[k] {
						t.Fatalf("a ChunkSink sees other lines than a LineSink on %.60q…: %q, want %q", d, lender.lines[k], plain[k])
					}
				}
				t.Fatalf("a ChunkSink sees %d lines, a LineSink %d, on %.60q…", len(lender.lines), len(plain), d)
			}
			if len(lender.held) != 0 {
				t.Errorf("%d lent lines not owned when Analyze returns", len(lender.held))
			}
		}
	}
}

// Most lines are lent: they are bytes of the chunk read.
func TestChunkSinkLendsMostLines(t *testing.T) {
	if !haveGramMasks {
		t.Skip("the AVX2 prefilter does not run here")
	}
	lender := &lenderCheck{t: t}
	if _, err := Analyze(bytes.NewReader(benchTrace(t, 1<<20)), Options{Sinks: []LineSink{lender}}); err != nil {
		t.Fatal(err)
	}
	if lender.lent*10 < len(lender.lines)*8 {
		t.Errorf("%d of %d lines lent", lender.lent, len(lender.lines))
	}
}

// A line longer than maxLineBytes is read on its first maxLineBytes bytes,
// wherever the reads cut the log: whole in one read (a plain line in a run
// of quiet lines, a line with a keyword, a coloured line, a line of a chunk
// cleaned first) as in pieces.
func TestLongLinesReadSizes(t *testing.T) {
	var b bytes.Buffer
	quiet := func() {
		for i := range 50 {
			fmt.Fprintf(&b, "  step %d of the build\n", i)
		}
	}
	quiet()
	b.WriteString(strings.Repeat("word ", 16000) + "error: past the cut\n") // 80 KB, the keyword past 64 KB
	quiet()
	b.WriteString(strings.Repeat("plain ", 14000) + "\n")
	quiet()
	b.WriteString("\x1b[31m" + strings.Repeat("red ", 20000) + "FAILED here\x1b[0m\n")
	quiet()
	// A chunk coloured throughout is cleaned first (preclean), the long
	// line with it.
	for i := range 1500 {
		fmt.Fprintf(&b, "\x1b[32mok\x1b[0m step %d\n", i)
	}
	b.WriteString("\x1b[33m" + strings.Repeat("amber ", 15000) + "error: past the cut\x1b[0m\n")
	for i := range 1500 {
		fmt.Fprintf(&b, "\x1b[32mok\x1b[0m step %d\n", i)
	}
	d := b.Bytes()
	var whole lineRecorder
	want, err := Analyze(bytes.NewReader(d), Options{Sinks: []LineSink{&whole}})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range whole {
		if len(line) > maxLineBytes+8 {
			t.Errorf("a sink got a line of %d bytes", len(line))
		}
	}
	for seed := range uint64(4) {
		var pieces lineRecorder
		got, err := Analyze(&pieceReader{data: d, r: rand.New(rand.NewPCG(seed, 3))}, Options{Sinks: []LineSink{&pieces}})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Analyze differs when read in pieces:\n%+v\n%+v", got, want)
		}
		if !reflect.DeepEqual(pieces, whole) {
			t.Errorf("the sink's lines differ when the log is read in pieces")
		}
	}
}
