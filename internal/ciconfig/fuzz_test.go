package ciconfig

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that no input makes Parse panic or hang, and that every
// job Parse lists can be looked up.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("a: &x {b: *x}\n"))
	f.Add([]byte("a:\n  extends: [a, a]\n  script: !reference [a, script]\n"))
	f.Add([]byte("a:\n  parallel: {matrix: [{X: [1, 2]}, 3]}\n  needs: [{job: 1}, [x]]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		for _, n := range c.Jobs() {
			if _, ok := c.Job(n); !ok {
				t.Errorf("job %q listed but not found", n)
			}
		}
	})
}

// FuzzChild checks that no included file makes Child panic or hang: every
// path the child's includes name is served data.
func FuzzChild(f *testing.F) {
	f.Add([]byte("include: [a.yml, b.yml]\nj:\n  script: x\n"))
	f.Add([]byte("include: {local: /a.yml, rules: [{if: $X}]}\n.t: {image: x}\nj: {extends: .t}\n"))
	f.Add([]byte("include: [{project: p, file: [a, b]}, {template: t}, '*.yml', [x], ~]\n"))
	parent, err := Parse(strings.NewReader("b:\n  trigger:\n    include: a.yml\n"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reads := 0
		c := parent.Child("b", func(string) (io.ReadCloser, error) {
			reads++
			return io.NopCloser(strings.NewReader(string(data))), nil
		})
		if c == nil {
			t.Fatal("no child configuration")
		}
		if reads > MaxIncludes {
			t.Errorf("%d reads, over %d", reads, MaxIncludes)
		}
		for _, n := range c.Jobs() {
			if _, ok := c.Job(n); !ok {
				t.Errorf("job %q listed but not found", n)
			}
		}
	})
}
