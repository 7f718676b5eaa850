package joblog

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"testing"
)

// TestMain lifts the budget of automaton states: the tests compile the
// rules' expressions over and over, which a run of the doctor does once,
// and each of them is to run on automata. TestDFABudget checks what
// happens past the budget.
func TestMain(m *testing.M) {
	dfaBudget.Store(math.MaxInt64 / 2)
	os.Exit(m.Run())
}

// dfaCases are expressions with what a dfa has to get right: empty-width
// conditions, case folding beyond ASCII, classes of runes past ASCII, the
// empty match, a ".*" in the middle.
var dfaCases = []string{
	`\berror\b`,
	`\Bfail`,
	`^\s*at \S+\(`,
	`exit code [1-9]\d*$`,
	`(?i)kelvin|STRASSE`,
	`(?i)no such file or directory.*(sh|bash)\b`,
	`[✖✗✘❌]\s*\S`,
	`[^\x00-\x7f]+ok`,
	`é+`,
	`x*`,
	`^$`,
	`\b`,
	`^The command ".*" (exited with [1-9]\d*|failed)`,
	`(FAIL|ERROR): \S+( \(|$)`,
	`.`,
}

// dfaLines are the lines each case is matched against.
func dfaLines() [][]byte {
	lines := [][]byte{
		nil, []byte(""), []byte(" "), []byte("error"), []byte("an error here"), []byte("errors"), []byte("_error"),
		[]byte("fail"), []byte("xfail"), []byte("   at Foo.bar(Foo.java:1)"), []byte("at x("),
		[]byte("ERROR: Job failed: exit code 1"), []byte("exit code 0"), []byte("exit code 10 "),
		[]byte("\u212aelvin"), []byte("éelvin"), []byte("\u212belvin"), []byte("stra\u017f\u017fe"), []byte("straéée"), []byte("STRASSE"), []byte("Kelvin"),
		[]byte("/bin/sh: 1: x: No such file or directory (bash)"), []byte("No such file or directory: flash"),
		[]byte("✖ 3 problems"), []byte("✗"), []byte("❌ x"), []byte("ééok"), []byte("\xffok"), []byte("\xff\xfe"),
		[]byte("é"), []byte("\xc3"), []byte("\xc3\xa9\xc3"),
		[]byte(`The command "make test" exited with 2.`), []byte(`The command "make test" exited with 0.`),
		[]byte(`The command "a" and "b" failed`), []byte("FAIL: test_x (m.T)"), []byte("ERROR: x"), []byte("FAIL: "),
		[]byte(strings.Repeat("a", 300) + " error"), []byte("line\nwith newline"),
	}
	for _, r := range rules {
		lines = append(lines, []byte(r.Example))
	}
	return lines
}

// A dfa answers as Go's engine does, on fresh and on cached states.
func TestDFAAgreesWithRegexp(t *testing.T) {
	exprs := append([]string(nil), dfaCases...)
	for _, r := range rules {
		if r.Pattern != "" {
			exprs = append(exprs, r.Pattern)
		}
	}
	lines := dfaLines()
	for _, src := range exprs {
		e, err := newEngine(src)
		if err != nil {
			t.Fatal(err)
		}
		whole := regexp.MustCompile(src)
		for pass := range 2 {
			for _, l := range lines {
				got, ok := e.d.Match(l)
				if !ok {
					t.Fatalf("%s: the dfa is full", src)
				}
				if want := whole.Match(l); got != want {
					t.Errorf("%s on %q (pass %d): dfa %v, regexp %v", src, l, pass, got, want)
				}
			}
		}
	}
}

// A full dfa says so, and engine then asks Go's engine.
func TestDFAFull(t *testing.T) {
	const src = `(?i)(a|b)*c[0-9]d`
	e, err := newEngine(src)
	if err != nil {
		t.Fatal(err)
	}
	e.d.maxStates = len(e.d.states) + 1 // the start state and one more
	whole := regexp.MustCompile(src)
	full := false
	for _, l := range []string{"xyz", "aabbc1d", "abc", "c9d", "zzzc0dz", "ab"} {
		if _, ok := e.d.Match([]byte(l)); !ok {
			full = true
		}
		if got, want := e.Match([]byte(l)), whole.MatchString(l); got != want {
			t.Errorf("%q: engine %v, regexp %v", l, got, want)
		}
	}
	if !full {
		t.Errorf("the dfa never ran out of states (%d)", len(e.d.states))
	}
	if len(e.d.states) > e.d.maxStates {
		t.Errorf("%d states, at most %d allowed", len(e.d.states), e.d.maxStates)
	}
}

// Goroutines share a dfa while it is being built (run with -race).
func TestDFAConcurrent(t *testing.T) {
	p, err := compilePattern(ruleByName("runner.exit-code").Pattern)
	if err != nil {
		t.Fatal(err)
	}
	whole := regexp.MustCompile(ruleByName("runner.exit-code").Pattern)
	lines := dfaLines()
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				l := lines[(i+g*5)%len(lines)]
				if got, want := p.Match(l), whole.Match(l); got != want {
					errs <- fmt.Sprintf("%q: %v, want %v", l, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// The classes of runes past ASCII: runes between the same bounds take the
// same transitions.
func TestDFARuneClasses(t *testing.T) {
	re, err := syntax.Parse(`[✖✗✘❌]|(?i)ok`, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	d, err := newDFA(re)
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b rune) bool { return d.classOf(a) == d.classOf(b) }
	switch {
	case !same('é', 'ü'):
		t.Error("é and ü are in different classes")
	case same('✖', '✕'), same('❌', '❍'), same('\u212a', '\u212b'):
		t.Errorf("a rune of the expression shares its class with one that is not (bounds %x)", d.bounds)
	case !same('✖', '✗'):
		t.Error("✖ and ✗ are in different classes")
	}
	if m, _ := d.Match([]byte("o\u212a")); !m {
		t.Error("the Kelvin sign does not match (?i)k")
	}
	if m, _ := d.Match([]byte("o\u212b")); m {
		t.Error("the Angstrom sign matches (?i)k")
	}
	if m, _ := d.Match(bytes.Repeat([]byte("é"), 10)); m {
		t.Error("é matches")
	}
}

// Past the budget of states shared by every dfa, a new dfa cannot start
// and engine asks Go's engine.
func TestDFABudget(t *testing.T) {
	saved := dfaBudget.Load()
	defer dfaBudget.Store(saved)
	dfaBudget.Store(0)
	e, err := newEngine(`exit code [1-9]`)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.d.Match([]byte("exit code 1")); ok {
		t.Error("a dfa started without a state left in the budget")
	}
	if !e.Match([]byte("ERROR: exit code 1")) || e.Match([]byte("exit code 0")) {
		t.Error("engine does not answer as Go's engine")
	}
}

// FuzzDFA compares a dfa with Go's engine on any expression and line.
func FuzzDFA(f *testing.F) {
	for i, src := range dfaCases {
		lines := dfaLines()
		f.Add(src, string(lines[i%len(lines)]))
	}
	f.Fuzz(func(t *testing.T, src, line string) {
		if len(src) > 64 || len(line) > 512 {
			return
		}
		whole, err := regexp.Compile(src)
		if err != nil {
			return
		}
		re, err := syntax.Parse(src, syntax.Perl)
		if err != nil {
			t.Fatalf("%q: regexp compiles it, syntax.Parse fails: %v", src, err)
		}
		d, err := newDFA(re)
		if err != nil {
			return // a program too large for syntax.Compile
		}
		d.maxStates = 64
		if got, ok := d.Match([]byte(line)); ok && got != whole.MatchString(line) {
			t.Errorf("%q on %q: dfa %v, regexp %v", src, line, got, !got)
		}
	})
}
