package render

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Columns of the failed-jobs table.
const (
	colJob = iota
	colStage
	colCategory
	colExit
	colReason
	colHint
	numCols
)

var jobHeader = [numCols]string{"JOB", "STAGE", "CATEGORY", "EXIT", "REASON", "HINT"}

// narrowing is what is given up, step by step, when the table is wider
// than the terminal: a column is cut to min columns, or dropped (min -1).
// The least useful go first: the hint is cut, the failure reason (mostly
// script_failure) and the stage are dropped, then the hint, and last the
// job name and category are cut. When even that does not fit, each job is
// printed as a block of "key: value" lines instead (stackedJobs).
var narrowing = []struct{ col, min int }{
	{colHint, 12},
	{colReason, -1},
	{colStage, -1},
	{colHint, -1},
	{colJob, 12},
	{colCategory, 8},
}

const colGap = 2

// jobTable draws the failed jobs as a borderless table fitted to the
// terminal width. Job names link to the job when the terminal supports
// OSC 8; otherwise the job links follow the table.
func (t *textWriter) jobTable() error {
	rows := make([][numCols]string, len(t.r.Jobs))
	var widths [numCols]int
	for c, h := range jobHeader {
		widths[c] = len(h)
	}
	for i := range t.r.Jobs {
		j := &t.r.Jobs[i]
		name := oneLine(j.Name)
		if j.AllowFailure {
			name += " (allowed)"
		}
		rows[i] = [numCols]string{name, oneLine(j.Stage), oneLine(string(j.Category)), exitCode(j), oneLine(j.FailureReason), oneLine(j.Hint)}
		for c, cell := range rows[i] {
			widths[c] = max(widths[c], runewidth.StringWidth(cell))
		}
	}
	var shown [numCols]bool
	for c := range shown {
		shown[c] = true
	}
	total := func() int {
		n := -colGap
		for c, w := range widths {
			if shown[c] {
				n += w + colGap
			}
		}
		return n
	}
	for _, s := range narrowing {
		over := total() - t.o.Width
		switch {
		case over <= 0:
		case s.min < 0:
			shown[s.col] = false
		case widths[s.col] > s.min:
			widths[s.col] = max(s.min, widths[s.col]-over)
		}
	}
	if total() > t.o.Width {
		t.stackedJobs(rows)
		return nil
	}
	var cols []int
	for c := range shown {
		if shown[c] {
			cols = append(cols, c)
		}
	}

	var buf bytes.Buffer
	tbl := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenRows: tw.Off, BetweenColumns: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off, ShowTop: tw.Off, ShowBottom: tw.Off, ShowFooterLine: tw.Off},
			},
		})),
		tablewriter.WithConfig(tablewriter.Config{
			Header: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoFormat: tw.Off, AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
				Padding:    tw.CellPadding{Global: tw.Padding{Right: strings.Repeat(" ", colGap), Overwrite: true}},
			},
			Row: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoFormat: tw.Off, AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
				Padding:    tw.CellPadding{Global: tw.Padding{Right: strings.Repeat(" ", colGap), Overwrite: true}},
			},
			Behavior: tw.Behavior{TrimSpace: tw.Off},
		}),
	)
	head := make([]any, 0, len(cols))
	plain := make([][]string, 0, len(rows)+1)
	styled := make([][]string, 0, len(rows)+1)
	var hp, hs []string
	for _, c := range cols {
		h := jobHeader[c]
		head, hp, hs = append(head, h), append(hp, h), append(hs, t.bold(h))
	}
	plain, styled = append(plain, hp), append(styled, hs)
	tbl.Header(head...)
	for i := range t.r.Jobs {
		j := &t.r.Jobs[i]
		cells, style := make([]string, 0, len(cols)), make([]string, 0, len(cols))
		for _, c := range cols {
			cell := rows[i][c]
			if runewidth.StringWidth(cell) > widths[c] {
				cell = runewidth.Truncate(cell, widths[c], "…")
			}
			st := cell
			switch {
			case c == colJob && j.AllowFailure:
				st = t.yellow(cell)
			case c == colCategory && cell != "":
				st = t.categoryStyle(j.Category, cell)
			}
			if c == colJob && t.o.Hyperlinks {
				st = t.link(st, j.WebURL)
			}
			cells, style = append(cells, cell), append(style, st)
		}
		plain, styled = append(plain, cells), append(styled, style)
		if err := tbl.Append(cells); err != nil {
			return fmt.Errorf("adding job %d to the table: %w", j.ID, err)
		}
	}
	if err := tbl.Render(); err != nil {
		return fmt.Errorf("drawing the job table: %w", err)
	}
	// tablewriter lays out plain text; colour and links are put in
	// afterwards, cell by cell, so they never count towards a width.
	var lines []string
	for _, l := range strings.Split(buf.String(), "\n") {
		if l = strings.TrimRight(l, " "); l != "" {
			lines = append(lines, l)
		}
	}
	for i, l := range lines {
		if len(lines) == len(plain) {
			l = restyle(l, plain[i], styled[i])
		}
		t.line(l)
	}
	if t.o.Hyperlinks {
		return nil
	}
	// The links follow, each after its job name, or under it when the two
	// do not fit on one line.
	nameWidth := 0
	for _, row := range rows {
		nameWidth = min(max(nameWidth, runewidth.StringWidth(row[colJob])), widths[colJob])
	}
	fits := true
	for i := range t.r.Jobs {
		if u, ok := safeURL(t.r.Jobs[i].WebURL); ok && nameWidth+colGap+len(u) > t.o.Width {
			fits = false
		}
	}
	for i := range t.r.Jobs {
		if u, ok := safeURL(t.r.Jobs[i].WebURL); ok {
			name := runewidth.Truncate(rows[i][colJob], widths[colJob], "…")
			if fits {
				t.line(t.dim(runewidth.FillRight(name, nameWidth)), "  ", t.cyan(u))
				continue
			}
			t.line(t.dim(name))
			t.line(t.ownLine("  ", t.cyan(u)))
		}
	}
	return nil
}

// ownLine is s on a line of its own, after indent when that fits.
func (t *textWriter) ownLine(indent, s string) string {
	if cells(indent)+cells(s) <= t.o.Width {
		return indent + s
	}
	return s
}

// stackedJobs prints each failed job as a block of "key: value" lines, for
// terminals too narrow for even the smallest table: the job name, then its
// stage, category, exit code, failure reason and hint, then its link.
func (t *textWriter) stackedJobs(rows [][numCols]string) {
	const indent = "  "
	for i := range t.r.Jobs {
		j := &t.r.Jobs[i]
		if i > 0 {
			t.line()
		}
		name := t.fit(rows[i][colJob], t.o.Width)
		if j.AllowFailure {
			name = t.yellow(name)
		}
		if t.o.Hyperlinks {
			name = t.link(name, j.WebURL)
		}
		t.line(t.bold(name))
		for _, f := range []struct {
			key string
			col int
		}{{"stage", colStage}, {"category", colCategory}, {"exit code", colExit}, {"reason", colReason}, {"hint", colHint}} {
			v := rows[i][f.col]
			if v == "" {
				continue
			}
			key := f.key + ": "
			room := t.o.Width - len(indent) - len(key)
			if f.col != colHint {
				v = t.fit(v, room)
				if f.col == colCategory {
					v = t.categoryStyle(j.Category, v)
				}
				t.line(indent, t.dim(key), v)
				continue
			}
			for k, l := range t.wrap(v, room) {
				lead := strings.Repeat(" ", len(key))
				if k == 0 {
					lead = t.dim(key)
				}
				t.line(indent, lead, l)
			}
		}
		if u, ok := safeURL(j.WebURL); ok && !t.o.Hyperlinks {
			t.line(t.ownLine(indent, t.cyan(u)))
		}
	}
}

// restyle replaces, left to right, each plain cell found in a rendered
// table line with its styled form.
func restyle(line string, plain, styled []string) string {
	var b strings.Builder
	pos := 0
	for c, cell := range plain {
		if cell == "" {
			continue
		}
		k := strings.Index(line[pos:], cell)
		if k < 0 {
			continue
		}
		b.WriteString(line[pos : pos+k])
		b.WriteString(styled[c]) // the plain cell again when it has no style
		pos += k + len(cell)
	}
	b.WriteString(line[pos:])
	return b.String()
}
