package render

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// rank is the "N. " in front of a cause title.
var rank = regexp.MustCompile(`^[0-9]+\. `)

// wholeWords are the words a terminal line may pass the width for, kept
// whole because cutting them would break them: test names, URLs and the
// words of shell commands.
func wholeWords(r *diagnose.Report) map[string]bool {
	words := map[string]bool{}
	addCommand := func(c string) {
		for _, l := range strings.Split(c, "\n") {
			ws, _ := shellWords(strings.TrimSpace(Sanitize(l)))
			for _, w := range ws {
				words[w] = true
			}
		}
	}
	for i := range r.Tests {
		words[oneLine(testName(&r.Tests[i]))] = true
		addCommand(oneLine(r.Tests[i].Repro))
	}
	for _, rp := range r.Repro {
		for _, c := range append(append([]string{rp.Checkout, rp.Docker}, rp.Commands...), rp.Script...) {
			addCommand(c)
		}
	}
	return words
}

// checkFits reports every line of a terminal rendering wider than width,
// but a line that holds nothing but one whole word (after its indent, the
// rank of a cause, or the " \" of a continued command) that is too wide for
// a line by itself.
func checkFits(t *testing.T, out string, width int, whole map[string]bool) {
	t.Helper()
	for i, l := range strings.Split(ours.ReplaceAllString(out, ""), "\n") {
		w := runewidth.StringWidth(l)
		if w <= width {
			continue
		}
		word := rank.ReplaceAllString(strings.TrimSpace(strings.TrimSuffix(l, " \\")), "")
		if (whole[word] || isURL(word)) && runewidth.StringWidth(word) > width-len(l)+len(strings.TrimLeft(l, " ")) {
			continue
		}
		t.Errorf("line %d is %d wide, more than %d: %q", i+1, w, width, l)
	}
}

// longNames is the python report with test names that do not fit a narrow
// terminal: an RSpec example (spaces in the name) and a pytest id.
func longNames(t *testing.T) *diagnose.Report {
	r := pythonReport(t)
	r.Tests[0].Classname = ""
	r.Tests[0].Name = "spec.components.distributed_mutex_spec.DistributedMutex allows only one mutex object to hold the lock at a time"
	r.Tests[1].Classname = ""
	r.Tests[1].Name = "sklearn/svm/tests/test_sparse.py::test_sparse_realdata[csr_matrix-float64]"
	return r
}

// TestTextFitsWidth renders the test reports on terminals 30 to 80 columns
// wide, in every view, and checks that every line fits.
func TestTextFitsWidth(t *testing.T) {
	all := reports(t)
	all["long names"] = longNames(t)
	views := map[string]Options{
		"plain":       {TTY: true},
		"colour":      {TTY: true, Color: true},
		"links":       {TTY: true, Color: true, Hyperlinks: true},
		"verbose":     {TTY: true, Verbose: true, Limit: -1},
		"links+verb.": {TTY: true, Hyperlinks: true, Verbose: true},
	}
	for _, width := range []int{30, 40, 50, 60, 80} {
		for name, r := range all {
			for view, o := range views {
				t.Run(fmt.Sprintf("%s/%s/%d", name, view, width), func(t *testing.T) {
					o.Width = width
					var buf bytes.Buffer
					if err := Text(&buf, r, o); err != nil {
						t.Fatal(err)
					}
					checkFits(t, buf.String(), width, wholeWords(r))
				})
			}
		}
	}
}

// TestTextNarrowerThanMinimum: a width below the minimum is laid out for
// the minimum.
func TestTextNarrowerThanMinimum(t *testing.T) {
	r := pythonReport(t)
	var narrow, minimum bytes.Buffer
	if err := Text(&narrow, r, Options{TTY: true, Width: 5}); err != nil {
		t.Fatal(err)
	}
	if err := Text(&minimum, r, Options{TTY: true, Width: minWidth}); err != nil {
		t.Fatal(err)
	}
	if narrow.String() != minimum.String() {
		t.Error("width 5 is not laid out as the minimum width")
	}
	checkFits(t, minimum.String(), minWidth, wholeWords(r))
}

// TestTestNameStaysWhole: a test name is never cut. It follows its rank
// when it fits there, goes on a line of its own when it fits a line, and
// is kept whole on a line of its own when it does not.
func TestTestNameStaysWhole(t *testing.T) {
	r := longNames(t)
	for _, width := range []int{30, 40, 60, 80, 120} {
		var buf bytes.Buffer
		if err := Text(&buf, r, Options{TTY: true, Color: true, Width: width}); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(ours.ReplaceAllString(buf.String(), ""), "\n")
		for i := range r.Tests {
			name := testName(&r.Tests[i])
			found := false
			for _, l := range lines {
				if strings.HasSuffix(l, name) {
					found = true
					if lead := strings.TrimSuffix(l, name); strings.TrimSpace(lead) != "" && runewidth.StringWidth(l) > width {
						t.Errorf("at %d columns %q shares a line it does not fit: %q", width, name, l)
					}
				}
			}
			if !found {
				t.Errorf("at %d columns the name %q is not on a line whole", width, name)
			}
		}
	}
}

// TestJobTableNarrowing: the jobs table gives up its least useful columns
// first, and turns into one block per job when even the smallest table
// does not fit.
func TestJobTableNarrowing(t *testing.T) {
	cases := []struct {
		width         int
		header        string // "" for the stacked layout
		wantInSection []string
	}{
		{120, "JOB                    STAGE  CATEGORY    EXIT  REASON          HINT", []string{"2 failed, 10071 passed"}},
		{80, "JOB                    STAGE  CATEGORY    EXIT  REASON          HINT", []string{"2 failed, 10071…"}},
		{60, "JOB                    STAGE  CATEGORY    EXIT  HINT", []string{"pinned pack…"}},
		{50, "JOB                    CATEGORY    EXIT", []string{"conda py3.4 (allowed)  dependency  1"}},
		{30, "JOB           CATEGORY    EXIT", []string{"conda py3.4…  dependency  1"}},
		{28, "JOB           CATEGORY  EXIT", []string{"conda py3.4…  depende…  1"}},
		{24, "", []string{"conda py3.4 (allowed)\n  stage: build\n  category: dependency\n  exit code: 1\n  reason: script_failure\n" +
			"  hint: pinned packages\n        not available\n" + jobURL("7003") + "\n"}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.width), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Text(&buf, pythonReport(t), Options{TTY: true, Width: c.width}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			sec := out[strings.Index(out, "\nFailed jobs\n"):strings.Index(out, "\nReproduce\n")]
			first := strings.SplitN(sec, "\n", 4)[2]
			if c.header != "" && first != c.header {
				t.Errorf("header %q, want %q", first, c.header)
			}
			if c.header == "" && strings.HasPrefix(first, "JOB") {
				t.Errorf("a table at %d columns, want one block per job:\n%s", c.width, sec)
			}
			for _, w := range c.wantInSection {
				if !strings.Contains(sec, w) {
					t.Errorf("section lacks %q:\n%s", w, sec)
				}
			}
		})
	}
}

// TestJobTableCategoryColourWhenCut: a category cut to fit keeps its
// colour, and the colour wraps only the cut text.
func TestJobTableCategoryColourWhenCut(t *testing.T) {
	var buf bytes.Buffer
	if err := Text(&buf, pythonReport(t), Options{TTY: true, Color: true, Width: 28}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\x1b[31mdepende…\x1b[0m") {
		t.Errorf("cut category not coloured as cut:\n%s", buf.String())
	}
	checkFits(t, buf.String(), 28, wholeWords(pythonReport(t)))
}

// TestHeaderNarrow: the header gives way in steps and its URL goes on a
// line of its own when it does not fit after the pipeline.
func TestHeaderNarrow(t *testing.T) {
	u := host + "/acme/data/sklearn-ci/-/pipelines/48213"
	cases := []struct {
		width int
		want  string
	}{
		{200, "✗ acme/data/sklearn-ci  pipeline #48213 on feature/sparse-svm (9f3c1e2a) failed in 14m02s  " + u + "\n"},
		{80, "✗ acme/data/sklearn-ci  #48213 on feature/sparse-svm (9f3c1e2a) failed in 14m02s\n  " + u + "\n"},
		{60, "✗ …/sklearn-ci\n  #48213 on feature/sparse-svm (9f3c1e2a) failed in 14m02s\n" + u + "\n"},
		{40, "✗ …/sklearn-ci\n  #48213 on feature/sparse-svm\n  (9f3c1e2a) failed in 14m02s\n" + u + "\n"},
		{24, "✗ …/sklearn-ci\n  #48213\n  on feature/sparse-svm\n  (9f3c1e2a)\n  failed in 14m02s\n" + u + "\n"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		if err := Text(&buf, pythonReport(t), Options{TTY: true, Width: c.width}); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(buf.String(), c.want) {
			t.Errorf("at %d columns the header is\n%s\nwant\n%s", c.width, firstLines(buf.String(), 4), c.want)
		}
	}
}

func firstLines(s string, n int) string {
	return strings.Join(strings.SplitN(s, "\n", n+1)[:n], "\n")
}

func TestShellWords(t *testing.T) {
	cases := []struct {
		in    string
		words []string
	}{
		{"git fetch origin abc && git switch --detach abc", []string{"git", "fetch", "origin", "abc", "&&", "git", "switch", "--detach", "abc"}},
		{`docker run -v "$PWD":/b -e 'A B' x`, []string{"docker", "run", "-v", `"$PWD":/b`, "-e", "'A B'", "x"}},
		{`echo "a  b" c\ d`, []string{"echo", `"a  b"`, `c\ d`}},
		// The script of sh -c breaks between its own words, not inside its
		// double quotes.
		{`sh -c 'pip install . && pytest "a b"'`, []string{"sh", "-c", "'pip", "install", ".", "&&", "pytest", `"a b"'`}},
		{"  indented  twice", []string{"indented", "twice"}},
	}
	for _, c := range cases {
		words, seps := shellWords(strings.TrimLeft(c.in, " "))
		if !reflect.DeepEqual(words, c.words) {
			t.Errorf("shellWords(%q) = %q, want %q", c.in, words, c.words)
		}
		var b strings.Builder
		for i := range words {
			b.WriteString(words[i] + seps[i])
		}
		if b.String() != strings.TrimLeft(c.in, " ") {
			t.Errorf("words and blanks of %q rebuild %q", c.in, b.String())
		}
	}
}

// TestCommandLines: a command too wide is broken between shell words, each
// line but the last ending in " \", and reads back as the same command.
func TestCommandLines(t *testing.T) {
	cmd := `docker run --rm -it -v "$PWD":/builds/acme -w /builds/acme python:2.7 sh -c 'pip install -e . && pytest x.py::test_a'`
	if got := commandLines(cmd, 4, 6, 200); len(got) != 1 || got[0] != cmd {
		t.Errorf("a command that fits is changed: %q", got)
	}
	lines := commandLines(cmd, 4, 6, 40)
	if len(lines) < 3 {
		t.Fatalf("not broken: %q", lines)
	}
	var back []string
	for i, l := range lines {
		width := 4
		if i > 0 {
			width = 6
		}
		if i < len(lines)-1 {
			if !strings.HasSuffix(l, " \\") {
				t.Errorf("line %d does not continue: %q", i, l)
			}
			l = strings.TrimSuffix(l, " \\")
		}
		if w := width + runewidth.StringWidth(l) + 2; w > 40 && strings.Contains(l, " ") {
			t.Errorf("line %d is %d wide: %q", i, w, l)
		}
		back = append(back, l)
	}
	if got := strings.Join(back, " "); got != cmd {
		t.Errorf("lines read back as %q, want %q", got, cmd)
	}
}

func TestCells(t *testing.T) {
	cases := map[string]int{
		"plain":                5,
		"\x1b[1;31m✗\x1b[0m x": 3,
		"\x1b]8;;https://e.x/\x1b\\link\x1b]8;;\x1b\\": 4,
		"日本": 4,
	}
	for s, want := range cases {
		if got := cells(s); got != want {
			t.Errorf("cells(%q) = %d, want %d", s, got, want)
		}
	}
}
