package shared

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/fakegitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/gitlab"
)

func demoClient(t *testing.T, opts fakegitlab.Options) (*gitlab.Client, *fakegitlab.Server) {
	t.Helper()
	sc, err := fakegitlab.Demo()
	if err != nil {
		t.Fatal(err)
	}
	srv := fakegitlab.NewTB(t, sc, opts)
	c, err := gitlab.New(gitlab.Config{BaseURL: srv.APIURL(), Token: fakegitlab.DemoToken, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func countRequests(srv *fakegitlab.Server, route string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Route == route {
			n++
		}
	}
	return n
}

// TestDemoJUnitRoundTrip reads the demo pipeline the way the command
// does: the graph, one lint call for the job definitions, the pytest jobs'
// JUnit files from their artifacts, merged with GitLab's test report.
func TestDemoJUnitRoundTrip(t *testing.T) {
	c, srv := demoClient(t, fakegitlab.Options{})
	ctx := context.Background()
	// client-go configures its rate limiter from the first answer's
	// RateLimit headers without a lock; one request before the concurrent
	// fetch keeps the race detector quiet.
	if _, err := c.Project(ctx, fakegitlab.DemoProjectPath); err != nil {
		t.Fatal(err)
	}
	g, err := c.FetchGraph(ctx, fakegitlab.DemoProjectPath, fakegitlab.DemoPipelineID, gitlab.FetchOptions{IncludeAllowedFailures: true})
	if err != nil {
		t.Fatal(err)
	}
	cfgs, warnings := FetchGraphConfigs(ctx, c, g)
	if n := countRequests(srv, "projects/:id/ci/lint"); n != 1 {
		t.Errorf("%d lint calls, want 1", n)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings %q", warnings)
	}
	if n := countRequests(srv, "projects/:id/repository/files/:file_path/raw"); n != 1 {
		t.Errorf("%d repository file reads, want 1 (docs/.gitlab-ci.yml)", n)
	}
	byName := map[string]gitlab.Job{}
	for _, j := range append(g.FailedJobs, g.AllowedFailures...) {
		byName[j.Name] = j
		if _, ok := cfgs[j.ID]; !ok && !j.Bridge {
			t.Errorf("job %s (pipeline %d): no config", j.Name, j.PipelineID)
		}
	}
	// The child pipeline's job is defined in docs/.gitlab-ci.yml, which
	// the trigger:docs bridge includes.
	docs := byName["docs:build"]
	if docs.PipelineID != fakegitlab.DemoChildID {
		t.Fatalf("docs:build is in pipeline %d", docs.PipelineID)
	}
	want := []string{"pip install -r docs/requirements.txt --quiet", "sphinx-build -W --keep-going -b html docs public"}
	if dc := cfgs[docs.ID]; dc == nil || dc.Image != "python:3.12-slim" || !reflect.DeepEqual(dc.Script, want) {
		t.Errorf("docs:build config %+v", dc)
	}
	if py := cfgs[byName["pytest 2/2"].ID]; py == nil || py.Image != "python:3.12-slim" || !reflect.DeepEqual(py.JUnit, []string{"reports/junit.xml"}) {
		t.Errorf("pytest 2/2 config %+v", py)
	}
	if lc := cfgs[byName["linkcheck"].ID]; lc == nil || lc.Image != "ruby:3.3-slim" {
		t.Errorf("linkcheck config %+v", lc)
	}

	var fromJUnit []diagnose.TestCase
	for _, name := range []string{"pytest 1/2", "pytest 2/2", "flake8"} {
		j := byName[name]
		tests, w := FetchJUnit(ctx, c, fakegitlab.DemoProjectPath, j, cfgs[j.ID], 0)
		if len(w) > 0 {
			t.Errorf("%s: warnings %q", name, w)
		}
		if name == "flake8" && len(tests) > 0 {
			t.Errorf("flake8 has no JUnit, got %d tests", len(tests))
		}
		if strings.HasPrefix(name, "pytest") && len(tests) == 0 {
			t.Errorf("%s: no tests", name)
		}
		fromJUnit = append(fromJUnit, tests...)
	}
	// Exact paths are fetched one by one: no archive download.
	if n := countRequests(srv, "projects/:id/jobs/:jid/artifacts"); n != 0 {
		t.Errorf("%d archive downloads, want 0", n)
	}
	if n := countRequests(srv, "projects/:id/jobs/:jid/artifacts/*path"); n != 2 {
		t.Errorf("%d artifact file requests, want 2", n)
	}
	var typed int
	for _, tc := range fromJUnit {
		if tc.Source != "junit" || len(tc.JobIDs) != 1 || tc.Dialect != "pytest" {
			t.Errorf("junit case %+v", tc)
		}
		if tc.Type != "" || strings.Contains(tc.Message, "Error") {
			typed++
		}
	}
	if typed == 0 {
		t.Error("no JUnit case carries a message or type")
	}

	fromReport := TestsFromReport(g.TestReports[fakegitlab.DemoPipelineID], g.TestSummaries[fakegitlab.DemoPipelineID])
	merged := MergeTests(fromReport, fromJUnit)
	failing := func(cs []diagnose.TestCase) (n int) {
		for _, c := range cs {
			if c.Status == diagnose.TestFailed || c.Status == diagnose.TestError {
				n++
			}
		}
		return n
	}
	if failing(merged) != failing(fromReport) {
		t.Errorf("merged has %d failing tests, test report %d", failing(merged), failing(fromReport))
	}
	for _, tc := range merged {
		if tc.Status == diagnose.TestFailed && tc.Source != "junit" {
			t.Errorf("failing test %s.%s not replaced by its JUnit case", tc.Classname, tc.Name)
		}
	}
}

func TestFetchConfigsForbidden(t *testing.T) {
	c, srv := demoClient(t, fakegitlab.Options{Faults: []fakegitlab.Fault{{Path: "/projects/*/ci/lint", Status: 403}}})
	jobs := []gitlab.Job{{ID: 5550101, Name: "flake8", ProjectPath: fakegitlab.DemoProjectPath}}
	cfgs, w := FetchConfigs(context.Background(), c, fakegitlab.DemoProjectPath, "3f9c2e1ab7d04c6e8f51a2b3c4d5e6f708192a3b", jobs)
	if len(cfgs) != 0 {
		t.Errorf("configs %v", cfgs)
	}
	if len(w) != 1 || !strings.Contains(w[0], "403 forbidden") || !strings.Contains(w[0], "ci/lint") || !strings.Contains(w[0], "left out") {
		t.Errorf("warnings %q", w)
	}
	if n := countRequests(srv, "projects/:id/ci/lint"); n != 1 {
		t.Errorf("%d lint calls", n)
	}
	// No jobs, no call.
	if _, w := FetchConfigs(context.Background(), c, fakegitlab.DemoProjectPath, "x", nil); w != nil {
		t.Errorf("no jobs: %q", w)
	}
	if n := countRequests(srv, "projects/:id/ci/lint"); n != 1 {
		t.Errorf("%d lint calls after an empty job list", n)
	}
}

func TestConfigsForSkipsOtherProjectsAndNamesMissingJobs(t *testing.T) {
	c, _ := demoClient(t, fakegitlab.Options{})
	sha := "3f9c2e1ab7d04c6e8f51a2b3c4d5e6f708192a3b"
	jobs := []gitlab.Job{
		{ID: 1, Name: "pytest 1/2", ProjectID: 4242, SHA: sha},
		{ID: 2, Name: "flake8", ProjectID: 99, SHA: sha},     // another project
		{ID: 3, Name: "flake8", ProjectID: 4242, SHA: "abc"}, // another commit
		{ID: 4, Name: "mystery", ProjectID: 4242, SHA: sha},
	}
	cfgs, w := FetchConfigs(context.Background(), c, "4242", sha, jobs)
	if len(cfgs) != 1 || cfgs[1] == nil {
		t.Errorf("configs %v", cfgs)
	}
	if len(w) != 1 || !strings.Contains(w[0], `defines no job named "mystery"`) {
		t.Errorf("warnings %q", w)
	}
}

// fakeArtifacts serves a fixed archive and files for FetchJUnit tests.
type fakeArtifacts struct {
	files     map[string][]byte
	archive   []byte
	size      int64 // reported size; 0: len(archive)
	fileCalls int
	zipCalls  int
}

func (f *fakeArtifacts) MergedCIConfig(context.Context, string, string) (string, error) {
	return "", errors.New("not used")
}

func (f *fakeArtifacts) RawFile(context.Context, string, string, string) (io.ReadCloser, error) {
	return nil, errors.New("not used")
}

func (f *fakeArtifacts) JobArtifactFile(_ context.Context, _ string, _ int64, p string) (io.ReadCloser, error) {
	f.fileCalls++
	b, ok := f.files[p]
	if !ok {
		return nil, fmt.Errorf("artifact %s: %w", p, gitlab.ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (f *fakeArtifacts) JobArtifactsArchive(context.Context, string, int64) (io.ReadCloser, int64, error) {
	f.zipCalls++
	if f.archive == nil {
		return nil, 0, errors.New("no archive")
	}
	size := f.size
	if size == 0 {
		size = int64(len(f.archive))
	}
	return io.NopCloser(bytes.NewReader(f.archive)), size, nil
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "junit", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type entry struct {
	name string
	data []byte
}

func makeZip(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func names(tcs []diagnose.TestCase) []string {
	var out []string
	for _, tc := range tcs {
		out = append(out, tc.Classname+"."+tc.Name+":"+string(tc.Status))
	}
	return out
}

func TestFetchJUnitGlobThroughArchive(t *testing.T) {
	failing := readFixture(t, "TEST-org.apache.maven.surefire.test.FailingTest.xml")
	flaky := readFixture(t, "TEST-org.acme.FlakyTest.xml")
	rspecGz := readFixture(t, "junit.xml.gz")
	archive := makeZip(t,
		entry{"build/test-results/test/TEST-org.apache.maven.surefire.test.FailingTest.xml", failing},
		entry{"module-b/target/surefire-reports/TEST-org.acme.FlakyTest.xml", flaky},
		entry{"module-b/target/surefire-reports/TEST-org.acme.FlakyTest.txt", []byte("not a report")},
		entry{"rspec.xml.gz", rspecGz},
		entry{"coverage/index.html", []byte("<html>")},
	)
	job := gitlab.Job{ID: 77, Name: "test 2/3", Artifacts: []gitlab.Artifact{{FileType: "archive", Size: int64(len(archive))}}}
	tests := []struct {
		name     string
		junit    []string
		want     []string
		warnings []string
	}{
		{"double star", []string{"**/TEST-*.xml"}, []string{
			"org.apache.maven.surefire.test.FailingTest.defaultTestValueIs_Value:failed",
			"org.apache.maven.surefire.test.FailingTest.setTestAndRetrieveValue:failed",
			"org.acme.FlakyTest.testFlaky:flaky",
		}, nil},
		{"single star stays in one directory", []string{"module-b/*/surefire-reports/TEST-*.xml"}, []string{
			"org.acme.FlakyTest.testFlaky:flaky",
		}, nil},
		{"braces, gzip entry and an exact path read from the same archive", []string{"{rspec,none}.xml.gz", "build/test-results/test/TEST-org.apache.maven.surefire.test.FailingTest.xml"}, []string{
			"org.apache.maven.surefire.test.FailingTest.defaultTestValueIs_Value:failed",
			"org.apache.maven.surefire.test.FailingTest.setTestAndRetrieveValue:failed",
			"spec.test_spec.Test#sum when a is 1 and b is 2 returns summary:failed",
			"spec.test_spec.Test#sum when a is 100 and b is 200 returns summary:failed",
		}, nil},
		{"variables", []string{"$CI_PROJECT_DIR/${UNKNOWN}/test-results/test/TEST-*.xml", "./report-$CI_NODE_INDEX.xml"}, []string{
			"org.apache.maven.surefire.test.FailingTest.defaultTestValueIs_Value:failed",
			"org.apache.maven.surefire.test.FailingTest.setTestAndRetrieveValue:failed",
		}, []string{"no file in the artifacts archive matches the JUnit path report-2.xml"}},
		{"nothing matches", []string{"reports/*.xml"}, nil, []string{"matches the JUnit path reports/*.xml"}},
		{"outside the project", []string{"/tmp/report.xml", "../x.xml"}, nil, []string{`JUnit path "/tmp/report.xml" is outside`, `"../x.xml" is outside`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeArtifacts{archive: archive}
			got, w := FetchJUnit(context.Background(), f, "g/p", job, &diagnose.JobConfig{JUnit: tt.junit}, 0)
			gotNames := names(got)
			if strings.Join(gotNames, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("tests\n got %q\nwant %q", gotNames, tt.want)
			}
			if f.fileCalls != 0 {
				t.Errorf("%d single-file requests with a glob", f.fileCalls)
			}
			checkWarnings(t, w, tt.warnings)
			for _, tc := range got {
				if !reflect.DeepEqual(tc.JobIDs, []int64{77}) || tc.Source != "junit" {
					t.Errorf("case %+v", tc)
				}
			}
		})
	}
}

func checkWarnings(t *testing.T, got, want []string) {
	t.Helper()
	all := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("warnings %q lack %q", got, w)
		}
	}
	if len(want) == 0 && len(got) > 0 {
		t.Errorf("unexpected warnings %q", got)
	}
}

func TestFetchJUnitExactPaths(t *testing.T) {
	f := &fakeArtifacts{files: map[string][]byte{"reports/TEST-a.xml": readFixture(t, "TEST-org.acme.FlakyTest.xml")}}
	job := gitlab.Job{ID: 5, Name: "unit"}
	got, w := FetchJUnit(context.Background(), f, "g/p", job, &diagnose.JobConfig{JUnit: []string{"./reports/TEST-a.xml", "reports/missing.xml"}}, 0)
	if len(got) != 1 || got[0].Status != diagnose.TestFlaky || got[0].Attempts < 2 {
		t.Errorf("tests %+v", got)
	}
	if f.zipCalls != 0 || f.fileCalls != 2 {
		t.Errorf("calls: %d files, %d archives", f.fileCalls, f.zipCalls)
	}
	checkWarnings(t, w, []string{"job unit (5): JUnit file reports/missing.xml is not in the artifacts archive"})

	// Nothing to read: no requests.
	for _, tc := range []struct {
		job gitlab.Job
		cfg *diagnose.JobConfig
	}{
		{job, nil},
		{job, &diagnose.JobConfig{}},
		{gitlab.Job{ID: 6, Bridge: true}, &diagnose.JobConfig{JUnit: []string{"x.xml"}}},
	} {
		f := &fakeArtifacts{}
		if got, w := FetchJUnit(context.Background(), f, "g/p", tc.job, tc.cfg, 0); got != nil || w != nil || f.fileCalls+f.zipCalls != 0 {
			t.Errorf("%+v: %v %q", tc, got, w)
		}
	}
	// A job whose artifacts list has no archive: the report was uploaded
	// only as a junit report, which the API cannot download.
	f = &fakeArtifacts{}
	j := gitlab.Job{ID: 7, Name: "rspec", Artifacts: []gitlab.Artifact{{FileType: "junit", Size: 10}}}
	_, w = FetchJUnit(context.Background(), f, "g/p", j, &diagnose.JobConfig{JUnit: []string{"rspec.xml"}}, 0)
	checkWarnings(t, w, []string{"not in an artifacts archive (list it under artifacts:paths too)"})
	if f.fileCalls+f.zipCalls != 0 {
		t.Error("requests for a job without an archive")
	}
}

func TestFetchJUnitArchiveOverCap(t *testing.T) {
	archive := makeZip(t, entry{"reports/TEST-a.xml", readFixture(t, "TEST-org.acme.FlakyTest.xml")})
	cfg := &diagnose.JobConfig{JUnit: []string{"reports/*.xml"}}

	// The job's artifacts list says the archive is too big: no request.
	f := &fakeArtifacts{archive: archive}
	big := gitlab.Job{ID: 8, Name: "it", Artifacts: []gitlab.Artifact{{FileType: "archive", Size: 80 << 20}}}
	got, w := FetchJUnit(context.Background(), f, "g/p", big, cfg, 0)
	if got != nil || f.zipCalls != 0 {
		t.Errorf("tests %v, %d downloads", got, f.zipCalls)
	}
	checkWarnings(t, w, []string{"artifacts archive is 80.0 MiB, over the 50.0 MiB limit (--max-artifact-size)"})

	// The server's Content-Length says so.
	f = &fakeArtifacts{archive: archive, size: 2 << 20}
	unknown := gitlab.Job{ID: 9, Name: "it"}
	_, w = FetchJUnit(context.Background(), f, "g/p", unknown, cfg, 1<<20)
	checkWarnings(t, w, []string{"artifacts archive is 2.0 MiB, over the 1.0 MiB limit"})

	// The size is unknown: the download stops at the cap.
	f = &fakeArtifacts{archive: archive, size: -1}
	_, w = FetchJUnit(context.Background(), f, "g/p", unknown, cfg, int64(len(archive)-1))
	checkWarnings(t, w, []string{"artifacts archive is over the"})
	f = &fakeArtifacts{archive: archive, size: -1}
	got, w = FetchJUnit(context.Background(), f, "g/p", unknown, cfg, int64(len(archive)))
	if len(got) != 1 || len(w) != 0 {
		t.Errorf("at the cap: %v %q", got, w)
	}
}

// TestFetchJUnitStopsDownloadAtCap serves an endless archive of unknown
// size through the real client and checks that far less than it was sent.
func TestFetchJUnitStopsDownloadAtCap(t *testing.T) {
	const total = 64 << 20
	sent := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != "/api/v4/projects/g%2Fp/jobs/10/artifacts" {
			t.Errorf("unexpected request %s", r.URL)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		chunk := bytes.Repeat([]byte("PK"), 16<<10)
		var n int64
		for n < total {
			k, err := w.Write(chunk)
			n += int64(k)
			if err != nil {
				break
			}
			w.(http.Flusher).Flush()
		}
		sent <- n
	}))
	t.Cleanup(srv.Close)
	c, err := gitlab.New(gitlab.Config{BaseURL: srv.URL, Token: "t", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	job := gitlab.Job{ID: 10, Name: "it"}
	_, w := FetchJUnit(context.Background(), c, "g/p", job, &diagnose.JobConfig{JUnit: []string{"**/*.xml"}}, 1<<20)
	checkWarnings(t, w, []string{"artifacts archive is over the 1.0 MiB limit"})
	if n := <-sent; n >= total/2 {
		t.Errorf("server sent %d of %d bytes", n, total)
	}
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestFetchJUnitZipBomb puts entries that expand far beyond the limits
// next to a real report: the bombs are refused or cut short, the report is
// still read.
func TestFetchJUnitZipBomb(t *testing.T) {
	oldBudget, oldCap := junitBudget, junitFileCap
	junitBudget, junitFileCap = 4<<20, 1<<20
	t.Cleanup(func() { junitBudget, junitFileCap = oldBudget, oldCap })

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	raw := func(h *zip.FileHeader, data []byte) {
		w, err := zw.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	// An entry that says it expands to 40 MiB: over junit's 30 MiB per
	// file, refused before reading.
	raw(&zip.FileHeader{Name: "a/TEST-bomb.xml", Method: zip.Deflate, UncompressedSize64: 40 << 20, CompressedSize64: 4}, []byte{1, 2, 3, 4})
	// A gzip file inside the archive that expands to 16 MiB of zeros: cut
	// at the per-file limit.
	add("b/TEST-gzbomb.xml", gz(t, make([]byte, 16<<20)))
	add("c/TEST-org.acme.FlakyTest.xml", readFixture(t, "TEST-org.acme.FlakyTest.xml"))
	// An entry that claims to be small but is not: archive/zip refuses
	// to read past the declared size.
	raw(&zip.FileHeader{Name: "d/TEST-liar.xml", Method: zip.Store, UncompressedSize64: 10, CompressedSize64: 1 << 20},
		bytes.Repeat([]byte("<"), 1<<20))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	archive := buf.Bytes()
	if len(archive) > 2<<20 {
		t.Fatalf("archive is %d bytes", len(archive))
	}
	f := &fakeArtifacts{archive: archive}
	got, warnings := FetchJUnit(context.Background(), f, "g/p", gitlab.Job{ID: 11, Name: "bombs"},
		&diagnose.JobConfig{JUnit: []string{"**/TEST-*.xml"}}, 0)
	if !reflect.DeepEqual(names(got), []string{"org.acme.FlakyTest.testFlaky:flaky"}) {
		t.Errorf("tests %q", names(got))
	}
	checkWarnings(t, warnings, []string{
		"JUnit file a/TEST-bomb.xml is 40.0 MiB uncompressed, over the 1.0 MiB a file may have; not read",
		"JUnit file b/TEST-gzbomb.xml read in part",
		"JUnit file d/TEST-liar.xml read in part",
	})
}

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"reports/junit.xml", "reports/junit.xml", true},
		{"reports/*.xml", "reports/junit.xml", true},
		{"reports/*.xml", "reports/sub/junit.xml", false},
		{"**/TEST-*.xml", "TEST-a.xml", true},
		{"**/TEST-*.xml", "a/b/c/TEST-a.xml", true},
		{"**/TEST-*.xml", "a/b/c/test-a.xml", false},
		{"a/**/b/*.xml", "a/b/x.xml", true},
		{"a/**/b/*.xml", "a/x/y/b/x.xml", true},
		{"a/**/**/b/*.xml", "a/b/x.xml", true},
		{"a/**", "a/x/y", true},
		{"junit-?.xml", "junit-1.xml", true},
		{"junit-[0-9].xml", "junit-x.xml", false},
		{"{unit,it}/*.xml", "it/r.xml", true},
		{"{unit,it}/*.xml", "e2e/r.xml", false},
		{"r-{a,{b,c}}.xml", "r-c.xml", true},
		{"[", "[", false}, // malformed pattern
	}
	for _, tt := range tests {
		if got := matchGlob(tt.pattern, tt.name); got != tt.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestArtifactPattern(t *testing.T) {
	job := gitlab.Job{ID: 42, Name: "rspec 3/4", Stage: "test", SHA: "0123456789abcdef", PipelineID: 7}
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"reports/junit.xml", "reports/junit.xml", true},
		{"./reports//junit.xml", "reports/junit.xml", true},
		{"$CI_PROJECT_DIR/rspec.xml", "rspec.xml", true},
		{"${CI_PROJECT_DIR}/rspec.xml", "rspec.xml", true},
		{"rspec-$CI_NODE_INDEX-of-${CI_NODE_TOTAL}.xml", "rspec-3-of-4.xml", true},
		{"out/$CI_JOB_ID/$CI_COMMIT_SHORT_SHA.xml", "out/42/01234567.xml", true},
		{"out/$MY_DIR/r.xml", "out/*/r.xml", true},
		{"/abs/r.xml", "", false},
		{"../up.xml", "", false},
		{".", "", false},
	}
	for _, tt := range tests {
		got, ok := artifactPattern(tt.in, job)
		if got != tt.want || ok != tt.ok {
			t.Errorf("artifactPattern(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMergeTests(t *testing.T) {
	rep := func(jobs []int64, class, name string, st diagnose.TestStatus) diagnose.TestCase {
		return diagnose.TestCase{JobIDs: jobs, Classname: class, Name: name, Status: st, Source: "test_report"}
	}
	ju := func(job int64, class, name string, st diagnose.TestStatus, file string) diagnose.TestCase {
		return diagnose.TestCase{JobIDs: []int64{job}, Classname: class, Name: name, Status: st, Source: "junit",
			File: file, Message: "msg " + name}
	}
	id := func(cs []diagnose.TestCase) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Source+":"+c.Classname+"."+c.Name+":"+string(c.Status)+":"+strconv.Itoa(len(c.JobIDs)))
		}
		return out
	}
	tests := []struct {
		name       string
		report, ju []diagnose.TestCase
		want       []string
	}{
		{"junit replaces same job and name, in place",
			[]diagnose.TestCase{rep([]int64{1}, "a", "t1", diagnose.TestFailed), rep([]int64{1}, "a", "t2", diagnose.TestSuccess)},
			[]diagnose.TestCase{ju(1, "a", "t1", diagnose.TestFailed, "a.py")},
			[]string{"junit:a.t1:failed:1", "test_report:a.t2:success:1"}},
		{"jobs without junit keep their report cases",
			[]diagnose.TestCase{rep([]int64{2}, "a", "t1", diagnose.TestFailed)},
			[]diagnose.TestCase{ju(1, "a", "t1", diagnose.TestFailed, "")},
			[]string{"test_report:a.t1:failed:1", "junit:a.t1:failed:1"}},
		{"parallel suite case replaced by the job that ran it",
			[]diagnose.TestCase{rep([]int64{1, 2}, "a", "t1", diagnose.TestFailed)},
			[]diagnose.TestCase{ju(2, "a", "t1", diagnose.TestFailed, "")},
			[]string{"junit:a.t1:failed:1"}},
		{"flaky in junit replaces a success",
			[]diagnose.TestCase{rep([]int64{1}, "a", "t1", diagnose.TestSuccess)},
			[]diagnose.TestCase{ju(1, "a", "t1", diagnose.TestFlaky, "")},
			[]string{"junit:a.t1:flaky:1"}},
		{"junit duplicates across files kept once",
			nil,
			[]diagnose.TestCase{ju(1, "a", "t1", diagnose.TestFailed, "x"), ju(1, "a", "t1", diagnose.TestFailed, "x"), ju(1, "a", "t1", diagnose.TestFailed, "y")},
			[]string{"junit:a.t1:failed:1", "junit:a.t1:failed:1"}},
		{"report duplicates of one junit case collapse",
			[]diagnose.TestCase{rep([]int64{1}, "a", "t1", diagnose.TestFailed), rep([]int64{1}, "a", "t1", diagnose.TestError)},
			[]diagnose.TestCase{ju(1, "a", "t1", diagnose.TestFailed, "")},
			[]string{"junit:a.t1:failed:1"}},
		{"empty", nil, nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := id(MergeTests(tt.report, tt.ju))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFetchJUnitTotalBudget(t *testing.T) {
	flaky := readFixture(t, "TEST-org.acme.FlakyTest.xml")
	oldBudget := junitBudget
	junitBudget = int64(len(flaky)) + 100
	t.Cleanup(func() { junitBudget = oldBudget })
	archive := makeZip(t,
		entry{"a/TEST-flaky.xml", flaky},
		entry{"b/TEST-failing.xml", readFixture(t, "TEST-org.apache.maven.surefire.test.FailingTest.xml")},
		entry{"c/TEST-flaky2.xml", flaky},
	)
	got, w := FetchJUnit(context.Background(), &fakeArtifacts{archive: archive}, "g/p", gitlab.Job{ID: 12, Name: "many"},
		&diagnose.JobConfig{JUnit: []string{"**/TEST-*.xml"}}, 0)
	if !reflect.DeepEqual(names(got), []string{"org.acme.FlakyTest.testFlaky:flaky"}) {
		t.Errorf("tests %q", names(got))
	}
	checkWarnings(t, w, []string{
		"JUnit file b/TEST-failing.xml is 11 KiB uncompressed, over the 1 KiB left of the 36 KiB all JUnit files of a job may have; not read",
		"JUnit file c/TEST-flaky2.xml is 36 KiB uncompressed, over the 1 KiB left",
	})
}

// configClient serves merged configurations and repository files by
// project and path, and counts the reads.
type configClient struct {
	fakeArtifacts
	merged    map[string]string // project → merged yaml
	repo      map[string]string // project + ":" + path → file
	lintCalls int
	fileReads []string
}

func (c *configClient) MergedCIConfig(_ context.Context, project, _ string) (string, error) {
	c.lintCalls++
	y, ok := c.merged[project]
	if !ok {
		return "", fmt.Errorf("ci configuration in %s: %w", project, gitlab.ErrForbidden)
	}
	return y, nil
}

func (c *configClient) RawFile(_ context.Context, project, path, ref string) (io.ReadCloser, error) {
	c.fileReads = append(c.fileReads, project+":"+path+"@"+ref)
	y, ok := c.repo[project+":"+path]
	if !ok {
		return nil, fmt.Errorf("file %s in %s: %w", path, project, gitlab.ErrNotFound)
	}
	return io.NopCloser(strings.NewReader(y)), nil
}

func TestFetchGraphConfigsChildPipelines(t *testing.T) {
	const parent = `stages: [build]
gen:
  script: make
docs:
  trigger:
    include: docs/ci.yml
many:
  trigger:
    include:
      - local: a.yml
      - project: other/proj
        file: x.yml
      - local: b.yml
remote:
  trigger:
    include:
      - remote: https://example.com/c.yml
`
	files := map[string]string{
		"g/p:docs/ci.yml": "default:\n  image: alpine:3\n.t: &t\n  stage: test\nbuild-docs:\n  <<: *t\n  script: mkdocs build\nnested:\n  trigger:\n    include: {local: deeper.yml}\n",
		"g/p:a.yml":       "job-a:\n  image: golang:1.24\n  script: go test ./...\n",
		"g/p:b.yml":       ".base:\n  image: node:22\njob-b:\n  extends: .base\n  script: npm test\n",
		"g/p:deeper.yml":  "deep:\n  script: ./deep.sh\n",
	}
	root := gitlab.Pipeline{ID: 1, ProjectPath: "g/p", SHA: "abc", Kind: gitlab.KindRoot}
	child := func(id, parentID int64, bridge string) gitlab.Pipeline {
		return gitlab.Pipeline{ID: id, ProjectPath: "g/p", SHA: "abc", Kind: gitlab.KindChild, ParentID: parentID, BridgeName: bridge}
	}
	job := func(id, pipeline int64, name string) gitlab.Job {
		return gitlab.Job{ID: id, PipelineID: pipeline, Name: name, ProjectPath: "g/p", SHA: "abc"}
	}
	tests := []struct {
		name      string
		merged    map[string]string
		pipelines []gitlab.Pipeline
		jobs      []gitlab.Job
		want      map[int64]string // job id → image or first script line
		reads     []string
		warnings  []string // substrings, in order
	}{
		{name: "string include", merged: map[string]string{"g/p": parent},
			pipelines: []gitlab.Pipeline{root, child(2, 1, "docs")},
			jobs:      []gitlab.Job{job(20, 2, "build-docs")},
			want:      map[int64]string{20: "alpine:3 mkdocs build"},
			reads:     []string{"g/p:docs/ci.yml@abc"}},
		{name: "several local files, other kinds warned about once", merged: map[string]string{"g/p": parent},
			pipelines: []gitlab.Pipeline{root, child(2, 1, "many"), child(3, 1, "many")},
			jobs:      []gitlab.Job{job(20, 2, "job-a"), job(21, 2, "job-b"), job(30, 3, "job-b"), job(10, 1, "gen")},
			want:      map[int64]string{10: " make", 20: "golang:1.24 go test ./...", 21: "node:22 npm test", 30: "node:22 npm test"},
			reads:     []string{"g/p:a.yml@abc", "g/p:b.yml@abc"},
			warnings:  []string{`ci configuration a.yml, b.yml of g/p at abc: trigger job "many" includes x.yml of the project other/proj, which is not read`}},
		{name: "child of a child", merged: map[string]string{"g/p": parent},
			pipelines: []gitlab.Pipeline{root, child(2, 1, "docs"), child(3, 2, "nested")},
			jobs:      []gitlab.Job{job(30, 3, "deep")},
			want:      map[int64]string{30: " ./deep.sh"},
			reads:     []string{"g/p:docs/ci.yml@abc", "g/p:deeper.yml@abc"}},
		{name: "no local include", merged: map[string]string{"g/p": parent},
			pipelines: []gitlab.Pipeline{root, child(2, 1, "remote")},
			jobs:      []gitlab.Job{job(20, 2, "anything")},
			want:      map[int64]string{},
			warnings:  []string{`child pipeline 2: trigger job "remote" includes no file of the project`}},
		{name: "unknown job in the child file", merged: map[string]string{"g/p": parent},
			pipelines: []gitlab.Pipeline{root, child(2, 1, "docs")},
			jobs:      []gitlab.Job{job(20, 2, "nope")},
			want:      map[int64]string{},
			reads:     []string{"g/p:docs/ci.yml@abc"},
			warnings:  []string{`ci configuration docs/ci.yml of g/p at abc defines no job named "nope"`}},
		{name: "missing file", merged: map[string]string{"g/p": "x:\n  trigger:\n    include: gone.yml\n"},
			pipelines: []gitlab.Pipeline{root, child(2, 1, "x")},
			jobs:      []gitlab.Job{job(20, 2, "a")},
			want:      map[int64]string{},
			reads:     []string{"g/p:gone.yml@abc"},
			warnings:  []string{`ci configuration gone.yml of g/p at abc: trigger job "x" includes gone.yml, which could not be read (file gone.yml in g/p: not found)`}},
		{name: "parent lint forbidden", merged: map[string]string{},
			pipelines: []gitlab.Pipeline{root, child(2, 1, "docs")},
			jobs:      []gitlab.Job{job(20, 2, "build-docs")},
			want:      map[int64]string{},
			warnings:  []string{"forbidden; job definitions"}},
		{name: "unknown parent", merged: map[string]string{"g/p": parent},
			pipelines: []gitlab.Pipeline{child(2, 9, "docs")},
			jobs:      []gitlab.Job{job(20, 2, "build-docs")},
			want:      map[int64]string{},
			warnings:  []string{"child pipeline 2: its parent pipeline or trigger job is unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &configClient{merged: tt.merged, repo: files}
			g := &gitlab.Graph{Pipelines: tt.pipelines, FailedJobs: tt.jobs}
			cfgs, warnings := FetchGraphConfigs(context.Background(), c, g)
			got := map[int64]string{}
			for id, jc := range cfgs {
				got[id] = jc.Image + " " + strings.Join(jc.Script, ";")
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("configs %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(c.fileReads, tt.reads) {
				t.Errorf("file reads %q, want %q", c.fileReads, tt.reads)
			}
			if c.lintCalls > 1 {
				t.Errorf("%d lint calls for one project and commit", c.lintCalls)
			}
			if len(warnings) != len(tt.warnings) {
				t.Fatalf("warnings %q, want %d", warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				if !strings.Contains(warnings[i], w) {
					t.Errorf("warning %q, want it to contain %q", warnings[i], w)
				}
			}
		})
	}
}
