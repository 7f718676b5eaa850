package render

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

const schemaDoc = "../../docs/report-schema.md"

// modelFields lists, for every struct type of the model reachable from
// Report, its JSON field names in declaration order.
func modelFields() map[string][]string {
	out := map[string][]string{}
	pkg := reflect.TypeFor[diagnose.Report]().PkgPath()
	var visit func(t reflect.Type)
	visit = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t.PkgPath() != pkg {
			return
		}
		if _, seen := out[t.Name()]; seen {
			return
		}
		out[t.Name()] = []string{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			out[t.Name()] = append(out[t.Name()], name)
			visit(f.Type)
		}
	}
	visit(reflect.TypeFor[diagnose.Report]())
	return out
}

var docRow = regexp.MustCompile("^\\| `([a-z_]+)` \\|")

// docFields reads the field tables of docs/report-schema.md, one per
// "## Type" section.
func docFields(t *testing.T) map[string][]string {
	data, err := os.ReadFile(schemaDoc)
	if err != nil {
		t.Fatalf("reading the schema document: %v", err)
	}
	out := map[string][]string{}
	section := ""
	for _, l := range strings.Split(string(data), "\n") {
		if h, ok := strings.CutPrefix(l, "## "); ok {
			section, _, _ = strings.Cut(h, " ")
			continue
		}
		if m := docRow.FindStringSubmatch(l); m != nil && section != "" {
			out[section] = append(out[section], m[1])
		}
	}
	return out
}

// TestSchemaDocumentsEveryField fails when a JSON field of the model is not
// in docs/report-schema.md, is documented under the wrong type, is out of
// order, or when the document lists a field the model does not have.
func TestSchemaDocumentsEveryField(t *testing.T) {
	model, doc := modelFields(), docFields(t)
	if len(model) < 10 {
		t.Fatalf("found only %d model types: %v", len(model), model)
	}
	for typ, fields := range model {
		got, ok := doc[typ]
		if !ok {
			t.Errorf("%s: no \"## %s\" section with a field table in %s", typ, typ, schemaDoc)
			continue
		}
		for _, f := range fields {
			if !slices.Contains(got, f) {
				t.Errorf("%s.%s is not documented in %s", typ, f, schemaDoc)
			}
		}
		for _, f := range got {
			if !slices.Contains(fields, f) {
				t.Errorf("%s documents %q, which the model does not have", typ, f)
			}
		}
		if len(got) == len(fields) && !slices.Equal(got, fields) {
			t.Errorf("%s fields documented in the order %v, the JSON order is %v", typ, got, fields)
		}
	}
}

// TestSchemaVersionDocumented keeps the version in the document and the
// model in step.
func TestSchemaVersionDocumented(t *testing.T) {
	data, err := os.ReadFile(schemaDoc)
	if err != nil {
		t.Fatal(err)
	}
	want := "Current version: **`schema_version` " + strconv.Itoa(diagnose.SchemaVersion) + "**"
	if !strings.Contains(string(data), want) {
		t.Errorf("%s does not say %q", schemaDoc, want)
	}
}

// TestJSONShape checks the promises of the schema on real output: the
// first key, the lists that are always present as [], and that the
// report passed in is left as it was.
func TestJSONShape(t *testing.T) {
	r := &diagnose.Report{ // zero version, nil lists everywhere
		Project: diagnose.Project{Path: "g/p"},
		Causes:  []diagnose.Cause{{ID: 1, Excerpt: &diagnose.Excerpt{StartLine: 1, EndLine: 1}}},
		Tests:   []diagnose.Test{{Name: "t"}},
		Jobs:    []diagnose.Job{{ID: 1, Excerpts: []diagnose.Excerpt{{StartLine: 1}}}},
		Repro:   []diagnose.Repro{{JobID: 1}},
	}
	before, _ := json.Marshal(r)
	var buf bytes.Buffer
	if err := JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(r)
	if !bytes.Equal(before, after) {
		t.Errorf("JSON changed the report it was given")
	}
	out := buf.String()
	if !strings.HasPrefix(out, "{\n  \"schema_version\": 1,\n") {
		t.Errorf("output does not start with schema_version: %.60q", out)
	}
	if strings.Contains(out, "null") {
		t.Errorf("output holds null:\n%s", out)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"pipelines", "causes", "failing_tests", "jobs", "repro", "warnings"} {
		if _, ok := m[k].([]any); !ok {
			t.Errorf("%s is %v, want a list", k, m[k])
		}
	}
	paths := map[string][]string{
		"causes":        {"job_ids", "job_names", "reasons"},
		"failing_tests": {"job_ids", "job_names", "reasons"},
		"repro":         {"commands"},
		"jobs":          {"excerpts"},
	}
	for list, keys := range paths {
		item := m[list].([]any)[0].(map[string]any)
		for _, k := range keys {
			if _, ok := item[k].([]any); !ok {
				t.Errorf("%s[0].%s is %v, want a list", list, k, item[k])
			}
		}
	}
	ex := m["causes"].([]any)[0].(map[string]any)["excerpt"].(map[string]any)
	if _, ok := ex["lines"].([]any); !ok {
		t.Errorf("causes[0].excerpt.lines is %v, want a list", ex["lines"])
	}
}
