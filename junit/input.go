package junit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// limitReader fails with a *TooLargeError once more than max bytes were read.
type limitReader struct {
	r   io.Reader
	max int64 // <= 0: no limit
	n   int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.max > 0 && l.n >= l.max {
		// Probe for one more byte: a file of exactly max bytes is fine.
		var one [1]byte
		k, err := l.r.Read(one[:])
		if k > 0 {
			return 0, &TooLargeError{Limit: l.max}
		}
		return 0, err
	}
	if l.max > 0 && int64(len(p)) > l.max-l.n {
		p = p[:l.max-l.n]
	}
	k, err := l.r.Read(p)
	l.n += int64(k)
	return k, err
}

// TooLargeError is returned when a file is larger than Options.MaxFileBytes.
// The report still holds what was parsed before the limit.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("file larger than %d bytes", e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// documentReader turns the bytes of one file into clean UTF-8 for
// encoding/xml: it strips a UTF-8 BOM, decodes UTF-16 with a BOM and the
// single-byte charsets named in the XML declaration, and then sanitises
// (see sanitizer). It returns a note when the declared encoding is unknown.
func documentReader(r io.Reader) (io.Reader, string, error) {
	br := bufio.NewReaderSize(r, 32<<10)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		if len(head) == 0 {
			return nil, "", err
		}
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
		return newSanitizer(br), "", nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		_, _ = br.Discard(2)
		return newSanitizer(&utf16Reader{r: br, little: true}), "", nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		_, _ = br.Discard(2)
		return newSanitizer(&utf16Reader{r: br}), "", nil
	}
	label := declaredEncoding(head)
	var note string
	var src io.Reader = br
	switch normaliseLabel(label) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
	case "iso-8859-1", "latin1", "l1", "iso8859-1", "iso_8859-1", "cp819", "ibm819", "iso-ir-100":
		src = &byteMapReader{r: br, table: &latin1Table}
	case "windows-1252", "cp1252", "x-cp1252":
		src = &byteMapReader{r: br, table: &cp1252Table}
	case "iso-8859-15", "latin9", "latin-9", "iso8859-15", "iso_8859-15":
		src = &byteMapReader{r: br, table: &latin9Table}
	default:
		note = fmt.Sprintf("encoding %q is not supported: read as UTF-8", label)
	}
	return newSanitizer(src), note, nil
}

func normaliseLabel(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// declaredEncoding returns the encoding named in a leading <?xml ...?>
// declaration, or "".
func declaredEncoding(head []byte) string {
	head = bytes.TrimLeft(head, " \t\r\n")
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := head[:end]
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	j := bytes.IndexByte(rest[1:], q)
	if j < 0 {
		return ""
	}
	return string(rest[1 : 1+j])
}

// passCharset is the decoder's CharsetReader: documentReader has already
// turned every input into UTF-8, so a declared charset needs no more work.
func passCharset(_ string, r io.Reader) (io.Reader, error) { return r, nil }

// byteMapReader decodes a single-byte charset into UTF-8.
type byteMapReader struct {
	r     io.Reader
	table *[128]rune // runes for bytes 0x80-0xFF
	in    []byte
	out   []byte
	err   error
}

func (b *byteMapReader) Read(p []byte) (int, error) {
	for len(b.out) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		if b.in == nil {
			b.in = make([]byte, 16<<10)
		}
		n, err := b.r.Read(b.in)
		b.err = err
		b.out = b.out[:0]
		for _, c := range b.in[:n] {
			if c < 0x80 {
				b.out = append(b.out, c)
			} else {
				b.out = utf8.AppendRune(b.out, b.table[c-0x80])
			}
		}
	}
	n := copy(p, b.out)
	b.out = b.out[n:]
	return n, nil
}

var latin1Table, cp1252Table, latin9Table [128]rune

func init() {
	for i := range latin1Table {
		latin1Table[i] = rune(0x80 + i)
	}
	cp1252Table = latin1Table
	for i, r := range []rune{
		0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
		0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
	} {
		cp1252Table[i] = r
	}
	latin9Table = latin1Table
	for b, r := range map[byte]rune{0xA4: 0x20AC, 0xA6: 0x0160, 0xA8: 0x0161, 0xB4: 0x017D, 0xB8: 0x017E, 0xBC: 0x0152, 0xBD: 0x0153, 0xBE: 0x0178} {
		latin9Table[b-0x80] = r
	}
}

// utf16Reader decodes UTF-16 (after its BOM) into UTF-8.
type utf16Reader struct {
	r      io.Reader
	little bool
	in     []byte
	carry  []byte
	out    []byte
	hi     uint16 // pending high surrogate
	err    error
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.err != nil {
			if u.hi != 0 {
				u.hi = 0
				u.out = utf8.AppendRune(u.out[:0], utf8.RuneError)
				break
			}
			return 0, u.err
		}
		if u.in == nil {
			u.in = make([]byte, 16<<10)
		}
		n, err := u.r.Read(u.in)
		u.err = err
		buf := append(u.carry, u.in[:n]...)
		u.out = u.out[:0]
		i := 0
		for ; i+1 < len(buf); i += 2 {
			var v uint16
			if u.little {
				v = uint16(buf[i]) | uint16(buf[i+1])<<8
			} else {
				v = uint16(buf[i])<<8 | uint16(buf[i+1])
			}
			switch {
			case u.hi != 0 && v >= 0xDC00 && v <= 0xDFFF:
				u.out = utf8.AppendRune(u.out, utf16.DecodeRune(rune(u.hi), rune(v)))
				u.hi = 0
			case v >= 0xD800 && v <= 0xDBFF:
				if u.hi != 0 {
					u.out = utf8.AppendRune(u.out, utf8.RuneError)
				}
				u.hi = v
			default:
				if u.hi != 0 {
					u.out = utf8.AppendRune(u.out, utf8.RuneError)
					u.hi = 0
				}
				if v >= 0xDC00 && v <= 0xDFFF {
					v = utf8.RuneError
				}
				u.out = utf8.AppendRune(u.out, rune(v))
			}
		}
		u.carry = append(u.carry[:0], buf[i:]...)
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

// sanitizer passes UTF-8 through and repairs what encoding/xml would reject:
// C0 control characters other than tab, LF and CR, invalid UTF-8, the
// non-characters U+FFFE and U+FFFF, and character references to any of
// those (&#27; &#x1b;). Each becomes U+FFFD. Several tools write raw ANSI
// escapes into reports; go-junit and libxml2 both refuse such files.
type sanitizer struct {
	r     io.Reader
	in    []byte // unprocessed input; may hold an incomplete sequence
	out   []byte
	outAt int
	err   error
}

const sanitizeChunk = 32 << 10

func newSanitizer(r io.Reader) *sanitizer {
	return &sanitizer{r: r, in: make([]byte, 0, sanitizeChunk+16), out: make([]byte, 0, sanitizeChunk+sanitizeChunk/2)}
}

var replacement = []byte("\uFFFD")

func (s *sanitizer) Read(p []byte) (int, error) {
	for s.outAt == len(s.out) {
		if s.err != nil && len(s.in) == 0 {
			return 0, s.err
		}
		s.out = s.out[:0]
		s.outAt = 0
		if s.err == nil {
			n, err := s.r.Read(s.in[len(s.in):cap(s.in)])
			s.in = s.in[:len(s.in)+n]
			s.err = err
		}
		used := s.process(s.in, s.err != nil)
		s.in = s.in[:copy(s.in, s.in[used:])]
	}
	n := copy(p, s.out[s.outAt:])
	s.outAt += n
	return n, nil
}

// process appends the cleaned form of in to s.out and returns how many bytes
// of in it consumed. Without final, it stops before a sequence that may
// continue in the next chunk.
func (s *sanitizer) process(in []byte, final bool) int {
	i, start := 0, 0
	for i < len(in) {
		c := in[i]
		switch {
		case c >= 0x20 && c < 0x80 && c != '&', c == '\t', c == '\n', c == '\r':
			i++
		case c == '&':
			n, bad, complete := charRef(in[i:])
			if !complete && !final {
				s.out = append(s.out, in[start:i]...)
				return i
			}
			if bad {
				s.out = append(s.out, in[start:i]...)
				s.out = append(s.out, replacement...)
				i += n
				start = i
			} else {
				i++
			}
		case c < 0x20:
			s.out = append(s.out, in[start:i]...)
			s.out = append(s.out, replacement...)
			i++
			start = i
		default:
			if !final && !utf8.FullRune(in[i:]) {
				s.out = append(s.out, in[start:i]...)
				return i
			}
			r, size := utf8.DecodeRune(in[i:])
			if (r == utf8.RuneError && size == 1) || r == 0xFFFE || r == 0xFFFF {
				s.out = append(s.out, in[start:i]...)
				s.out = append(s.out, replacement...)
				i += size
				start = i
				continue
			}
			i += size
		}
	}
	s.out = append(s.out, in[start:]...)
	return len(in)
}

// charRef looks at b, which starts with '&'. It reports the length of a
// numeric character reference there, whether it names a character XML does
// not allow, and whether b held enough bytes to tell.
func charRef(b []byte) (n int, bad, complete bool) {
	const maxRef = 12 // &#x10FFFF; plus slack for leading zeros
	if len(b) < 2 {
		return 0, false, false
	}
	if b[1] != '#' {
		return 0, false, true
	}
	end := bytes.IndexByte(b[:min(len(b), maxRef)], ';')
	if end < 0 {
		return 0, false, len(b) >= maxRef
	}
	digits := b[2:end]
	base := 10
	if len(digits) > 0 && (digits[0] == 'x' || digits[0] == 'X') {
		base = 16
		digits = digits[1:]
	}
	v, err := strconv.ParseUint(string(digits), base, 32)
	if err != nil {
		return 0, false, true
	}
	r := rune(v)
	ok := r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
	return end + 1, !ok, true
}
