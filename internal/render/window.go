package render

import (
	"strconv"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// excerptHead is how many lines at the top of a shortened excerpt are
// always shown: a test block opens with its heading ("____ test_x ____",
// "--- FAIL: TestX") and the place it failed, which orient the reader.
const excerptHead = 2

// afterFirst is how many lines after each matched line are preferred to the
// deeper context before it.
const afterFirst = 2

// windowLines chooses the lines of an excerpt that a shortened view shows:
// the head of the block, every matched line, then context around the
// matched lines (the lines before a match first: the innermost frames of a
// stack trace lead to the error), until window lines are chosen. Matched
// lines are shown even when they alone pass the window. A single hidden
// line between shown ones is shown too, since its note would take the same
// room. keep[i] tells whether line i (0-based) is shown.
func windowLines(ex *diagnose.Excerpt, window int) []bool {
	n := len(ex.Lines)
	keep := make([]bool, n)
	if n <= window {
		for i := range keep {
			keep[i] = true
		}
		return keep
	}
	count := 0
	add := func(i int) {
		if i >= 0 && i < n && !keep[i] && count < window {
			keep[i] = true
			count++
		}
	}
	var hl []int
	for _, h := range ex.Highlight {
		if i := h - ex.StartLine; ex.StartLine > 0 && i >= 0 && i < n && !keep[i] {
			keep[i] = true // matched lines do not count against the window
			hl = append(hl, i)
		}
	}
	count = len(hl)
	for i := 0; i < excerptHead && i < n; i++ {
		if !keep[i] {
			keep[i] = true
			count++
		}
	}
	if len(hl) == 0 {
		for i := 0; i < n; i++ {
			add(i)
		}
	}
	// Context: excerptLead lines before each match, a few after, then
	// widening on both sides.
	for d := 1; d <= excerptLead; d++ {
		for _, i := range hl {
			add(i - d)
		}
	}
	for d := 1; d <= afterFirst; d++ {
		for _, i := range hl {
			add(i + d)
		}
	}
	for d := 1; d < n && count < window; d++ {
		for _, i := range hl {
			if d > excerptLead {
				add(i - d)
			}
			if d > afterFirst {
				add(i + d)
			}
		}
	}
	for i := 1; i+1 < n; i++ {
		if !keep[i] && keep[i-1] && keep[i+1] {
			keep[i] = true
		}
	}
	return keep
}

// gapNote is the line that stands for hidden lines of an excerpt.
func gapNote(hidden int, last bool) string {
	s := "… " + plural(hidden, "line", "lines") + " …"
	if last {
		s += " (--verbose shows all)"
	}
	return s
}

// hasLineNumbers tells whether an excerpt is a block of a job log, with
// its place in the log, rather than text from a test report.
func hasLineNumbers(ex *diagnose.Excerpt) bool {
	return ex.StartLine > 0
}

// lineRange is "line 7" or "lines 7–12".
func lineRange(first, last int) string {
	if last > first {
		return "lines " + strconv.Itoa(first) + "–" + strconv.Itoa(last)
	}
	return "line " + strconv.Itoa(first)
}
