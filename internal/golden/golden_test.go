package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }

func TestAssertFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte("same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	AssertFile(r, []byte("same\n"), path)
	if r.failed {
		t.Error("equal content reported as different")
	}
	AssertFile(r, []byte("other\n"), path)
	if !r.failed {
		t.Error("different content not reported")
	}
	r = &recorder{TB: t}
	AssertFile(r, []byte("x"), filepath.Join(t.TempDir(), "missing.golden"))
	if !r.failed {
		t.Error("missing file not reported")
	}
}
