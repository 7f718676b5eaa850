package fakegitlab

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaBase = "file:///schemas/"

// Schemas that GitLab's job and pipeline schemas reference but that were not
// copied (testdata/README.md): stubbed as permissive objects.
var schemaStubs = []string{
	"public_api/v4/user/basic.json",
	"public_api/v4/commit/basic.json",
	"public_api/v4/runner.json",
	"public_api/v4/runner_manager.json",
	"status/ci_detailed_status.json",
}

// fixDateType replaces the non-standard type "date" (used by GitLab's
// pipeline/detail.json, which its Ruby validator tolerates) with "string".
func fixDateType(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "type" {
				if arr, ok := e.([]any); ok {
					for i, t := range arr {
						if t == "date" {
							arr[i] = "string"
						}
					}
				}
				continue
			}
			x[k] = fixDateType(e)
		}
	case []any:
		for i, e := range x {
			x[i] = fixDateType(e)
		}
	}
	return v
}

func compileSchemas(t *testing.T) *jsonschema.Compiler {
	t.Helper()
	c := jsonschema.NewCompiler()
	root := filepath.Join("testdata", "schemas")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		return c.AddResource(schemaBase+filepath.ToSlash(rel), fixDateType(doc))
	})
	if err != nil {
		t.Fatalf("loading schemas: %v", err)
	}
	for _, s := range schemaStubs {
		if err := c.AddResource(schemaBase+s, map[string]any{"type": "object"}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func validate(t *testing.T, c *jsonschema.Compiler, schema string, what string, v any) {
	t.Helper()
	sch, err := c.Compile(schemaBase + schema)
	if err != nil {
		t.Fatalf("compiling %s: %v", schema, err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("%s does not match %s: %v", what, schema, err)
	}
}

func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

// TestSchemas checks the served JSON against GitLab's own JSON schemas.
func TestSchemas(t *testing.T) {
	c := compileSchemas(t)
	s := demoServer(t, Options{})

	var jobs []any
	for _, pid := range []string{"98765", "98766"} {
		r := get(t, s, "/api/v4/projects/4242/pipelines/"+pid+"/jobs?include_retried=true")
		jobs = append(jobs, decodeAny(t, r.body).([]any)...)
		validate(t, c, "public_api/v4/pipeline/detail.json", "pipeline "+pid,
			decodeAny(t, get(t, s, "/api/v4/projects/4242/pipelines/"+pid).body))
	}
	if len(jobs) != 10 {
		t.Fatalf("%d jobs", len(jobs))
	}
	for _, j := range jobs {
		m := j.(map[string]any)
		id := m["id"].(json.Number).String()
		single := decodeAny(t, get(t, s, "/api/v4/projects/4242/jobs/"+id).body).(map[string]any)
		for _, job := range []map[string]any{m, single} {
			// failure_reason and source are newer than the schema's commit,
			// which has additionalProperties: false.
			if _, ok := job["failure_reason"]; ok != (job["status"] == "failed") {
				t.Errorf("job %s: failure_reason present = %v with status %v", id, ok, job["status"])
			}
			delete(job, "failure_reason")
			delete(job, "source")
			validate(t, c, "public_api/v4/job.json", "job "+id, job)
			validate(t, c, "public_api/v4/pipeline/basic.json", "job "+id+" pipeline", job["pipeline"])
		}
	}
	list := decodeAny(t, get(t, s, "/api/v4/projects/4242/pipelines").body).([]any)
	if len(list) != 1 {
		t.Errorf("pipeline list has %d items; child pipelines must be left out", len(list))
	}
	for _, p := range list {
		validate(t, c, "public_api/v4/pipeline/basic.json", "pipeline list item", p)
	}
	bridges := decodeAny(t, get(t, s, "/api/v4/projects/4242/pipelines/98765/bridges").body).([]any)
	for _, b := range bridges {
		validate(t, c, "public_api/v4/pipeline/basic.json", "downstream pipeline", b.(map[string]any)["downstream_pipeline"])
	}
	report := decodeAny(t, get(t, s, "/api/v4/projects/4242/pipelines/98765/test_report").body).(map[string]any)
	n := 0
	for _, suite := range report["test_suites"].([]any) {
		for _, tc := range suite.(map[string]any)["test_cases"].([]any) {
			validate(t, c, "entities/test_case.json", "test case", tc)
			n++
		}
	}
	if n == 0 {
		t.Error("no test cases checked")
	}
}

// TestSchemaCatchesDrift makes sure the schema check can fail.
func TestSchemaCatchesDrift(t *testing.T) {
	c := compileSchemas(t)
	sch, err := c.Compile(schemaBase + "public_api/v4/job.json")
	if err != nil {
		t.Fatal(err)
	}
	s := demoServer(t, Options{})
	job := decodeAny(t, get(t, s, "/api/v4/projects/4242/jobs/5550109").body).(map[string]any)
	delete(job, "source")
	if err := sch.Validate(job); err != nil {
		t.Fatalf("valid job rejected: %v", err)
	}
	job["retried"] = false
	if err := sch.Validate(job); err == nil || !strings.Contains(err.Error(), "retried") {
		t.Errorf("a retried field passed: %v", err)
	}
}
