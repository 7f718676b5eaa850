package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

// assertGolden compares got with testdata/<name>.golden, or rewrites the
// file when the test runs with -update.
func assertGolden(t *testing.T, got []byte, name string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with: go test ./internal/render -update)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s mismatch (go test ./internal/render -update to accept)\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
