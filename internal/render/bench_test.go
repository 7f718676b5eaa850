package render

import (
	"io"
	"strconv"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// bigReport is the python report grown to 50 causes, 2000 tests and 200
// jobs, a large monorepo pipeline.
func bigReport(b *testing.B) *diagnose.Report {
	t := &testing.T{}
	r := pythonReport(t)
	base := r.Tests[0]
	r.Tests = r.Tests[:0]
	for i := 1; i <= 2000; i++ {
		tc := base
		tc.Rank, tc.Name = i, "test_case_"+strconv.Itoa(i)
		r.Tests = append(r.Tests, tc)
	}
	cause, job := r.Causes[0], r.Jobs[0]
	r.Causes, r.Jobs = r.Causes[:0], r.Jobs[:0]
	for i := 1; i <= 50; i++ {
		c := cause
		c.ID, c.Rank = i, i
		r.Causes = append(r.Causes, c)
	}
	for i := 1; i <= 200; i++ {
		j := job
		j.ID, j.Name = int64(i), "job "+strconv.Itoa(i)
		r.Jobs = append(r.Jobs, j)
	}
	return r
}

func BenchmarkRender(b *testing.B) {
	reports := map[string]*diagnose.Report{"python": pythonReport(&testing.T{}), "big": bigReport(b)}
	for name, r := range reports {
		b.Run(name+"/text-tty", func(b *testing.B) {
			for b.Loop() {
				if err := Text(io.Discard, r, Options{TTY: true, Color: true, Hyperlinks: true, Width: 80, Limit: -1}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/text-piped", func(b *testing.B) {
			for b.Loop() {
				if err := Text(io.Discard, r, Options{Verbose: true, Limit: -1}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/json", func(b *testing.B) {
			for b.Loop() {
				if err := JSON(io.Discard, r); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/markdown", func(b *testing.B) {
			for b.Loop() {
				if err := Markdown(io.Discard, r, MarkdownOptions{Marker: "m"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSanitize(b *testing.B) {
	lines := append([]string{"E   ConnectionRefusedError: [Errno 111] Connection refused"}, hostile...)
	for b.Loop() {
		for _, l := range lines {
			_ = Sanitize(l)
		}
	}
}
