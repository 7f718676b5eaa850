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

// Columns of the failed-jobs table, and the narrowest each may be cut to
// when the terminal is too narrow for the whole table. The hint gives way
// first, then the reason, then the job name.
const (
	colJob = iota
	colStage
	colCategory
	colExit
	colReason
	colHint
	numCols
)

var (
	jobHeader   = [numCols]string{"JOB", "STAGE", "CATEGORY", "EXIT", "REASON", "HINT"}
	shrinkOrder = []struct{ col, min int }{{colHint, 6}, {colReason, 8}, {colJob, 10}, {colStage, 5}, {colCategory, 8}}
)

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
	total := func() int {
		n := colGap * (numCols - 1)
		for _, w := range widths {
			n += w
		}
		return n
	}
	for _, s := range shrinkOrder {
		if over := total() - t.o.Width; over > 0 && widths[s.col] > s.min {
			widths[s.col] = max(s.min, widths[s.col]-over)
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
	head := make([]any, numCols)
	plain := make([][numCols]string, 0, len(rows)+1)
	styled := make([][numCols]string, 0, len(rows)+1)
	var hp, hs [numCols]string
	for c, h := range jobHeader {
		head[c], hp[c], hs[c] = h, h, t.bold(h)
	}
	plain, styled = append(plain, hp), append(styled, hs)
	tbl.Header(head...)
	for i := range t.r.Jobs {
		j := &t.r.Jobs[i]
		var cells, style [numCols]string
		for c, cell := range rows[i] {
			if runewidth.StringWidth(cell) > widths[c] {
				cell = runewidth.Truncate(cell, widths[c], "…")
			}
			cells[c], style[c] = cell, cell
		}
		if j.AllowFailure {
			style[colJob] = t.yellow(style[colJob])
		}
		if t.o.Hyperlinks {
			style[colJob] = t.link(style[colJob], j.WebURL)
		}
		if cells[colCategory] != "" {
			style[colCategory] = t.category(j.Category)
		}
		plain, styled = append(plain, cells), append(styled, style)
		if err := tbl.Append(cells[:]); err != nil {
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
			l = restyle(l, plain[i][:], styled[i][:])
		}
		t.line(l)
	}
	if t.o.Hyperlinks {
		return nil
	}
	nameWidth := 0
	for _, row := range rows {
		nameWidth = min(max(nameWidth, runewidth.StringWidth(row[colJob])), widths[colJob])
	}
	for i := range t.r.Jobs {
		if u, ok := safeURL(t.r.Jobs[i].WebURL); ok {
			name := runewidth.Truncate(rows[i][colJob], widths[colJob], "…")
			t.line(t.dim(runewidth.FillRight(name, nameWidth)), "  ", t.cyan(u))
		}
	}
	return nil
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
