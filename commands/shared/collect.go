package shared

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/gitlab"
)

// CollectOptions tune Collect.
type CollectOptions struct {
	// Progress receives fetch progress (jobs found, traces done, bytes).
	Progress func(gitlab.Progress)
	// Job narrows the report to the failed jobs with this name.
	Job string
	// Project describes the project of the root pipeline.
	Project diagnose.Project
	// MaxArtifactSize caps the artifact archive downloaded to find JUnit
	// files matched by a glob (0: DefaultMaxArtifactSize; negative: never
	// download an archive).
	MaxArtifactSize int64
	// Concurrency bounds the JUnit artifact requests in flight.
	Concurrency int
}

// Fetcher is the part of the GitLab client Collect uses.
type Fetcher interface {
	FetchGraph(ctx context.Context, project string, pipelineID int64, opts gitlab.FetchOptions) (*gitlab.Graph, error)
	ArtifactClient
}

// Collect fetches a pipeline's graph, reads every failed job's log while it
// streams, and builds the ranked report. What could not be fetched becomes a
// warning; an interrupted fetch (Ctrl-C) still returns what was learned, with
// the error.
func Collect(ctx context.Context, client Fetcher, project string, pipelineID int64, o CollectOptions) (*diagnose.Report, error) {
	var mu sync.Mutex
	logs := map[int64]LogFacts{}
	graph, err := client.FetchGraph(ctx, project, pipelineID, gitlab.FetchOptions{
		IncludeAllowedFailures: true,
		Progress:               o.Progress,
		OnTrace: func(ctx context.Context, job gitlab.Job, r io.Reader) error {
			facts := ReadLog(r)
			mu.Lock()
			logs[job.ID] = facts
			mu.Unlock()
			return facts.Err
		},
	})
	if graph == nil {
		if err == nil {
			err = errors.New("no pipeline data")
		}
		return nil, err
	}
	ev := diagnose.Evidence{Project: o.Project}
	for _, p := range graph.Pipelines {
		ev.Pipelines = append(ev.Pipelines, PipelineFrom(p))
	}
	jobs := append(append([]gitlab.Job(nil), graph.FailedJobs...), graph.AllowedFailures...)
	var cfgs map[int64]*diagnose.JobConfig
	var junitTests []diagnose.TestCase
	if err == nil {
		var warns []string
		cfgs, warns = FetchGraphConfigs(ctx, client, graph)
		ev.Warnings = append(ev.Warnings, warns...)
		var jwarns []string
		junitTests, jwarns = fetchAllJUnit(ctx, client, project, jobs, cfgs, o)
		ev.Warnings = append(ev.Warnings, jwarns...)
	}
	for _, j := range jobs {
		dj := JobFrom(j)
		if c := cfgs[j.ID]; c != nil {
			dj.Needs = append([]string(nil), c.Needs...)
		}
		facts, ok := logs[j.ID]
		switch {
		case !ok:
		case facts.Result != nil:
			ApplyLog(&dj, facts.Result)
		}
		ev.Jobs = append(ev.Jobs, diagnose.JobEvidence{Job: dj, Blocks: facts.Blocks, Config: cfgs[j.ID]})
	}
	pids := make([]int64, 0, len(graph.TestReports))
	for id := range graph.TestReports {
		pids = append(pids, id)
	}
	sort.Slice(pids, func(a, b int) bool { return pids[a] < pids[b] })
	var reportTests []diagnose.TestCase
	for _, id := range pids {
		reportTests = append(reportTests, TestsFromReport(graph.TestReports[id], graph.TestSummaries[id])...)
	}
	ev.Tests = MergeTests(reportTests, junitTests)
	for _, p := range graph.Problems {
		ev.Warnings = append(ev.Warnings, p.Error())
	}
	for _, j := range ev.Jobs {
		if f, ok := logs[j.Job.ID]; ok && f.Err != nil {
			ev.Warnings = append(ev.Warnings, fmt.Sprintf("log of job %s (%d) was read only in part: %v", j.Job.Name, j.Job.ID, f.Err))
		}
	}
	if err != nil {
		ev.Warnings = append(ev.Warnings, "the fetch was interrupted; this report is incomplete: "+err.Error())
	}
	rep := diagnose.Build(ev)
	if o.Job != "" {
		rep = NarrowToJob(rep, o.Job)
	}
	return rep, err
}

// fetchAllJUnit reads the JUnit files of every failed job whose CI
// definition names some, a bounded number of jobs at a time. The API's
// test report drops what these files keep: failure messages and types,
// file and line, reruns. A job whose files cannot be read gives warnings,
// never an error, so the group never cancels the others.
func fetchAllJUnit(ctx context.Context, client ArtifactClient, project string, jobs []gitlab.Job,
	cfgs map[int64]*diagnose.JobConfig, o CollectOptions) ([]diagnose.TestCase, []string) {
	limit := o.Concurrency
	if limit <= 0 {
		limit = gitlab.DefaultConcurrency
	}
	results := make([][]diagnose.TestCase, len(jobs))
	warns := make([][]string, len(jobs))
	var g errgroup.Group
	g.SetLimit(limit)
	for i, j := range jobs {
		cfg := cfgs[j.ID]
		if cfg == nil || len(cfg.JUnit) == 0 {
			continue
		}
		proj := j.ProjectPath
		if proj == "" {
			proj = project
		}
		g.Go(func() error {
			if ctx.Err() == nil {
				results[i], warns[i] = FetchJUnit(ctx, client, proj, j, cfg, o.MaxArtifactSize)
			}
			return nil
		})
	}
	_ = g.Wait()
	var tests []diagnose.TestCase
	var all []string
	for i := range jobs {
		tests = append(tests, results[i]...)
		all = append(all, warns[i]...)
	}
	return tests, all
}

// NarrowToJob keeps what concerns the failed job named name. The report is
// built from every job first, so a test of a parallel suite is still matched
// to the job whose log shows it, and ranks keep their order.
func NarrowToJob(rep *diagnose.Report, name string) *diagnose.Report {
	out := *rep
	out.Jobs, out.Causes, out.Tests, out.Repro = nil, nil, nil, nil
	ids := map[int64]bool{}
	for _, j := range rep.Jobs {
		if j.Name == name {
			out.Jobs = append(out.Jobs, j)
			ids[j.ID] = true
		}
	}
	has := func(jobIDs []int64) bool {
		for _, id := range jobIDs {
			if ids[id] {
				return true
			}
		}
		return false
	}
	// Ranks are renumbered within the job; ids (which tests refer to
	// their cause by) are kept.
	for _, c := range rep.Causes {
		if has(c.JobIDs) {
			c.Rank = len(out.Causes) + 1
			out.Causes = append(out.Causes, c)
		}
	}
	for _, t := range rep.Tests {
		if has(t.JobIDs) {
			t.Rank = len(out.Tests) + 1
			out.Tests = append(out.Tests, t)
		}
	}
	for _, r := range rep.Repro {
		if ids[r.JobID] {
			out.Repro = append(out.Repro, r)
		}
	}
	out.Warnings = append([]string(nil), rep.Warnings...)
	if len(out.Jobs) == 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("no failed job named %q in this pipeline", name))
	}
	s := diagnose.Summary{TotalTests: rep.Summary.TotalTests, Causes: len(out.Causes)}
	for _, j := range out.Jobs {
		if j.AllowFailure {
			s.AllowedFailures++
		} else {
			s.FailedJobs++
		}
	}
	for _, t := range out.Tests {
		if t.Status == diagnose.TestFlaky {
			s.FlakyTests++
		} else {
			s.FailingTests++
		}
	}
	out.Summary = s
	return &out
}
