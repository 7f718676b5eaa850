package diagnose

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/golden"
)

func assertGolden(t *testing.T, got []byte, name string) {
	t.Helper()
	golden.Assert(t, got, name)
}

// xmlResult is a <failure>, <error> or flaky rerun element.
type xmlResult struct {
	XMLName xml.Name
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type xmlCase struct {
	Name      string      `xml:"name,attr"`
	Classname string      `xml:"classname,attr"`
	File      string      `xml:"file,attr"`
	Line      string      `xml:"line,attr"`
	Results   []xmlResult `xml:",any"`
}

// loadJUnit reads the test cases of a JUnit file in testdata/junit: a
// small reader for the tests only; the product's parser is the junit
// package.
func loadJUnit(t testing.TB, name string) []TestCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "junit", name))
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	dec := xml.NewDecoder(bytes.NewReader(data))
	var out []TestCase
	suite := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "testsuite":
			for _, a := range se.Attr {
				if a.Name.Local == "name" {
					suite = a.Value
				}
			}
		case "testcase":
			var c xmlCase
			if err := dec.DecodeElement(&c, &se); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			tc := TestCase{Suite: suite, Classname: c.Classname, Name: c.Name, File: c.File, Status: TestSuccess, Source: "junit", JobIDs: []int64{1}}
			tc.Line, _ = strconv.Atoi(c.Line)
			for _, r := range c.Results {
				switch r.XMLName.Local {
				case "failure", "error":
					tc.Status = TestFailed
					if r.XMLName.Local == "error" {
						tc.Status = TestError
					}
					tc.Message, tc.Type, tc.Body = r.Message, r.Type, strings.TrimSpace(r.Body)
				case "flakyFailure", "flakyError":
					if tc.Status == TestSuccess {
						tc.Status = TestFlaky
					}
				}
			}
			out = append(out, tc)
		}
	}
	return out
}

func failingOnly(tcs []TestCase) []TestCase {
	var out []TestCase
	for _, tc := range tcs {
		if tc.Status == TestFailed || tc.Status == TestError {
			out = append(out, tc)
		}
	}
	return out
}
