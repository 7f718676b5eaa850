package shared

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

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
}

// Fetcher is the part of the GitLab client Collect uses.
type Fetcher interface {
	FetchGraph(ctx context.Context, project string, pipelineID int64, opts gitlab.FetchOptions) (*gitlab.Graph, error)
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
			if o.Job != "" && job.Name != o.Job {
				_, err := io.Copy(io.Discard, r)
				return err
			}
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
	for _, j := range jobs {
		if o.Job != "" && j.Name != o.Job {
			continue
		}
		dj := JobFrom(j)
		facts, ok := logs[j.ID]
		switch {
		case !ok:
		case facts.Result != nil:
			ApplyLog(&dj, facts.Result)
		}
		var blocks = facts.Blocks
		ev.Jobs = append(ev.Jobs, diagnose.JobEvidence{Job: dj, Blocks: blocks})
	}
	if o.Job != "" && len(ev.Jobs) == 0 {
		ev.Warnings = append(ev.Warnings, fmt.Sprintf("no failed job named %q in this pipeline", o.Job))
	}
	keep := map[int64]bool{}
	for _, j := range ev.Jobs {
		keep[j.Job.ID] = true
	}
	pids := make([]int64, 0, len(graph.TestReports))
	for id := range graph.TestReports {
		pids = append(pids, id)
	}
	sort.Slice(pids, func(a, b int) bool { return pids[a] < pids[b] })
	for _, id := range pids {
		for _, tc := range TestsFromReport(graph.TestReports[id], graph.TestSummaries[id]) {
			if o.Job != "" && !anyKept(tc.JobIDs, keep) {
				continue
			}
			ev.Tests = append(ev.Tests, tc)
		}
	}
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
	return rep, err
}

func anyKept(ids []int64, keep map[int64]bool) bool {
	if len(ids) == 0 {
		return true
	}
	for _, id := range ids {
		if keep[id] {
			return true
		}
	}
	return false
}
