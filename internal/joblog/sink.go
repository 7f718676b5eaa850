package joblog

// LineSink consumes the cleaned lines of a log during the same single pass
// that Analyze makes, so other readers (test-block extraction) never need the
// log again. n is the 1-based line number in the raw log (counted by '\n',
// the numbering of GitLab's #L<n> links); text is the line as GitLab's log
// viewer shows it (ANSI and section markers removed, '\r' redraws resolved,
// runner timestamps stripped). text is only valid during the call.
type LineSink interface {
	Line(n int, text []byte)
}

// ChunkSink is a LineSink that may keep lines without copying them. Most
// lines of a log are bytes of the chunk Analyze read last (or of its
// cleaned text): those it passes to LineInChunk, whose text stays valid
// until the next call of OwnLines, which comes before those bytes are
// overwritten (the next read, the end of the analysis). The other lines go
// to Line, as for any sink. A sink that keeps the last lines of a log for
// context copies only the few it still holds at each OwnLines, instead of
// every line.
type ChunkSink interface {
	LineSink
	// LineInChunk is Line for a text that stays valid until the next call
	// of OwnLines.
	LineInChunk(n int, text []byte)
	// OwnLines copies the texts given to LineInChunk that the sink still
	// holds.
	OwnLines()
}

// copyingSink makes a LineSink a ChunkSink: every line goes to Line.
type copyingSink struct{ LineSink }

func (s copyingSink) LineInChunk(n int, text []byte) { s.Line(n, text) }
func (copyingSink) OwnLines()                        {}

// chunkSinks returns the sinks as ChunkSinks.
func chunkSinks(sinks []LineSink) []ChunkSink {
	if len(sinks) == 0 {
		return nil
	}
	out := make([]ChunkSink, len(sinks))
	for i, s := range sinks {
		if c, ok := s.(ChunkSink); ok {
			out[i] = c
		} else {
			out[i] = copyingSink{s}
		}
	}
	return out
}
