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
