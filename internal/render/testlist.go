package render

import (
	"strconv"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// testGroup is the failing tests of one cause, in report order, and how
// many of them the list shows.
type testGroup struct {
	cause int   // the cause's rank (its id when the rank is unknown); 0 for none
	tests []int // indices into Report.Tests
	shown int
}

// hidden is how many tests of the group the list leaves out.
func (g *testGroup) hidden() int { return len(g.tests) - g.shown }

// planTests groups the failing tests by cause, in the order of the report,
// and shares limit rows among the groups so that every cause gets rows
// before any cause gets more: each group shows min(its size, c) rows for
// the largest c that fits, and the rows left over go to the first groups
// that have more to show. When there are more causes than rows, the first
// causes get one row each.
func planTests(r *diagnose.Report, limit int) []testGroup {
	rank := map[int]int{}
	for i := range r.Causes {
		c := &r.Causes[i]
		if c.Rank > 0 {
			rank[c.ID] = c.Rank
		} else {
			rank[c.ID] = c.ID
		}
	}
	var groups []testGroup
	at := map[int]int{}
	for i := range r.Tests {
		id := r.Tests[i].CauseID
		if id > 0 {
			if g, ok := at[id]; ok {
				groups[g].tests = append(groups[g].tests, i)
				continue
			}
			at[id] = len(groups)
		}
		cause := rank[id]
		if cause == 0 && id > 0 {
			cause = id
		}
		groups = append(groups, testGroup{cause: cause, tests: []int{i}})
	}
	if limit < 0 || limit >= len(r.Tests) {
		for i := range groups {
			groups[i].shown = len(groups[i].tests)
		}
		return groups
	}
	rows := func(c int) int {
		n := 0
		for i := range groups {
			n += min(len(groups[i].tests), c)
		}
		return n
	}
	c := 0
	for rows(c+1) <= limit && rows(c+1) > rows(c) {
		c++
	}
	left := limit
	for i := range groups {
		groups[i].shown = min(len(groups[i].tests), c)
		left -= groups[i].shown
	}
	for i := range groups {
		if left == 0 {
			break
		}
		if groups[i].hidden() > 0 {
			groups[i].shown++
			left--
		}
	}
	return groups
}

// sameErrorNote is the line that stands for the tests of a cause the list
// leaves out.
func sameErrorNote(g *testGroup) string {
	s := "… and " + strconv.Itoa(g.hidden()) + " more"
	if g.cause > 0 {
		return s + " with the same error (cause " + strconv.Itoa(g.cause) + ")"
	}
	return s
}
