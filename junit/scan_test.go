package junit

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// tokens lists the element and text tokens of a document as text, with
// adjacent character data merged, the way the parser sees them.
func tokens(next func() (xml.Token, error)) (string, error) {
	var b strings.Builder
	var text []byte
	flush := func() {
		if len(text) > 0 {
			fmt.Fprintf(&b, "text %q\n", text)
			text = text[:0]
		}
	}
	for {
		tok, err := next()
		if err != nil {
			flush()
			if errors.Is(err, io.EOF) {
				return b.String(), nil
			}
			return b.String(), err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			flush()
			fmt.Fprintf(&b, "start %s:%s", t.Name.Space, t.Name.Local)
			for _, a := range t.Attr {
				fmt.Fprintf(&b, " %s:%s=%q", a.Name.Space, a.Name.Local, a.Value)
			}
			b.WriteString("\n")
		case xml.EndElement:
			flush()
			fmt.Fprintf(&b, "end %s:%s\n", t.Name.Space, t.Name.Local)
		case xml.CharData:
			text = append(text, t...)
		}
	}
}

func stdTokens(data []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = passCharset
	return tokens(d.RawToken)
}

// TestScannerMatchesDecoder: on every fixture, and with input arriving one
// byte at a time, the scanner yields the tokens encoding/xml yields.
func TestScannerMatchesDecoder(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/*.xml")
	files = append(files, "testdata/gotestsum/junitxml-report.golden")
	extra := map[string]string{
		"entities":   `<a x='&lt;&#65;&#x42;&nbsp;&bogus; &amp'>t &gt; &#x1F600; &unknown; &</a>`,
		"cdata":      "<a><![CDATA[x]]y]]>z\r\n<![CDATA[]]></a>",
		"comments":   `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "v">]><!-- c > --><a><!-- x --><b/></a>`,
		"namespaces": `<x:a xmlns:x="u" x:b="1" c="2"><x:d/></x:a>`,
		"crlf":       "<a b=\"1\r\n2\">x\r\ny\rz</a>",
		"no value":   `<a b c="1"/>`,
	}
	inputs := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = data
	}
	for k, v := range extra {
		inputs[k] = []byte(v)
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			clean, err := io.ReadAll(newSanitizer(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))))
			if err != nil {
				t.Fatal(err)
			}
			want, werr := stdTokens(clean)
			for _, r := range []io.Reader{bytes.NewReader(clean), iotest.OneByteReader(bytes.NewReader(clean))} {
				got, gerr := tokens(newScanner(r).RawToken)
				if got != want {
					t.Errorf("tokens differ\n--- encoding/xml\n%s\n--- scanner\n%s", want, got)
				}
				if (werr == nil) != (gerr == nil) {
					t.Errorf("error = %v, encoding/xml %v", gerr, werr)
				}
			}
		})
	}
}

// TestScannerAgreesOnReports parses every fixture with both token sources.
func TestScannerAgreesOnReports(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/*")
	for _, f := range files {
		if strings.Contains(f, "golden") && !strings.HasSuffix(f, "report.golden") || strings.HasSuffix(f, ".md") {
			continue
		}
		for _, keep := range []bool{false, true} {
			a, aerr := IngestFile(f, Options{KeepPassing: keep, KeepSkipped: keep})
			b, berr := IngestFile(f, Options{KeepPassing: keep, KeepSkipped: keep, stdDecoder: true})
			if (aerr == nil) != (berr == nil) {
				t.Errorf("%s: error %v, with encoding/xml %v", f, aerr, berr)
			}
			a.Files, b.Files = nil, nil
			if da, db := dump(a, nil), dump(b, nil); da != db {
				t.Errorf("%s: reports differ\n--- scanner\n%s\n--- encoding/xml\n%s", f, da, db)
			}
		}
	}
}

func BenchmarkParseStdDecoder(b *testing.B) {
	data := benchData()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rep, err := Parse(bytes.NewReader(data), Options{stdDecoder: true})
		if err != nil || rep.Totals.Tests != 100000 {
			b.Fatalf("parse: %v, totals %+v", err, rep.Totals)
		}
	}
}
