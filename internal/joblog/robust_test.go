package joblog

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzAnalyze feeds arbitrary bytes to Analyze: it must not panic, and what
// it returns must be consistent and safe to print. The seed corpus is in
// testdata/fuzz/FuzzAnalyze plus the seeds added here.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"",
		"\n",
		"no newline at the end",
		"one\rtwo\rthree\r",
		"\x00\x00\x00\n\xff\xfe\xfd\n",
		"section_start:1:a\r\x1b[0Ksection_start:2:b\r\x1b[0Kx\nsection_end:3:a\r\x1b[0K\n",
		"2025-05-14T11:19:27.100851Z 00O+\x1b[0Kline\n2025-05-14T11:19:27.100851Z 01E error: x\r\n",
		"$ make\nerror: boom\nERROR: Job failed: exit code 2\n",
		"\x1b[33;1mJob's log exceeded limit of 4194304 bytes.\x1b[0;m\n",
	} {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "traces", "failed_job_timestamped.log")); err == nil {
		f.Add(b)
		f.Add(b[:len(b)/2]) // a log cut mid-line
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Analyze(bytes.NewReader(data), Options{MaxExcerpts: 3})
		if err != nil {
			t.Fatalf("Analyze: %v", err)
		}
		if res.Bytes != int64(len(data)) {
			t.Fatalf("Bytes = %d, want %d", res.Bytes, len(data))
		}
		if want := bytes.Count(data, []byte{'\n'}); res.Lines != want && res.Lines != want+1 {
			t.Fatalf("Lines = %d for %d newlines", res.Lines, want)
		}
		if len(res.Excerpts) > 3 {
			t.Fatalf("%d excerpts", len(res.Excerpts))
		}
		for _, e := range res.Excerpts {
			if e.StartLine < 1 || e.EndLine < e.StartLine || e.EndLine > res.Lines || len(e.Lines) != e.EndLine-e.StartLine+1 {
				t.Fatalf("bad excerpt %+v for %d lines", e, res.Lines)
			}
			for _, l := range e.Lines {
				checkSafe(t, l)
			}
		}
		for _, s := range []string{res.FailingCommand, res.Image, res.RunnerError, res.FailedSection, res.Hint} {
			checkSafe(t, s)
		}
		for _, s := range res.Sections {
			if !utf8.ValidString(s.Name) || s.StartLine < 1 || s.EndLine != 0 && s.EndLine < s.StartLine {
				t.Fatalf("bad section %+v", s)
			}
		}
	})
}

// longLineLog streams lines lines of width bytes each (no final newline on
// the last), with an error line every so often, without holding them.
type longLineLog struct {
	lines, width int
	line, col    int
}

func (g *longLineLog) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if g.line >= g.lines {
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		}
		if g.col == g.width {
			p[n] = '\n'
			n++
			g.line++
			g.col = 0
			continue
		}
		var c byte = 'x'
		if g.line%7 == 3 && g.col < 12 {
			c = "error: boom "[g.col]
		} else if g.col%80 == 79 {
			c = '\r'
		}
		p[n] = c
		n++
		g.col++
	}
	return n, nil
}

// TestMemoryStaysFlat streams a 128 MiB log of 2 MiB lines through Analyze
// and checks that the heap it allocates does not grow with the log.
func TestMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 128 MiB")
	}
	measure := func(lines int) uint64 {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res, err := Analyze(&longLineLog{lines: lines, width: 2 << 20}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if res.Lines != lines {
			t.Fatalf("Lines = %d, want %d", res.Lines, lines)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	if _, err := compiledRules(); err != nil {
		t.Fatal(err)
	}
	small, big := measure(8), measure(64)
	t.Logf("allocated %d KiB for 16 MiB, %d KiB for 128 MiB", small>>10, big>>10)
	if big > 8<<20 {
		t.Errorf("analysing 128 MiB allocated %d MiB, want under 8 MiB", big>>20)
	}
	if big > 4*small+(1<<20) {
		t.Errorf("allocation grows with the log: %d KiB for 16 MiB, %d KiB for 128 MiB", small>>10, big>>10)
	}
}

func TestLongLineIsCut(t *testing.T) {
	line := strings.Repeat("y", maxLineBytes*3)
	res, err := Analyze(strings.NewReader("error: "+line+"\nnext\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Lines != 2 || len(res.Excerpts) == 0 {
		t.Fatalf("%+v", res)
	}
	if l := res.Excerpts[0].Lines[0]; len(l) > maxExcerptLine || !strings.HasSuffix(l, "…") {
		t.Errorf("excerpt line of %d bytes", len(l))
	}
}

func BenchmarkAnalyzeLongLines(b *testing.B) {
	const lines, width = 16, 1 << 20
	b.SetBytes(lines * (width + 1))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Analyze(&longLineLog{lines: lines, width: width}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
