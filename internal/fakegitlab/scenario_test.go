package fakegitlab

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

func TestDemoScenario(t *testing.T) {
	sc, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Projects) != 1 || sc.Projects[0].PathWithNamespace != DemoProjectPath {
		t.Fatalf("projects %+v", sc.Projects)
	}
	// Every job that ran has a trace; the skipped one has none.
	for _, j := range sc.Jobs {
		_, ok := sc.Traces[j.ID]
		if ok == (j.Status == "skipped") {
			t.Errorf("job %d %s (%s): trace present = %v", j.ID, j.Name, j.Status, ok)
		}
	}
	if _, err := fs.Stat(DemoFS(), "SOURCES.md"); err != nil {
		t.Errorf("demo scenario has no SOURCES.md: %v", err)
	}
	// Every file in the folder is part of the scenario.
	used := map[string]bool{}
	err = fs.WalkDir(DemoFS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			used[p] = false
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 20 {
		t.Errorf("only %d files embedded", len(used))
	}
	for p := range used {
		switch {
		case strings.HasSuffix(p, "/trace.log"), strings.Contains(p, "/artifacts/"), strings.HasSuffix(p, ".json"), p == "SOURCES.md":
		default:
			t.Errorf("file %s is not part of the scenario format", p)
		}
	}
	// The MR !17 on feature/invoices has the demo pipeline as head pipeline.
	if len(sc.MergeRequests) != 1 || sc.MergeRequests[0].IID != DemoMergeRequest ||
		sc.MergeRequests[0].SourceBranch != DemoBranch || sc.MergeRequests[0].HeadPipelineID != DemoPipelineID {
		t.Errorf("merge requests %+v", sc.MergeRequests)
	}
	if len(sc.Bridges) != 1 || sc.Bridges[0].DownstreamPipelineID != DemoChildID {
		t.Errorf("bridges %+v", sc.Bridges)
	}
}

// runnerLine is a trace line with the timestamp header of runner 18.7+
// stripped when present.
var stampRE = regexp.MustCompile(`^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d{6}Z [0-9a-f]{2}[EO][+ ]`)

func TestDemoTracesLookLikeRunner(t *testing.T) {
	sc, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	stamped := 0
	for _, j := range sc.Jobs {
		tr, ok := sc.Traces[j.ID]
		if !ok {
			continue
		}
		lines := strings.Split(strings.TrimSuffix(string(tr), "\n"), "\n")
		if stampRE.MatchString(lines[0]) {
			stamped++
			for i, l := range lines {
				if !stampRE.MatchString(l) {
					t.Errorf("job %d line %d lacks a timestamp header: %q", j.ID, i+1, l)
				}
				lines[i] = l[32:]
			}
		}
		text := strings.Join(lines, "\n")
		if !strings.HasPrefix(lines[0], "\x1b[0KRunning with gitlab-runner 18.") {
			t.Errorf("job %d starts with %q", j.ID, lines[0])
		}
		if !strings.Contains(text, "section_start:") || !strings.Contains(text, "\r\x1b[0K") {
			t.Errorf("job %d has no section markers", j.ID)
		}
		last := lines[len(lines)-1]
		switch j.Status {
		case "failed":
			if !strings.Contains(last, "\x1b[31;1mERROR: Job failed") {
				t.Errorf("failed job %d ends with %q", j.ID, last)
			}
			if j.FailureReason == "script_failure" && (!strings.Contains(text, "section_start:") ||
				!strings.Contains(text, "Using docker image sha256:") || !strings.Contains(text, "\x1b[32;1m$ ")) {
				t.Errorf("job %d lacks the image line or a command echo", j.ID)
			}
		case "success":
			if !strings.Contains(last, "\x1b[32;1mJob succeeded") {
				t.Errorf("job %d ends with %q", j.ID, last)
			}
		}
	}
	if stamped != 1 {
		t.Errorf("%d timestamped traces, want 1", stamped)
	}
}

type junitXML struct {
	Suites []struct {
		Cases []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Failure   *struct {
				Body string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// TestDemoReportMatchesJUnit checks test_report.json and its summary
// against the JUnit files of the two pytest jobs.
func TestDemoReportMatchesJUnit(t *testing.T) {
	sc, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // classname.name → status / failure text
	for _, id := range []int64{5550103, 5550104} {
		raw, ok := sc.Artifacts[id]["reports/junit.xml"]
		if !ok {
			t.Fatalf("job %d has no reports/junit.xml", id)
		}
		var x junitXML
		if err := xml.Unmarshal(raw, &x); err != nil {
			t.Fatalf("job %d junit: %v", id, err)
		}
		for _, s := range x.Suites {
			for _, c := range s.Cases {
				v := "success"
				if c.Failure != nil {
					v = "failed\n" + c.Failure.Body
					// The failing test shows up in this job's log.
					if !bytes.Contains(sc.Traces[id], []byte("::\x1b[1m"+c.Name+"\x1b[0m")) {
						t.Errorf("job %d log does not name %s", id, c.Name)
					}
				}
				want[c.Classname+"."+c.Name] = v
			}
		}
	}
	var report struct {
		TotalCount  int `json:"total_count"`
		FailedCount int `json:"failed_count"`
		Suites      []struct {
			Name  string `json:"name"`
			Cases []struct {
				Status    string  `json:"status"`
				Name      string  `json:"name"`
				Classname string  `json:"classname"`
				Time      float64 `json:"execution_time"`
				Output    *string `json:"system_output"`
			} `json:"test_cases"`
		} `json:"test_suites"`
	}
	if err := json.Unmarshal(sc.TestReports[DemoPipelineID], &report); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	failed := 0
	var order []string
	for _, s := range report.Suites {
		if s.Name != "pytest" {
			t.Errorf("suite %q, want the job group name pytest", s.Name)
		}
		for _, c := range s.Cases {
			v := c.Status
			if c.Output != nil {
				v += "\n" + *c.Output
			}
			got[c.Classname+"."+c.Name] = v
			order = append(order, c.Status)
			if c.Status == "failed" {
				failed++
			}
		}
	}
	if len(got) != len(want) || report.TotalCount != len(want) || report.FailedCount != failed || failed != 5 {
		t.Errorf("report has %d cases (total %d, failed %d/%d), junit %d", len(got), report.TotalCount, report.FailedCount, failed, len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: report %q, junit %q", k, got[k], v)
		}
	}
	if !sort.SliceIsSorted(order, func(a, b int) bool { return order[a] == "failed" && order[b] != "failed" }) {
		t.Errorf("cases not ordered failed first: %v", order)
	}
	var summary struct {
		Total struct {
			Count, Failed int
		} `json:"total"`
		Suites []struct {
			BuildIDs []int64 `json:"build_ids"`
		} `json:"test_suites"`
	}
	if err := json.Unmarshal(sc.TestReportSummaries[DemoPipelineID], &summary); err != nil {
		t.Fatal(err)
	}
	if summary.Total.Count != len(want) || summary.Total.Failed != 5 || len(summary.Suites) != 1 ||
		len(summary.Suites[0].BuildIDs) != 2 {
		t.Errorf("summary %+v", summary)
	}
}

func TestArtifacts(t *testing.T) {
	s := demoServer(t, Options{})
	r := get(t, s, "/api/v4/projects/4242/jobs/5550103/artifacts")
	if r.status != 200 || r.header.Get("Content-Type") != "application/zip" {
		t.Fatalf("archive: %d %s", r.status, r.header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
	if err != nil || len(zr.File) != 1 || zr.File[0].Name != "reports/junit.xml" {
		t.Fatalf("zip: %v %v", err, zr)
	}
	job := get(t, s, "/api/v4/projects/4242/jobs/5550103")
	if !bytes.Contains(job.body, []byte(`"artifacts_file":{"filename":"artifacts.zip","size":`)) ||
		!bytes.Contains(job.body, []byte(`"file_type":"junit"`)) {
		t.Errorf("job JSON lacks artifacts: %s", job.body)
	}
	tests := []struct {
		path   string
		status int
	}{
		{"/api/v4/projects/4242/jobs/5550103/artifacts/reports/junit.xml", 200},
		{"/api/v4/projects/4242/jobs/5550103/artifacts/reports%2Fjunit.xml", 200},
		{"/api/v4/projects/4242/jobs/5550103/artifacts/reports/missing.xml", 404},
		{"/api/v4/projects/4242/jobs/5550103/artifacts/reports/../../etc/passwd", 400},
		{"/api/v4/projects/4242/jobs/5550101/artifacts", 404},
		{"/api/v4/projects/4242/jobs/5550101/artifacts/reports/junit.xml", 404},
	}
	for _, tt := range tests {
		if r := get(t, s, tt.path); r.status != tt.status {
			t.Errorf("%s: %d, want %d", tt.path, r.status, tt.status)
		}
	}
	if job := get(t, s, "/api/v4/projects/4242/jobs/5550101"); bytes.Contains(job.body, []byte("artifacts_file")) {
		t.Error("artifacts_file on a job without an archive")
	}
}

func TestMergeRequestRoutes(t *testing.T) {
	s := demoServer(t, Options{})
	list := get(t, s, "/api/v4/projects/4242/merge_requests?source_branch=feature%2Finvoices&state=opened")
	if list.status != 200 || !bytes.Contains(list.body, []byte(`"iid":17`)) || bytes.Contains(list.body, []byte("head_pipeline")) {
		t.Errorf("list: %d %s", list.status, list.body)
	}
	if r := get(t, s, "/api/v4/projects/4242/merge_requests?source_branch=other"); string(r.body) != "[]" {
		t.Errorf("other branch: %s", r.body)
	}
	one := get(t, s, "/api/v4/projects/4242/merge_requests/17")
	if !bytes.Contains(one.body, []byte(`"head_pipeline":{"id":98765`)) {
		t.Errorf("single MR: %s", one.body)
	}
	pipes := get(t, s, "/api/v4/projects/4242/merge_requests/17/pipelines")
	if pipes.status != 200 || !bytes.HasPrefix(pipes.body, []byte(`[{"id":98765,`)) || bytes.Contains(pipes.body, []byte("98766")) {
		t.Errorf("MR pipelines: %s", pipes.body)
	}
}

func TestLoadErrors(t *testing.T) {
	base := func() fstest.MapFS {
		return fstest.MapFS{
			"scenario.json":         {Data: []byte(`{"tokens":[{"token":"t","kind":"personal"}]}`)},
			"projects/1.json":       {Data: []byte(`{"path_with_namespace":"g/p"}`)},
			"pipelines/2.json":      {Data: []byte(`{"project_id":1,"sha":"a","ref":"main","status":"failed"}`)},
			"pipelines/2/jobs.json": {Data: []byte(`[{"id":3,"name":"j","stage":"test","status":"failed"}]`)},
			"jobs/3/trace.log":      {Data: []byte("log\n")},
		}
	}
	if sc, err := Load(base()); err != nil || len(sc.Jobs) != 1 || sc.Jobs[0].PipelineID != 2 || string(sc.Traces[3]) != "log\n" {
		t.Fatalf("valid folder: %v", err)
	}
	tests := []struct {
		name, file, data, want string
	}{
		{"no scenario.json", "scenario.json", "", "scenario.json"},
		{"unknown field", "projects/1.json", `{"path_with_namespace":"g/p","colour":"red"}`, "unknown field"},
		{"bad JSON", "pipelines/2/jobs.json", `[{`, "pipelines/2/jobs.json"},
		{"id mismatch", "projects/1.json", `{"id":5,"path_with_namespace":"g/p"}`, "does not match"},
		{"unknown project", "pipelines/2.json", `{"project_id":9,"sha":"a","ref":"main","status":"failed"}`, "unknown project 9"},
		{"trace of unknown job", "jobs/8/trace.log", "x", "unknown job 8"},
		{"bad token kind", "scenario.json", `{"tokens":[{"token":"t","kind":"deploy"}]}`, "token kind"},
		{"bad job folder", "jobs/abc/trace.log", "x", "not a job id"},
		{"bad test report", "pipelines/2/test_report.json", "{", "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := base()
			if tt.data == "" {
				delete(fsys, tt.file)
			} else {
				fsys[tt.file] = &fstest.MapFile{Data: []byte(tt.data)}
			}
			_, err := Load(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
