package fakegitlab

import (
	"io"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// TestClientGo reads the demo through the Go client the project uses:
// escaped project paths, pagination, bridges, traces and the test report.
func TestClientGo(t *testing.T) {
	s := demoServer(t, Options{})
	c, err := gitlab.NewClient(DemoToken, gitlab.WithBaseURL(s.APIURL()))
	if err != nil {
		t.Fatal(err)
	}
	failed := []gitlab.BuildStateValue{gitlab.Failed}
	opts := &gitlab.ListJobsOptions{Scope: &failed, ListOptions: gitlab.ListOptions{PerPage: 2}}
	var names []string
	for {
		jobs, resp, err := c.Jobs.ListPipelineJobs(DemoProjectPath, DemoPipelineID, opts)
		if err != nil {
			t.Fatalf("listing jobs: %v", err)
		}
		for _, j := range jobs {
			names = append(names, j.Name)
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(names) != 5 {
		t.Errorf("failed jobs %v", names)
	}
	bridges, _, err := c.Jobs.ListPipelineBridges(DemoProjectPath, DemoPipelineID, nil)
	if err != nil || len(bridges) != 1 || bridges[0].DownstreamPipeline == nil || bridges[0].DownstreamPipeline.ID != DemoChildID {
		t.Errorf("bridges %v %v", bridges, err)
	}
	tr, _, err := c.Jobs.GetTraceFile(DemoProjectPath, 5550101)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(tr)
	if len(b) == 0 {
		t.Error("empty trace")
	}
	rep, _, err := c.Pipelines.GetPipelineTestReport(DemoProjectPath, DemoPipelineID)
	if err != nil || rep.FailedCount != 5 {
		t.Errorf("test report %v %v", rep, err)
	}
	mr, _, err := c.MergeRequests.GetMergeRequest(DemoProjectPath, DemoMergeRequest, nil)
	if err != nil || mr.HeadPipeline == nil || mr.HeadPipeline.ID != DemoPipelineID {
		t.Errorf("merge request %v %v", mr, err)
	}
	for _, r := range s.Requests() {
		if r.Auth != AuthPrivateToken {
			t.Errorf("%s sent %s", r, r.Auth)
		}
	}
}
