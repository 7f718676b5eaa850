package ciconfig

import (
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
