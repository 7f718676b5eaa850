package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// JSON writes the report in its documented, versioned form
// (docs/report-schema.md): indented by two spaces, keys in the order of the
// model with schema_version first, every list that the schema does not mark
// as optional present as [] rather than null, and a zero SchemaVersion
// replaced by diagnose.SchemaVersion. The report itself is not modified.
//
// Strings keep their exact value, but the output is safe to print on a
// terminal: encoding/json writes C0 controls as \u escapes, and JSON also
// writes C1 controls and invisible format characters (bidi overrides and
// the like) as \u escapes, which decode to the same strings. A script that
// prints a decoded string to a terminal must sanitise it itself.
func JSON(w io.Writer, r *diagnose.Report) error {
	if r == nil {
		return errors.New("rendering json: no report")
	}
	n := normalized(r)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(n); err != nil {
		return fmt.Errorf("encoding report: %w", err)
	}
	if _, err := w.Write(escapeHidden(buf.Bytes())); err != nil {
		return fmt.Errorf("writing json report: %w", err)
	}
	return nil
}

// normalized is a copy of r whose required lists are never nil, so they
// encode as [] and not null. Slices that are replaced are copied first;
// nothing reachable from r is written to.
func normalized(r *diagnose.Report) *diagnose.Report {
	n := *r
	if n.SchemaVersion == 0 {
		n.SchemaVersion = diagnose.SchemaVersion
	}
	n.Pipelines = nonNil(n.Pipelines)
	n.Warnings = nonNil(n.Warnings)

	n.Causes = cloneSlice(n.Causes)
	for i := range n.Causes {
		c := &n.Causes[i]
		c.JobIDs, c.JobNames, c.Reasons = nonNil(c.JobIDs), nonNil(c.JobNames), nonNil(c.Reasons)
		c.Excerpt = normalizedExcerpt(c.Excerpt)
	}
	n.Tests = cloneSlice(n.Tests)
	for i := range n.Tests {
		t := &n.Tests[i]
		t.JobIDs, t.JobNames, t.Reasons = nonNil(t.JobIDs), nonNil(t.JobNames), nonNil(t.Reasons)
		t.Excerpt = normalizedExcerpt(t.Excerpt)
	}
	n.Jobs = cloneSlice(n.Jobs)
	for i := range n.Jobs {
		j := &n.Jobs[i]
		j.Excerpts = cloneSlice(j.Excerpts)
		for k := range j.Excerpts {
			j.Excerpts[k].Lines = nonNil(j.Excerpts[k].Lines)
		}
	}
	n.Repro = cloneSlice(n.Repro)
	for i := range n.Repro {
		n.Repro[i].Commands = nonNil(n.Repro[i].Commands)
	}
	return &n
}

func normalizedExcerpt(e *diagnose.Excerpt) *diagnose.Excerpt {
	if e == nil {
		return nil
	}
	c := *e
	c.Lines = nonNil(c.Lines)
	return &c
}

// cloneSlice copies s into a new non-nil slice.
func cloneSlice[T any](s []T) []T {
	return append(make([]T, 0, len(s)), s...)
}

// nonNil is s, or an empty slice when s is nil.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// escapeHidden rewrites, in encoded JSON, DEL, every C1 control and every
// invisible format character as a \uXXXX escape. Outside strings JSON has
// none of them, so each is inside a string, where the escape means the
// same rune.
func escapeHidden(b []byte) []byte {
	i := 0
	for i < len(b) && b[i] < 0x7f {
		i++
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if r == 0x7f || (r >= utf8.RuneSelf && isHiddenRune(r)) {
			if r > 0xffff { // tag characters and other astral format runes
				r1, r2 := utf16.EncodeRune(r)
				out = fmt.Appendf(out, "\\u%04x\\u%04x", r1, r2)
			} else {
				out = fmt.Appendf(out, "\\u%04x", r)
			}
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}
