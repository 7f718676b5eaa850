package junit

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// scanner is a small XML tokenizer for sanitised UTF-8 input. It returns
// the same tokens as encoding/xml's Decoder.RawToken with Strict off and
// HTML entities known, minus comments, processing instructions and
// directives, at several times its speed: it scans a large buffer with
// bytes.IndexByte instead of reading byte by byte, hands out character
// data without copying, and reuses the strings of the element and
// attribute names JUnit uses. Decoder stays the reference: the tests
// compare both on every fixture and under fuzzing.
type scanner struct {
	r      io.Reader
	buf    []byte
	pos    int // next unread byte in buf
	end    int // end of valid data in buf
	eof    bool
	rerr   error // read error other than io.EOF
	line   int   // newlines in data already dropped from buf
	text   []byte
	endTag bool // a self-closing tag's end element is due
	endNm  xml.Name
}

const (
	scanBuf    = 64 << 10
	maxTagSize = 16 << 20
)

func newScanner(r io.Reader) *scanner {
	return &scanner{r: r, buf: make([]byte, scanBuf)}
}

// fill reads more input, keeping buf[pos:end]. It reports whether any
// bytes were added.
func (s *scanner) fill() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 {
		s.line += bytes.Count(s.buf[:s.pos], []byte{'\n'})
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxTagSize {
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.eof = true
	s.rerr = io.ErrNoProgress
	return false
}

func (s *scanner) syntaxError(msg string) error {
	if s.rerr != nil {
		return s.rerr
	}
	line := s.line + 1 + bytes.Count(s.buf[:min(s.pos, s.end)], []byte{'\n'})
	return &xml.SyntaxError{Msg: msg, Line: line}
}

// RawToken returns the next token: xml.StartElement, xml.EndElement or
// xml.CharData (valid until the next call), or io.EOF at the end.
func (s *scanner) RawToken() (xml.Token, error) {
	if s.endTag {
		s.endTag = false
		return xml.EndElement{Name: s.endNm}, nil
	}
	for {
		if s.pos >= s.end && !s.fill() {
			if s.rerr != nil {
				return nil, s.rerr
			}
			return nil, io.EOF
		}
		if s.buf[s.pos] != '<' {
			return s.charData()
		}
		// Markup. Make sure the next few bytes are there to tell which.
		for s.end-s.pos < 9 && s.fill() {
		}
		rest := s.buf[s.pos:s.end]
		switch {
		case len(rest) < 2:
			return nil, s.syntaxError("unexpected EOF")
		case rest[1] == '/':
			return s.endElement()
		case rest[1] == '?':
			if err := s.skipPast("?>"); err != nil {
				return nil, err
			}
		case bytes.HasPrefix(rest, []byte("<!--")):
			if err := s.skipPast("-->"); err != nil {
				return nil, err
			}
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			return s.cdata()
		case rest[1] == '!':
			if err := s.skipDirective(); err != nil {
				return nil, err
			}
		default:
			return s.startElement()
		}
	}
}

// skipPast drops input up to and including marker.
func (s *scanner) skipPast(marker string) error {
	m := []byte(marker)
	from := s.pos + 2
	for {
		if i := bytes.Index(s.buf[min(from, s.end):s.end], m); i >= 0 {
			s.pos = min(from, s.end) + i + len(m)
			return nil
		}
		// Keep the tail that could be the start of the marker.
		keep := max(s.end-len(m)+1, s.pos)
		s.line += bytes.Count(s.buf[s.pos:keep], []byte{'\n'})
		s.pos = keep
		from = s.pos
		if !s.fill() {
			return s.syntaxError("unexpected EOF")
		}
		from = 0
	}
}

// skipDirective drops <!DOCTYPE ...> and the like, with nested brackets.
func (s *scanner) skipDirective() error {
	depth, quote := 0, byte(0)
	i := s.pos + 2
	for {
		for ; i < s.end; i++ {
			c := s.buf[i]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '<':
				depth++
			case c == '>':
				if depth == 0 {
					s.pos = i + 1
					return nil
				}
				depth--
			}
		}
		off := i - s.pos
		if !s.fill() {
			return s.syntaxError("unexpected EOF")
		}
		i = s.pos + off
	}
}

func (s *scanner) cdata() (xml.Token, error) {
	s.pos += len("<![CDATA[")
	s.text = s.text[:0]
	for {
		if i := bytes.Index(s.buf[s.pos:s.end], []byte("]]>")); i >= 0 {
			s.text = appendNewlines(s.text, s.buf[s.pos:s.pos+i])
			s.pos += i + 3
			return xml.CharData(s.text), nil
		}
		keep := max(s.end-2, s.pos)
		s.text = appendNewlines(s.text, s.buf[s.pos:keep])
		s.line += bytes.Count(s.buf[s.pos:keep], []byte{'\n'})
		s.pos = keep
		if !s.fill() {
			return nil, s.syntaxError("unexpected EOF in CDATA section")
		}
	}
}

// appendNewlines appends src with CR LF and lone CR turned into LF.
func appendNewlines(dst, src []byte) []byte {
	for {
		i := bytes.IndexByte(src, '\r')
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		dst = append(dst, '\n')
		src = src[i+1:]
		if len(src) > 0 && src[0] == '\n' {
			src = src[1:]
		}
	}
}

// charData returns the text up to the next '<'. Text longer than the
// buffer comes in several tokens, split where no entity or CR LF is cut.
func (s *scanner) charData() (xml.Token, error) {
	for {
		seg := s.buf[s.pos:s.end]
		i := bytes.IndexByte(seg, '<')
		if i < 0 && !s.eof && len(seg) < len(s.buf)/2 {
			if s.fill() {
				continue
			}
			seg = s.buf[s.pos:s.end]
		}
		cut := len(seg)
		if i >= 0 {
			cut = i
		} else if !s.eof {
			// Do not split an entity or a CR LF pair.
			if a := bytes.LastIndexByte(seg, '&'); a >= 0 && a > len(seg)-16 && bytes.IndexByte(seg[a:], ';') < 0 {
				cut = a
			}
			if cut > 0 && seg[cut-1] == '\r' {
				cut--
			}
			if cut == 0 {
				if !s.fill() {
					cut = len(s.buf[s.pos:s.end])
				}
				if cut == 0 {
					continue
				}
			}
		}
		seg = s.buf[s.pos : s.pos+cut]
		s.pos += cut
		if bytes.IndexByte(seg, '&') < 0 && bytes.IndexByte(seg, '\r') < 0 {
			return xml.CharData(seg), nil
		}
		s.text = decodeText(s.text[:0], seg)
		return xml.CharData(s.text), nil
	}
}

func (s *scanner) endElement() (xml.Token, error) {
	for {
		i := bytes.IndexByte(s.buf[s.pos:s.end], '>')
		if i >= 0 {
			raw := bytes.TrimRight(s.buf[s.pos+2:s.pos+i], " \t\r\n")
			s.pos += i + 1
			if len(raw) == 0 {
				return nil, s.syntaxError("expected element name after </")
			}
			return xml.EndElement{Name: splitName(raw)}, nil
		}
		if !s.fill() {
			return nil, s.syntaxError("unexpected EOF")
		}
	}
}

// tagEnd finds the '>' that closes the start tag at s.pos, outside quotes.
func (s *scanner) tagEnd() (int, error) {
	quote := byte(0)
	i := s.pos + 1
	for {
		for i < s.end {
			if quote == 0 {
				for i < s.end && s.buf[i] != '>' && s.buf[i] != '"' && s.buf[i] != '\'' {
					i++
				}
				if i == s.end {
					break
				}
				c := s.buf[i]
				if c == '>' {
					return i, nil
				}
				quote = c
				i++
				continue
			}
			j := bytes.IndexByte(s.buf[i:s.end], quote)
			if j < 0 {
				i = s.end
				break
			}
			i += j + 1
			quote = 0
		}
		off := i - s.pos
		if !s.fill() {
			if s.end-s.pos >= maxTagSize {
				return 0, s.syntaxError("start tag too long")
			}
			return 0, s.syntaxError("unexpected EOF")
		}
		i = s.pos + off
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) startElement() (xml.Token, error) {
	gt, err := s.tagEnd()
	if err != nil {
		return nil, err
	}
	tag := s.buf[s.pos+1 : gt]
	self := false
	if len(tag) > 0 && tag[len(tag)-1] == '/' {
		self = true
		tag = tag[:len(tag)-1]
	}
	n := 0
	for n < len(tag) && !isSpace(tag[n]) && tag[n] != '=' {
		n++
	}
	if n == 0 {
		return nil, s.syntaxError("expected element name after <")
	}
	start := xml.StartElement{Name: splitName(tag[:n])}
	attrs := make([]xml.Attr, 0, 6)
	p := tag[n:]
	for {
		for len(p) > 0 && isSpace(p[0]) {
			p = p[1:]
		}
		if len(p) == 0 {
			break
		}
		k := 0
		for k < len(p) && !isSpace(p[k]) && p[k] != '=' {
			k++
		}
		if k == 0 { // a stray '='
			p = p[1:]
			continue
		}
		name := p[:k]
		p = p[k:]
		for len(p) > 0 && isSpace(p[0]) {
			p = p[1:]
		}
		var val []byte
		decode := true
		switch {
		case len(p) == 0 || p[0] != '=':
			// Non-strict XML: an attribute without a value is its name.
			val, decode = name, false
		default:
			p = p[1:]
			for len(p) > 0 && isSpace(p[0]) {
				p = p[1:]
			}
			if len(p) > 0 && (p[0] == '"' || p[0] == '\'') {
				q := bytes.IndexByte(p[1:], p[0])
				if q < 0 {
					return nil, s.syntaxError("unclosed attribute value")
				}
				val = p[1 : 1+q]
				p = p[q+2:]
			} else {
				v := 0
				for v < len(p) && !isSpace(p[v]) {
					v++
				}
				val = p[:v]
				p = p[v:]
			}
		}
		a := xml.Attr{Name: splitName(name)}
		if decode && (bytes.IndexByte(val, '&') >= 0 || bytes.IndexByte(val, '\r') >= 0) {
			s.text = decodeText(s.text[:0], val)
			a.Value = string(s.text)
		} else {
			a.Value = internValue(val)
		}
		attrs = append(attrs, a)
	}
	start.Attr = attrs
	s.pos = gt + 1
	if self {
		s.endTag = true
		s.endNm = start.Name
	}
	return start, nil
}

func splitName(b []byte) xml.Name {
	if i := bytes.IndexByte(b, ':'); i >= 1 && i < len(b)-1 {
		return xml.Name{Space: string(b[:i]), Local: intern(b[i+1:])}
	}
	return xml.Name{Local: intern(b)}
}

// intern returns the names JUnit files repeat without allocating.
func intern(b []byte) string {
	switch string(b) {
	case "testcase":
		return "testcase"
	case "testsuite":
		return "testsuite"
	case "testsuites":
		return "testsuites"
	case "failure":
		return "failure"
	case "error":
		return "error"
	case "skipped":
		return "skipped"
	case "system-out":
		return "system-out"
	case "system-err":
		return "system-err"
	case "properties":
		return "properties"
	case "property":
		return "property"
	case "name":
		return "name"
	case "classname":
		return "classname"
	case "time":
		return "time"
	case "file":
		return "file"
	case "line":
		return "line"
	case "message":
		return "message"
	case "type":
		return "type"
	case "value":
		return "value"
	case "timestamp":
		return "timestamp"
	case "assertions":
		return "assertions"
	case "tests":
		return "tests"
	case "failures":
		return "failures"
	case "errors":
		return "errors"
	case "hostname":
		return "hostname"
	}
	return string(b)
}

// internValue avoids allocating the most common attribute values.
func internValue(b []byte) string {
	switch string(b) {
	case "":
		return ""
	case "0":
		return "0"
	case "Failed":
		return "Failed"
	}
	return string(b)
}

// decodeText appends src with entities decoded (unknown or malformed ones
// are kept as written, as encoding/xml does with Strict off) and newlines
// normalised.
func decodeText(dst, src []byte) []byte {
	for len(src) > 0 {
		i := bytes.IndexAny(src, "&\r")
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		src = src[i:]
		if src[0] == '\r' {
			dst = append(dst, '\n')
			src = src[1:]
			if len(src) > 0 && src[0] == '\n' {
				src = src[1:]
			}
			continue
		}
		semi := bytes.IndexByte(src[:min(len(src), 64)], ';')
		if semi < 2 {
			dst = append(dst, '&')
			src = src[1:]
			continue
		}
		ent := src[1:semi]
		if r, ok := entity(ent); ok {
			dst = append(dst, r...)
			src = src[semi+1:]
			continue
		}
		dst = append(dst, '&')
		src = src[1:]
	}
	return dst
}

func entity(ent []byte) (string, bool) {
	if ent[0] == '#' {
		var v uint64
		var err error
		if len(ent) > 1 && ent[1] == 'x' {
			v, err = strconv.ParseUint(string(ent[2:]), 16, 32)
		} else {
			v, err = strconv.ParseUint(string(ent[1:]), 10, 32)
		}
		if err != nil || len(ent) < 2 {
			return "", false
		}
		r := rune(v)
		if !(r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= utf8.MaxRune)) {
			return "", false
		}
		return string(r), true
	}
	switch string(ent) {
	case "lt":
		return "<", true
	case "gt":
		return ">", true
	case "amp":
		return "&", true
	case "apos":
		return "'", true
	case "quot":
		return "\"", true
	}
	if s, ok := xml.HTMLEntity[string(ent)]; ok {
		return s, true
	}
	return "", false
}
