package commands

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/fakegitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/glabconfig"
)

// TestEndToEndThreePagesOfJobs: 230 failed jobs come in three pages of 100;
// every one is reported, and pages are followed through X-Next-Page.
func TestEndToEndThreePagesOfJobs(t *testing.T) {
	sc := newScenario(77, "big/monorepo", fakegitlab.Pipeline{ID: 900, Ref: "main", SHA: "0123456789abcdef0123456789abcdef01234567"})
	const n = 230
	for i := 0; i < n; i++ {
		trace := runnerLog{image: "golang:1.23", project: "big/monorepo", ref: "main", sha: "0123456789abcdef0123456789abcdef01234567", start: 1767603600,
			script: fmt.Sprintf("$ go test ./pkg%d/...\n--- FAIL: TestPkg%d (0.00s)\n    pkg_test.go:9: boom\nFAIL", i, i),
			final:  "ERROR: Job failed: exit code 1"}.bytes()
		sc.AddJob(fakegitlab.Job{ID: int64(10000 + i), PipelineID: 900, Name: fmt.Sprintf("test %d/%d", i+1, n), Stage: "test", Status: "failed"}, trace)
	}
	srv := fakegitlab.NewTB(t, sc, fakegitlab.Options{OmitTotals: true})
	env, _ := glabEnv(t, glabconfig.TestHost{Name: srv.Host(), Token: scenarioToken, APIProtocol: "http"}, nil)
	res := runCLI(t, env, "900", "-R", "big/monorepo", "--output", "json")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var rep struct {
		Jobs []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Jobs) != n {
		t.Errorf("jobs reported = %d, want %d", len(rep.Jobs), n)
	}
	pages := map[string]bool{}
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/pipelines/900/jobs") {
			pages[r.Query] = true
		}
	}
	if len(pages) != 3 {
		t.Errorf("job list requests = %v, want 3 pages", pages)
	}
}

// TestEndToEndYAMLErrors: a pipeline that never ran because its
// configuration is invalid says so.
func TestEndToEndYAMLErrors(t *testing.T) {
	msg := "jobs:unit-tests config contains unknown keys: scirpt"
	sc := newScenario(78, "acme/broken", fakegitlab.Pipeline{ID: 901, Ref: "main", SHA: "89abcdef0123456789abcdef0123456789abcdef", YAMLErrors: &msg})
	srv := fakegitlab.NewTB(t, sc, fakegitlab.Options{})
	env, _ := glabEnv(t, glabconfig.TestHost{Name: srv.Host(), Token: scenarioToken, APIProtocol: "http"}, nil)
	res := runCLI(t, env, "901", "-R", "acme/broken")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "unknown keys: scirpt") {
		t.Errorf("the YAML error is not reported:\n%s", res.stdout)
	}
}
