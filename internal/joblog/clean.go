package joblog

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf8"
)

// markerKind tells which kind of collapsible-section marker was cut out of a
// line.
type markerKind uint8

const (
	markSectionStart markerKind = iota + 1 // GitLab section_start
	markSectionEnd                         // GitLab section_end
	markFoldStart                          // Travis CI travis_fold:start
	markFoldEnd                            // Travis CI travis_fold:end
)

// marker is one section marker found in a raw line. name is only valid until
// the next line is cleaned.
type marker struct {
	kind markerKind
	ts   int64 // Unix seconds for GitLab markers, 0 otherwise
	name []byte
}

// cleaner turns raw log lines into display text. It keeps its buffers from
// line to line so that cleaning allocates nothing in the steady state.
type cleaner struct {
	out     []byte
	markers []marker
	// plain tells that the last line cleaned needed no change but the
	// removal of a final '\r': its text is a prefix of the raw line.
	plain bool
}

// CleanLine returns one raw line as GitLab's log viewer shows it: section
// markers cut out, '\r' redraws resolved (the text after the last '\r' that
// leaves something visible), ANSI and every other terminal control sequence
// removed, invalid UTF-8 replaced by U+FFFD. A trailing "\n" or "\r\n" is
// ignored. The result is safe to print on a terminal.
func CleanLine(raw []byte) string {
	raw = bytes.TrimSuffix(raw, []byte{'\n'})
	var c cleaner
	return string(c.clean(raw))
}

// cleanPlain is clean for a line known to hold only printable ASCII and
// tabs.
func (c *cleaner) cleanPlain(raw []byte) []byte {
	c.markers = c.markers[:0]
	c.plain = false
	if len(raw) >= 8 && raw[0] == 's' && bytes.HasPrefix(raw, sectionPrefix) {
		// The form with '\r' stored as '\n': the marker ends the line.
		if end, ok := c.parseMarker(raw, 0); ok && end == len(raw) {
			return raw[:0]
		}
	}
	c.plain = true
	return raw
}

// clean returns the display text of raw (a line without its '\n'). The
// result aliases the cleaner's buffer and is valid until the next call;
// the markers found are in c.markers.
func (c *cleaner) clean(raw []byte) []byte {
	c.markers = c.markers[:0]
	c.plain = false
	if n := len(raw); n > 0 && raw[n-1] == '\r' {
		raw = raw[:n-1]
	}
	if isPlain(raw) {
		return c.cleanPlain(raw)
	}
	return c.cleanOther(raw)
}

// cleanOther is clean for a line without a final '\r' that is known not
// to be plain.
func (c *cleaner) cleanOther(raw []byte) []byte {
	if haveGramMasks {
		return c.cleanFast(raw)
	}
	return c.cleanOtherIn(raw)
}

// cleanFast is cleanOther with stripColours, which copies plain text and
// runes, drops colour sequences and follows '\r' segments many bytes at a
// time. It stops at a '_' that may end a marker's "section_" or "travis_"
// (the bytes before it, written as they are, are the last written), and
// at the bytes it leaves to special.
func (c *cleaner) cleanFast(raw []byte) []byte {
	c.markers = c.markers[:0]
	c.plain = false
	out := c.out[:0]
	var seg segments
	run := 0 // raw[run:i] was written to out as it is
	for i := 0; i < len(raw); {
		out = slices.Grow(out, len(raw)-i+32)
		dst := out[len(out):cap(out)]
		w, r, plain := stripColours(&dst[0], &raw[i], len(raw)-i, cap(raw)-i, &seg, len(out), run-i)
		out, run = out[:len(out)+w], i+plain
		if i += r; i == len(raw) {
			break
		}
		if raw[i] != '_' {
			out, i = special(raw, i, out, &seg)
			run = i
			continue
		}
		if p, end := c.markerBefore(raw, run, i); end > 0 {
			out = out[:len(out)-(i-p)]
			i, run = end, end
			continue
		}
		out = append(out, '_')
		i++
	}
	return seg.text(c, out)
}

// markerBefore records the section marker whose "section_" or "travis_"
// ends at raw[u], the '_', and starts at run or after, and returns where it
// starts and the index after it; end is 0 when there is none.
func (c *cleaner) markerBefore(raw []byte, run, u int) (p, end int) {
	for _, p := range [2]int{u - 7, u - 6} {
		if p >= run && (raw[p] == 's' || raw[p] == 't') {
			if end, ok := c.parseMarker(raw, p); ok {
				return p, end
			}
		}
	}
	return 0, 0
}

// packLUT holds, for each mask of 8 bits, the byte shuffle that moves the
// bytes whose bits are set to the front, in order: stripColours packs the
// text between colour sequences with it.
var packLUT = func() (t [256]uint64) {
	for m := range 256 {
		k := 0
		for i := range 8 {
			if m>>i&1 != 0 {
				t[m] |= uint64(i) << (8 * k)
				k++
			}
		}
		for ; k < 8; k++ {
			t[m] |= 0x80 << (8 * k)
		}
	}
	return t
}()

// cleanOtherIn is cleanOther without stripColours, in Go: each run of
// plain text is found by reading it.
func (c *cleaner) cleanOtherIn(raw []byte) []byte {
	c.markers = c.markers[:0]
	c.plain = false
	out := c.out[:0]
	var seg segments
	under := -1 // the first '_' from i on (len(raw): none), once looked for
	for i := 0; i < len(raw); {
		j := i // an escape is not plain: no need to look
		if raw[i] != 0x1b {
			j = plainEnd(raw, i)
		}
		if j > i {
			// A run of printable ASCII is copied at once, up to the
			// section markers in it: a marker name is printable, so a
			// marker that starts in the run has its "section_" or
			// "travis_" in the run. Most runs hold no '_' at all.
			if under < i {
				if under = bytes.IndexByte(raw[i:], '_'); under < 0 {
					under = len(raw)
				} else {
					under += i
				}
			}
			if under < j {
				p, end := c.markerIn(raw, i, j)
				out = append(out, raw[i:p]...)
				i = end
				continue
			}
			out = append(out, raw[i:j]...)
			i = j
			if i == len(raw) {
				break
			}
			// raw[i] ends the run: it is not plain.
		}
		out, i = special(raw, i, out, &seg)
	}
	return seg.text(c, out)
}

// segments follows the '\r' segments of a line's display text in the
// cleaner's buffer. stripColours updates it too: its layout is fixed.
type segments struct {
	start              int // start of the current segment
	keepStart, keepEnd int // the last segment with visible text
}

// end ends the segment at off, the length of the text written: the
// segment is kept when it holds something.
func (s *segments) end(off int) {
	if off > s.start {
		s.keepStart, s.keepEnd = s.start, off
	}
	s.start = off
}

// text stores out as the cleaner's buffer and returns the line's display
// text: its last segment with visible text.
func (s *segments) text(c *cleaner, out []byte) []byte {
	c.out = out
	if len(out) > s.start {
		return out[s.start:]
	}
	return out[s.keepStart:s.keepEnd]
}

// special handles raw[i], a byte that is not printable ASCII: a '\r', an
// escape sequence, a tab, another control, a rune past ASCII or invalid
// UTF-8. It appends what it shows to out and returns out and the index
// after what it handled.
func special(raw []byte, i int, out []byte, seg *segments) ([]byte, int) {
	switch b := raw[i]; {
	case b == '\r':
		seg.end(len(out))
		return out, i + 1
	case b == 0x1b:
		// Most escapes are colours: ESC [, digits and ';', a final
		// byte. Any other goes through skipEscape.
		k := i + 2
		if k <= len(raw) && raw[i+1] == '[' {
			for k < len(raw) && (raw[k]-'0' < 10 || raw[k] == ';') {
				k++
			}
			if k < len(raw) && raw[k] >= 0x40 && raw[k] <= 0x7e {
				return out, k + 1
			}
		}
		return out, skipEscape(raw, i)
	case b == '\t':
		return append(out, b), i + 1
	case b < 0x20 || b == 0x7f:
		return out, i + 1 // other C0 controls and DEL
	}
	r, size := utf8.DecodeRune(raw[i:])
	switch {
	case r == utf8.RuneError && size <= 1:
		out = append(out, "\uFFFD"...)
	case r == 0x9b: // C1 CSI: skip its parameters like ESC [
		return out, skipCSI(raw, i+size)
	case r >= 0x80 && r < 0xa0:
		// C1 controls: dropped
	case isBidiControl(r):
		// bidirectional overrides could disguise the text: dropped
	default:
		out = append(out, raw[i:i+size]...)
	}
	return out, i + size
}

// minMarker is the length of the shortest marker parseMarker accepts,
// without its '\r': "travis_time:" and a one-byte name.
const minMarker = 13

var (
	sectionPrefix = []byte("section_")
	travisPrefix  = []byte("travis_")
)

// markerIn finds the first section marker that starts in the printable run
// raw[i:j] and records it. It returns where the marker starts and the index
// after it, or j, j when there is none.
func (c *cleaner) markerIn(raw []byte, i, j int) (int, int) {
	if j-i < minMarker {
		// A marker is printable up to its end or its '\r': one that
		// starts in the run ends in it.
		return j, j
	}
	for k := i; k < j; {
		u := bytes.IndexByte(raw[k:j], '_')
		if u < 0 {
			break
		}
		u += k
		// "section_" and "travis_" put their '_' 7 and 6 bytes after the
		// start.
		for _, p := range [2]int{u - 7, u - 6} {
			if p >= i && (raw[p] == 's' || raw[p] == 't') {
				if end, ok := c.parseMarker(raw, p); ok {
					return p, end
				}
			}
		}
		k = u + 1
	}
	return j, j
}

const ones8, highs8 = 0x0101010101010101, 0x8080808080808080

// notPrintable8 sets the high bit of each byte of x that is not printable
// ASCII (below 0x20, DEL, or 0x80 and above) and clears the other bits.
// Each lane is computed on its low 7 bits, so no carry crosses lanes.
func notPrintable8(x uint64) uint64 {
	low7 := x &^ highs8
	return (x | (low7 + ones8) | ^(low7 + (0x80-0x20)*ones8)) & highs8
}

// isPlain reports whether raw holds only printable ASCII and tabs, and so
// displays as itself. It looks at 16 bytes at a time.
func isPlain(raw []byte) bool {
	i := 0
	for ; i+16 <= len(raw); i += 16 {
		x, y := binary.LittleEndian.Uint64(raw[i:]), binary.LittleEndian.Uint64(raw[i+8:])
		if notPrintable8(x)|notPrintable8(y) != 0 {
			return plainFrom(raw, i)
		}
	}
	if i+8 <= len(raw) {
		if notPrintable8(binary.LittleEndian.Uint64(raw[i:])) != 0 {
			return plainFrom(raw, i)
		}
		i += 8
	}
	if n := len(raw); i < n && n >= 8 {
		// The last bytes, from a load that overlaps the bytes already
		// read.
		if notPrintable8(binary.LittleEndian.Uint64(raw[n-8:])) == 0 {
			return true
		}
	}
	return plainFrom(raw, i)
}

// plainEnd returns the end of the run of printable ASCII that starts at
// raw[i] (i itself when raw[i] is not printable).
func plainEnd(raw []byte, i int) int {
	for ; i+8 <= len(raw); i += 8 {
		if v := notPrintable8(binary.LittleEndian.Uint64(raw[i:])); v != 0 {
			return i + bits.TrailingZeros64(v)/8
		}
	}
	for i < len(raw) && raw[i] >= 0x20 && raw[i] < 0x7f {
		i++
	}
	return i
}

// plainFrom is isPlain byte by byte from raw[i:].
func plainFrom(raw []byte, i int) bool {
	for _, b := range raw[i:] {
		if b < 0x20 && b != '\t' || b >= 0x7f {
			return false
		}
	}
	return true
}

func isBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

// skipEscape skips the escape sequence that starts at raw[i] (an ESC byte)
// and returns the index after it.
func skipEscape(raw []byte, i int) int {
	i++
	if i >= len(raw) {
		return i
	}
	switch b := raw[i]; {
	case b == '[':
		return skipCSI(raw, i+1)
	case b == ']' || b == 'P' || b == 'X' || b == '^' || b == '_':
		// OSC, DCS, SOS, PM, APC: a string ended by BEL or ST (ESC \).
		for i++; i < len(raw); i++ {
			if raw[i] == 0x07 {
				return i + 1
			}
			if raw[i] == 0x1b {
				if i+1 < len(raw) && raw[i+1] == '\\' {
					return i + 2
				}
				return i
			}
		}
		return i
	case b >= 0x20 && b <= 0x2f:
		// ESC with intermediates, e.g. ESC ( B: skip to the final byte.
		for i < len(raw) && raw[i] >= 0x20 && raw[i] <= 0x2f {
			i++
		}
		if i < len(raw) && raw[i] >= 0x30 && raw[i] <= 0x7e {
			i++
		}
		return i
	case b >= 0x30 && b <= 0x7e:
		return i + 1
	}
	return i
}

// skipCSI skips the parameters, intermediates and final byte of a control
// sequence whose introducer ends just before raw[i].
func skipCSI(raw []byte, i int) int {
	for i < len(raw) && raw[i] >= 0x30 && raw[i] <= 0x3f {
		i++
	}
	for i < len(raw) && raw[i] >= 0x20 && raw[i] <= 0x2f {
		i++
	}
	if i < len(raw) && raw[i] >= 0x40 && raw[i] <= 0x7e {
		i++
	}
	return i
}

// parseMarker recognises a section marker at raw[i:] and records it. It
// accepts GitLab's section_start/section_end markers and Travis CI's
// travis_fold/travis_time markers, ended by "\r\x1b[0K", by "\r" or by the
// end of the line (logs whose '\r' was stored as '\n'). It returns the index
// after the marker.
func (c *cleaner) parseMarker(raw []byte, i int) (int, bool) {
	rest := raw[i:]
	var kind markerKind
	var j int
	switch {
	case bytes.HasPrefix(rest, sectionPrefix):
		switch {
		case bytes.HasPrefix(rest[8:], []byte("start:")):
			kind, j = markSectionStart, 14
		case bytes.HasPrefix(rest[8:], []byte("end:")):
			kind, j = markSectionEnd, 12
		default:
			return 0, false
		}
	case bytes.HasPrefix(rest, travisPrefix):
		switch {
		case bytes.HasPrefix(rest[7:], []byte("fold:start:")):
			kind, j = markFoldStart, 18
		case bytes.HasPrefix(rest[7:], []byte("fold:end:")):
			kind, j = markFoldEnd, 16
		case bytes.HasPrefix(rest[7:], []byte("time:")):
			j = 12
		default:
			return 0, false
		}
	default:
		return 0, false
	}
	var ts int64
	if kind == markSectionStart || kind == markSectionEnd {
		k := j
		for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' && k-j < 19 {
			ts = ts*10 + int64(rest[k]-'0')
			k++
		}
		if k == j || k >= len(rest) || rest[k] != ':' {
			return 0, false
		}
		j = k + 1
	}
	nameStart := j
	class := byte(nameByte)
	if kind == 0 {
		class |= timeByte
	}
	for j < len(rest) && nameBytes[rest[j]]&class != 0 {
		j++
	}
	if j == nameStart {
		return 0, false
	}
	name := rest[nameStart:j]
	if j < len(rest) && rest[j] == '[' && (kind == markSectionStart || kind == markSectionEnd) {
		k := bytes.IndexByte(rest[j:], ']')
		if k < 0 {
			return 0, false
		}
		j += k + 1
	}
	switch {
	case j == len(rest):
	case rest[j] == '\r':
		j++
		if bytes.HasPrefix(rest[j:], []byte("\x1b[0K")) {
			j += 4
		}
	default:
		return 0, false
	}
	if kind != 0 {
		c.markers = append(c.markers, marker{kind: kind, ts: ts, name: name})
	}
	return i + j, true
}

// nameBytes classes the bytes a marker's name may hold: nameByte for a
// section name ([A-Za-z0-9_.-]), timeByte for the other bytes of a Travis
// time marker's (':', '=' and ',').
var nameBytes = func() (t [256]byte) {
	for b := range 256 {
		switch c := byte(b); {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '.', c == '-':
			t[b] = nameByte
		case c == ':' || c == '=' || c == ',':
			t[b] = timeByte
		}
	}
	return t
}()

const (
	nameByte = 1 << iota
	timeByte
)
