package junit

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	gojunit "github.com/joshdk/go-junit"
)

// ErrTruncated: the document ended inside an open element.
var ErrTruncated = errors.New("unexpected end of file")

// builder accumulates the suites of every file of one Parse call.
type builder struct {
	opts     Options
	suites   []suiteB
	top      []int
	files    []File
	warnings []string
	flaky    int

	// seen maps the identity of each kept failing test to where it is, so a
	// later run of the same test folds into it.
	seen map[string]testRef
	key  []byte

	cs      caseState
	scratch capBuf // suite-level system-out/err
}

type testRef struct{ suite, test int }

type suiteB struct {
	suite     gojunit.Suite
	parent    int
	children  []int
	own       gojunit.Totals // direct test cases only
	truncated []string
}

type result struct {
	present bool
	message string
	typ     string
	body    capBuf
}

func (r *result) reset(max int) {
	r.present = false
	r.message, r.typ = "", ""
	r.body.reset(max)
}

func (r *result) start(attrs []xml.Attr, max int) {
	if !r.present {
		r.reset(max)
		r.present = true
	} else if !r.body.empty() {
		r.body.writeString("\n\n")
	}
	for _, a := range attrs {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "message":
			if r.message == "" {
				r.message = a.Value
			}
		case "type":
			if r.typ == "" {
				r.typ = a.Value
			}
		}
	}
}

// caseState is the <testcase> being read. It is reused from one test case
// to the next so that passing tests cost no allocation of their own.
type caseState struct {
	active                bool
	suite                 int
	pytest                bool
	attrs                 []xml.Attr
	fail, err, skip       result
	rerun                 result // the first flaky or rerun element
	reruns, flakies       int
	out, errOut           capBuf
	rerunOut, rerunErr    capBuf
	props                 []xml.Attr
	nameAttr, classAttr   string
	fileAttr, lineAttr    string
	timeAttr              string
	sawRerunOut, sawRerun bool
}

func (c *caseState) reset(max int, attrs []xml.Attr) {
	c.active = true
	c.attrs = attrs
	c.fail.present, c.err.present, c.skip.present, c.rerun.present = false, false, false, false
	c.reruns, c.flakies = 0, 0
	c.out.reset(max)
	c.errOut.reset(max)
	c.rerunOut.reset(max)
	c.rerunErr.reset(max)
	c.props = c.props[:0]
	c.nameAttr, c.classAttr, c.fileAttr, c.lineAttr, c.timeAttr = "", "", "", "", ""
	c.sawRerunOut, c.sawRerun = false, false
	for _, a := range attrs {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "name":
			c.nameAttr = a.Value
		case "classname":
			c.classAttr = a.Value
		case "file":
			c.fileAttr = a.Value
		case "line":
			c.lineAttr = a.Value
		case "time":
			c.timeAttr = a.Value
		}
	}
}

func newBuilder(opts Options) *builder {
	return &builder{opts: opts}
}

type kind uint8

const (
	kOther kind = iota
	kSuites
	kSuite
	kCase
	kResult
	kRerun
	kText // captured text of an element with a known owner
	kSuiteProps
	kCaseProps
)

type frame struct {
	kind   kind
	name   string
	suite  int     // kSuite: index in builder.suites; kSuites: its orphan suite or -1
	text   *capBuf // where character data goes, or nil
	assign func()  // run at the end of the element
}

// tokenReader is what the parser reads tokens from: the scanner, or
// encoding/xml's Decoder, which the tests use as the reference.
type tokenReader interface {
	RawToken() (xml.Token, error)
}

type fileParser struct {
	b       *builder
	file    *File
	stack   []frame
	root    string
	found   bool // a <testsuite> or <testsuites> was seen
	orphans int  // <testcase> elements outside any suite
	nested  bool // <testsuites> inside <testsuites>
	sniff   sniffer
}

func (b *builder) parseFile(r io.Reader, name string) {
	b.files = append(b.files, File{Name: name})
	fi := len(b.files) - 1
	lr := &limitReader{r: r, max: b.opts.MaxFileBytes}
	doc, note, err := documentReader(lr)
	if err != nil {
		b.files[fi].Err = fmt.Errorf("reading %s: %w", name, err)
		return
	}
	if note != "" {
		b.warnings = append(b.warnings, name+": "+note)
	}
	p := &fileParser{b: b, file: &File{Name: name}}
	err = p.run(doc)
	f := p.file
	f.Bytes = lr.n
	f.Dialect = p.sniff.dialect()
	var tooBig *TooLargeError
	switch {
	case errors.As(err, &tooBig):
		f.Err = fmt.Errorf("reading %s: %w", name, err)
	case err != nil && !p.found:
		f.Err = fmt.Errorf("parsing %s: %w: %v", name, ErrNotJUnit, err)
	case err != nil:
		f.Err = fmt.Errorf("parsing %s: %w", name, err)
	case !p.found && p.root == "":
		f.Err = fmt.Errorf("parsing %s: %w: no xml element", name, ErrNotJUnit)
	case !p.found:
		f.Err = fmt.Errorf("parsing %s: %w: root element <%s>", name, ErrNotJUnit, p.root)
	}
	if p.found && p.root != "testsuites" && p.root != "testsuite" {
		b.warnings = append(b.warnings, fmt.Sprintf("%s: root element <%s> is not <testsuites> or <testsuite>; GitLab shows no tests for it", name, p.root))
	}
	if p.orphans > 0 {
		b.warnings = append(b.warnings, fmt.Sprintf("%s: %d <testcase> elements outside any <testsuite> or <testsuites> were ignored", name, p.orphans))
	}
	if p.nested {
		b.warnings = append(b.warnings, name+": <testsuites> nested in <testsuites>; GitLab ignores the inner ones")
	}
	b.files[fi] = *f
}

func (p *fileParser) run(r io.Reader) error {
	var d tokenReader
	if p.b.opts.stdDecoder {
		xd := xml.NewDecoder(r)
		xd.Strict = false
		xd.Entity = xml.HTMLEntity
		xd.CharsetReader = passCharset
		d = xd
	} else {
		d = newScanner(r)
	}
	for {
		tok, err := d.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) {
				if len(p.stack) > 0 {
					err = fmt.Errorf("%w inside <%s>", ErrTruncated, p.stack[len(p.stack)-1].name)
				} else {
					err = nil
				}
			}
			if err != nil && p.b.cs.active {
				p.finishCase()
			}
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			p.start(t)
		case xml.EndElement:
			p.end(t.Name.Local)
		case xml.CharData:
			if n := len(p.stack); n > 0 && p.stack[n-1].text != nil {
				p.stack[n-1].text.write(t)
			}
		}
	}
}

// nearest returns the index in the stack of the innermost frame of kind k,
// or -1.
func (p *fileParser) nearest(k kind) int {
	for i := len(p.stack) - 1; i >= 0; i-- {
		if p.stack[i].kind == k {
			return i
		}
	}
	return -1
}

func (p *fileParser) push(f frame) { p.stack = append(p.stack, f) }

func (p *fileParser) start(t xml.StartElement) {
	b := p.b
	name := t.Name.Local
	max := b.opts.MaxBodyBytes
	if len(p.stack) == 0 && p.root == "" {
		p.root = name
	}
	var parent *frame
	if n := len(p.stack); n > 0 {
		parent = &p.stack[n-1]
	}
	cs := &b.cs
	if cs.active {
		// Inside a <testcase>.
		switch {
		case parent.kind == kCase:
			switch name {
			case "failure":
				cs.fail.start(t.Attr, max)
				p.sniff.onResult(t.Attr)
				p.push(frame{kind: kResult, name: name, text: &cs.fail.body})
				return
			case "error":
				cs.err.start(t.Attr, max)
				p.sniff.onResult(t.Attr)
				p.push(frame{kind: kResult, name: name, text: &cs.err.body})
				return
			case "skipped":
				cs.skip.start(t.Attr, max)
				p.push(frame{kind: kResult, name: name, text: &cs.skip.body})
				return
			case "flakyFailure", "flakyError", "rerunFailure", "rerunError":
				if name[0] == 'f' {
					cs.flakies++
				} else {
					cs.reruns++
				}
				p.sniff.rerun = true
				if cs.sawRerun {
					p.push(frame{kind: kRerun, name: name})
					return
				}
				cs.sawRerun = true
				cs.rerun.start(t.Attr, max)
				p.push(frame{kind: kRerun, name: name, text: &cs.rerun.body})
				return
			case "system-out":
				p.push(frame{kind: kText, name: name, text: &cs.out})
				return
			case "system-err":
				p.push(frame{kind: kText, name: name, text: &cs.errOut})
				return
			case "properties":
				p.push(frame{kind: kCaseProps, name: name})
				return
			}
		case parent.kind == kRerun:
			if parent.text == nil { // not the first rerun element
				p.push(frame{kind: kOther, name: name})
				return
			}
			switch name {
			case "system-out":
				p.push(frame{kind: kText, name: name, text: &cs.rerunOut})
				return
			case "system-err":
				p.push(frame{kind: kText, name: name, text: &cs.rerunErr})
				return
			case "stackTrace":
				p.sniff.stackTrace = true
				if cs.rerun.body.blank() {
					cs.rerun.body.reset(max)
				}
				p.push(frame{kind: kText, name: name, text: &cs.rerun.body})
				return
			}
		case parent.kind == kCaseProps && name == "property":
			if len(cs.props) < maxProperties {
				k, v := propertyOf(t.Attr)
				cs.props = append(cs.props, xml.Attr{Name: xml.Name{Local: k}, Value: v})
			}
			p.push(frame{kind: kOther, name: name})
			return
		}
		// Unknown elements inside a result keep adding their text to it.
		var text *capBuf
		if parent.kind == kResult || parent.kind == kRerun || (parent.kind == kOther && parent.text != nil) {
			text = parent.text
		}
		p.push(frame{kind: kOther, name: name, text: text})
		return
	}

	switch name {
	case "testsuites":
		p.found = true
		if p.nearest(kSuites) >= 0 {
			p.nested = true
		}
		p.sniff.onSuites(t.Attr, len(p.stack) == 0)
		p.push(frame{kind: kSuites, name: name, suite: -1})
		return
	case "testsuite":
		p.found = true
		p.file.Suites++
		idx := p.newSuite(t.Attr, nameAttr(t.Attr))
		p.sniff.onSuite(t.Attr, len(p.stack) == 0)
		p.push(frame{kind: kSuite, name: name, suite: idx})
		return
	case "testcase":
		p.file.Tests++
		si := p.suiteForCase()
		if si < 0 {
			p.orphans++
			p.push(frame{kind: kOther, name: name})
			return
		}
		cs.reset(max, t.Attr)
		cs.suite = si
		cs.pytest = p.sniff.pytest
		p.sniff.onCase(t.Attr)
		p.push(frame{kind: kCase, name: name})
		return
	}
	if parent != nil && parent.kind == kSuite {
		si := parent.suite
		switch name {
		case "properties":
			p.push(frame{kind: kSuiteProps, name: name, suite: si})
			return
		case "system-out", "system-err":
			b.scratch.reset(max)
			field := &b.suites[si].suite.SystemOut
			if name == "system-err" {
				field = &b.suites[si].suite.SystemErr
			}
			p.sniff.suiteOutput = true
			p.push(frame{kind: kText, name: name, text: &b.scratch, assign: func() {
				if b.scratch.truncated() {
					b.suites[si].truncated = append(b.suites[si].truncated, name)
				}
				*field += b.scratch.String()
			}})
			return
		}
	}
	if parent != nil && parent.kind == kSuiteProps && name == "property" {
		k, v := propertyOf(t.Attr)
		p.sniff.onProperty(k, v)
		s := &b.suites[parent.suite].suite
		if len(s.Properties) < maxProperties {
			if s.Properties == nil {
				s.Properties = map[string]string{}
			}
			s.Properties[PropertyPrefix+k] = v
		}
	}
	p.push(frame{kind: kOther, name: name})
}

func (p *fileParser) end(name string) {
	n := len(p.stack)
	if n == 0 {
		return
	}
	if p.stack[n-1].name != name {
		// A stray or mismatched end tag: close up to the matching element,
		// if any is open; otherwise ignore it.
		i := n - 1
		for i >= 0 && p.stack[i].name != name {
			i--
		}
		if i < 0 {
			return
		}
		for n-1 > i {
			p.pop()
			n--
		}
	}
	p.pop()
}

func (p *fileParser) pop() {
	f := p.stack[len(p.stack)-1]
	p.stack = p.stack[:len(p.stack)-1]
	if f.assign != nil {
		f.assign()
	}
	if f.kind == kCase {
		p.finishCase()
	}
}

func nameAttr(attrs []xml.Attr) string {
	for _, a := range attrs {
		if a.Name.Space == "" && a.Name.Local == "name" {
			return a.Value
		}
	}
	return ""
}

func propertyOf(attrs []xml.Attr) (name, value string) {
	for _, a := range attrs {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "name":
			name = a.Value
		case "value":
			value = a.Value
		}
	}
	return name, value
}

func attrKey(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// newSuite adds a suite under the innermost open suite (or at the top).
func (p *fileParser) newSuite(attrs []xml.Attr, name string) int {
	b := p.b
	parent := -1
	if i := p.nearest(kSuite); i >= 0 {
		parent = p.stack[i].suite
	}
	s := gojunit.Suite{Name: name}
	if len(attrs) > 0 || parent < 0 {
		s.Properties = make(map[string]string, len(attrs)+1)
	}
	for _, a := range attrs {
		s.Properties[attrKey(a.Name)] = a.Value
		if a.Name.Space == "" && a.Name.Local == "package" {
			s.Package = a.Value
		}
	}
	idx := len(b.suites)
	if parent < 0 {
		s.Properties[KeySource] = p.file.Name
		b.top = append(b.top, idx)
	} else {
		b.suites[parent].children = append(b.suites[parent].children, idx)
	}
	b.suites = append(b.suites, suiteB{suite: s, parent: parent})
	return idx
}

// suiteForCase returns the suite a new <testcase> belongs to: the innermost
// <testsuite>, or a suite made up for the innermost <testsuites> when the
// test case sits directly under it. -1 means the test case is outside any.
func (p *fileParser) suiteForCase() int {
	for i := len(p.stack) - 1; i >= 0; i-- {
		switch p.stack[i].kind {
		case kSuite:
			return p.stack[i].suite
		case kSuites:
			f := &p.stack[i]
			if f.suite < 0 {
				f.suite = p.newSuite(nil, p.sniff.suitesName)
				s := &p.b.suites[f.suite].suite
				if s.Properties == nil {
					// A <testsuites> inside a <testsuite> makes a nested
					// suite, which has no properties yet.
					s.Properties = map[string]string{}
				}
				s.Properties[KeyOrphans] = "true"
			}
			return f.suite
		}
	}
	return -1
}

func (p *fileParser) finishCase() {
	b := p.b
	cs := &b.cs
	cs.active = false
	status := gojunit.StatusPassed
	var res *result
	switch {
	case cs.fail.present:
		status, res = gojunit.StatusFailed, &cs.fail
	case cs.err.present:
		status, res = gojunit.StatusError, &cs.err
	case cs.skip.present:
		status, res = gojunit.StatusSkipped, &cs.skip
	}
	flaky := status == gojunit.StatusPassed && cs.flakies > 0
	attempts := 1 + cs.reruns + cs.flakies
	dur := parseDuration(cs.timeAttr)

	failing := status == gojunit.StatusFailed || status == gojunit.StatusError
	if len(b.seen) > 0 && status != gojunit.StatusSkipped {
		b.key = identity(b.key[:0], cs)
		if ref, ok := b.seen[string(b.key)]; ok {
			b.fold(ref, status, attempts, dur, res)
			return
		}
	}

	own := &b.suites[cs.suite].own
	own.Tests++
	own.Duration += dur
	switch status {
	case gojunit.StatusPassed:
		own.Passed++
		if flaky {
			b.flaky++
		}
	case gojunit.StatusFailed:
		own.Failed++
	case gojunit.StatusError:
		own.Error++
	case gojunit.StatusSkipped:
		own.Skipped++
	}
	keep := failing || flaky ||
		(status == gojunit.StatusSkipped && b.opts.KeepSkipped) ||
		(status == gojunit.StatusPassed && b.opts.KeepPassing)
	if !keep {
		return
	}
	t := gojunit.Test{
		Name:      cs.nameAttr,
		Classname: cs.classAttr,
		Duration:  dur,
		Status:    status,
		SystemOut: cs.out.String(),
		SystemErr: cs.errOut.String(),
	}
	props := make(map[string]string, len(cs.attrs)+len(cs.props)+2)
	for _, a := range cs.attrs {
		props[attrKey(a.Name)] = a.Value
	}
	if line, err := strconv.Atoi(strings.TrimSpace(cs.lineAttr)); err == nil && line >= 0 {
		if cs.pytest {
			line++
		}
		if line > 0 {
			props[KeyLine] = strconv.Itoa(line)
		}
	}
	if attempts > 1 {
		props[KeyAttempts] = strconv.Itoa(attempts)
	}
	if flaky {
		props[KeyFlaky] = "true"
	}
	for _, a := range cs.props {
		props[PropertyPrefix+a.Name.Local] = a.Value
	}
	var truncated []string
	switch {
	case res != nil:
		t.Message = res.message
		if res.body.truncated() {
			truncated = append(truncated, "body")
		}
		t.Error = gojunit.Error{Message: res.message, Type: res.typ, Body: res.body.String()}
	case cs.rerun.present:
		t.Message = cs.rerun.message
		if cs.rerun.body.truncated() {
			truncated = append(truncated, "body")
		}
		t.Error = gojunit.Error{Message: cs.rerun.message, Type: cs.rerun.typ, Body: trimBlankLines(cs.rerun.body.String())}
	}
	if cs.rerun.present {
		if s := trimBlankLines(cs.rerunOut.String()); s != "" {
			props[KeyRerunSystemOut] = s
		}
		if s := trimBlankLines(cs.rerunErr.String()); s != "" {
			props[KeyRerunSystemErr] = s
		}
	}
	if cs.out.truncated() {
		truncated = append(truncated, "system-out")
	}
	if cs.errOut.truncated() {
		truncated = append(truncated, "system-err")
	}
	if len(truncated) > 0 {
		props[KeyTruncated] = strings.Join(truncated, ",")
	}
	t.Properties = props
	s := &b.suites[cs.suite].suite
	s.Tests = append(s.Tests, t)
	if failing {
		if b.seen == nil {
			b.seen = map[string]testRef{}
		}
		b.key = identity(b.key[:0], cs)
		b.seen[string(b.key)] = testRef{suite: cs.suite, test: len(s.Tests) - 1}
	}
}

// identity is what makes two test cases the same test: classname, name and
// file, never the suite (suite names carry timestamps and shard numbers).
func identity(dst []byte, cs *caseState) []byte {
	dst = append(dst, cs.classAttr...)
	dst = append(dst, 0)
	dst = append(dst, cs.nameAttr...)
	dst = append(dst, 0)
	return append(dst, cs.fileAttr...)
}

// fold merges a later run of a kept failing test into it: a pass makes it
// flaky, another failure adds attempts.
func (b *builder) fold(ref testRef, status gojunit.Status, attempts int, dur time.Duration, res *result) {
	sb := &b.suites[ref.suite]
	t := &sb.suite.Tests[ref.test]
	prev, err := strconv.Atoi(t.Properties[KeyAttempts])
	if err != nil || prev < 1 {
		prev = 1
	}
	t.Properties[KeyAttempts] = strconv.Itoa(prev + attempts)
	t.Duration += dur
	sb.own.Duration += dur
	if t.Properties[KeyFlaky] == "true" {
		return
	}
	switch status {
	case gojunit.StatusPassed:
		if t.Status == gojunit.StatusFailed {
			sb.own.Failed--
		} else {
			sb.own.Error--
		}
		sb.own.Passed++
		t.Status = gojunit.StatusPassed
		t.Properties[KeyFlaky] = "true"
		b.flaky++
	case gojunit.StatusFailed:
		if t.Status == gojunit.StatusError && res != nil {
			sb.own.Error--
			sb.own.Failed++
			t.Status = gojunit.StatusFailed
			t.Message = res.message
			t.Error = gojunit.Error{Message: res.message, Type: res.typ, Body: res.body.String()}
		}
	}
}

func trimBlankLines(s string) string {
	s = strings.TrimRight(s, " \t\r\n")
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || strings.TrimSpace(s[:i]) != "" {
			return s
		}
		s = s[i+1:]
	}
}

// finish assembles the suite tree and the totals.
func (b *builder) finish() *Report {
	rep := &Report{Files: b.files, Warnings: b.warnings, Flaky: b.flaky}
	var build func(i int) gojunit.Suite
	build = func(i int) gojunit.Suite {
		sb := &b.suites[i]
		s := sb.suite
		tot := sb.own
		for _, c := range sb.children {
			child := build(c)
			s.Suites = append(s.Suites, child)
			addTotals(&tot, child.Totals)
		}
		s.Totals = tot
		if len(sb.truncated) > 0 {
			if s.Properties == nil {
				s.Properties = map[string]string{}
			}
			s.Properties[KeyTruncated] = strings.Join(sb.truncated, ",")
		}
		return s
	}
	for _, i := range b.top {
		s := build(i)
		addTotals(&rep.Totals, s.Totals)
		rep.Suites = append(rep.Suites, s)
	}
	for _, f := range b.files {
		switch {
		case f.Dialect == "":
		case rep.Dialect == "":
			rep.Dialect = f.Dialect
		case rep.Dialect != f.Dialect:
			rep.Dialect = DialectMixed
		}
	}
	return rep
}

func addTotals(dst *gojunit.Totals, t gojunit.Totals) {
	dst.Tests += t.Tests
	dst.Passed += t.Passed
	dst.Skipped += t.Skipped
	dst.Failed += t.Failed
	dst.Error += t.Error
	dst.Duration += t.Duration
}
