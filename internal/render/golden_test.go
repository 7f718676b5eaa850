package render

import (
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/golden"
)

func assertGolden(t *testing.T, got []byte, name string) {
	t.Helper()
	golden.Assert(t, got, name)
}
