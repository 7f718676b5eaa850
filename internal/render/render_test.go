package render

import (
	"bytes"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

func reports(t *testing.T) map[string]*diagnose.Report {
	return map[string]*diagnose.Report{
		"python": pythonReport(t),
		"green":  greenReport(),
		"infra":  infraReport(t),
	}
}

func TestTextGolden(t *testing.T) {
	views := []struct {
		name string
		o    Options
	}{
		{"tty", Options{TTY: true, Color: true, Hyperlinks: true, Width: 80}},
		{"tty-plain", Options{TTY: true, Width: 80}},
		{"tty-wide", Options{TTY: true, Color: true, Width: 120}},
		{"tty-narrow", Options{TTY: true, Width: 40, Verbose: true}},
		{"piped", Options{}},
		{"piped-verbose", Options{Verbose: true}},
	}
	for name, r := range reports(t) {
		for _, v := range views {
			t.Run(name+"/"+v.name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Text(&buf, r, v.o); err != nil {
					t.Fatal(err)
				}
				assertGolden(t, buf.Bytes(), name+"."+v.name)
			})
		}
	}
}

func TestJSONGolden(t *testing.T) {
	for name, r := range reports(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := JSON(&buf, r); err != nil {
				t.Fatal(err)
			}
			assertGolden(t, buf.Bytes(), name+".json")
		})
	}
}

func TestMarkdownGolden(t *testing.T) {
	for name, r := range reports(t) {
		t.Run(name, func(t *testing.T) {
			o := MarkdownOptions{Marker: "glab-pipeline-doctor:acme/data/sklearn-ci:!913"}
			if name == "python" {
				o.Changes = &Changes{
					Fixed:        []string{"sklearn.linear_model.tests.test_sgd.test_sgd_proba"},
					StillFailing: []string{"sklearn.svm.tests.test_sparse.test_unsorted_indices"},
					New:          []string{"sklearn.svm.tests.test_sparse.test_sparse_realdata", "sklearn.utils.tests.test_show_versions.test_show_versions_with_blas"},
				}
			}
			var buf bytes.Buffer
			if err := Markdown(&buf, r, o); err != nil {
				t.Fatal(err)
			}
			assertGolden(t, buf.Bytes(), name+".md")
		})
	}
}
