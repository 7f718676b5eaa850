package joblog

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkAnalyzeCorpus measures Analyze over the LogChunks logs (the
// files under JOBLOG_LOGCHUNKS_DIR), one call per log.
func BenchmarkAnalyzeCorpus(b *testing.B) {
	dir := os.Getenv("JOBLOG_LOGCHUNKS_DIR")
	if dir == "" {
		b.Skip("JOBLOG_LOGCHUNKS_DIR not set")
	}
	logs, err := readLogDir(dir)
	if err != nil || len(logs) == 0 {
		b.Fatalf("reading the logs in %s: %v (%d logs)", dir, err, len(logs))
	}
	size := 0
	for _, l := range logs {
		size += len(l)
	}
	if _, err := compiledRules(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range logs {
			if _, err := Analyze(bytes.NewReader(l), Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// readLogDir returns the contents of the files under dir.
func readLogDir(dir string) ([][]byte, error) {
	var logs [][]byte
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		logs = append(logs, data)
		return nil
	})
	return logs, err
}
