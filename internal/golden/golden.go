// Package golden compares test output with files under a package's
// testdata folder, and rewrites those files when the test binary runs with
// -update. Review the diff of the rewritten files like code.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// Update tells whether the test binary runs with -update.
func Update() bool { return *update }

// Assert compares got with testdata/<name>.golden.
func Assert(t testing.TB, got []byte, name string) {
	t.Helper()
	AssertFile(t, got, filepath.Join("testdata", name+".golden"))
}

// AssertFile compares got with the file at path, or rewrites the file with
// -update.
func AssertFile(t testing.TB, got []byte, path string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it by running this test with -update)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (run this test with -update to accept, then review the diff)\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
