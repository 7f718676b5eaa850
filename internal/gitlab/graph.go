package gitlab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	gl "gitlab.com/gitlab-org/api/client-go"
)

// FetchOptions tunes FetchGraph.
type FetchOptions struct {
	// OnTrace is called for the trace of every failed job (allowed
	// failures only with IncludeAllowedFailures), concurrently but at most
	// Config.Concurrency at a time. r streams the raw body as it arrives
	// and is valid only during the call. A job without a log gives an
	// empty r. An error is kept in Graph.Problems. Nil means traces are
	// not read.
	OnTrace func(ctx context.Context, job Job, r io.Reader) error
	// Progress, when set, receives a snapshot after every step. Calls are
	// serialised.
	Progress func(Progress)
	// IncludeAllowedFailures also reads the traces of failed jobs marked
	// allow_failure.
	IncludeAllowedFailures bool
}

// maxDepth bounds the walk down bridges; GitLab itself stops far earlier.
const maxDepth = 16

// FetchGraph reads pipeline pipelineID of project and everything it
// triggered: the pipelines reached through bridges (child and
// multi-project, recursively), their failed jobs (latest attempt per name),
// test reports and summaries, and streams the trace of every failed job
// into opts.OnTrace. Independent requests run concurrently, bounded by
// Config.Concurrency.
//
// The returned Graph is never nil. The error is non-nil when the root
// pipeline could not be read or ctx ended; in the latter case the Graph
// holds what was learned before. Other failures land in Graph.Problems.
func (c *Client) FetchGraph(ctx context.Context, project string, pipelineID int64, opts FetchOptions) (*Graph, error) {
	ictx, cancel := context.WithCancel(ctx)
	defer cancel()
	f := &fetcher{
		c:         c,
		opts:      opts,
		ctx:       ictx,
		cancel:    cancel,
		sem:       make(chan struct{}, c.concurrency),
		nodes:     map[int64]*node{},
		reports:   map[int64]*TestReport{},
		summaries: map[int64]*TestReportSummary{},
	}
	root := Pipeline{ID: pipelineID, Kind: KindRoot}
	if !isNumeric(project) {
		root.ProjectPath = project
	} else {
		root.ProjectID, _ = strconv.ParseInt(project, 10, 64)
	}
	f.addNode(project, root, 0, 0)
	f.wg.Wait()

	g := f.graph()
	if f.rootErr != nil {
		return g, f.rootErr
	}
	if err := ctx.Err(); err != nil {
		return g, fmt.Errorf("fetching pipeline %d of %s: %w", pipelineID, project, err)
	}
	return g, nil
}

type node struct {
	id       int64
	p        Pipeline // guarded by fetcher.mu
	project  string   // project id or path as used in URLs
	depth    int
	bridgeID int64 // the bridge that triggered it, for ordering
}

type fetcher struct {
	c      *Client
	opts   FetchOptions
	ctx    context.Context
	cancel context.CancelFunc
	sem    chan struct{}
	wg     sync.WaitGroup

	mu        sync.Mutex
	nodes     map[int64]*node
	failed    []Job
	allowed   []Job
	reports   map[int64]*TestReport
	summaries map[int64]*TestReportSummary
	problems  []error
	rootErr   error

	pmu  sync.Mutex
	prog Progress
}

func (f *fetcher) acquire() error {
	select {
	case f.sem <- struct{}{}:
		return nil
	case <-f.ctx.Done():
		return f.ctx.Err()
	}
}

func (f *fetcher) release() { <-f.sem }

// problem records a partial failure, unless the fetch is being stopped.
func (f *fetcher) problem(err error) {
	if f.ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return
	}
	f.mu.Lock()
	f.problems = append(f.problems, err)
	f.mu.Unlock()
}

func (f *fetcher) progress(update func(*Progress)) {
	f.pmu.Lock()
	defer f.pmu.Unlock()
	update(&f.prog)
	if f.opts.Progress != nil {
		f.opts.Progress(f.prog)
	}
}

// addNode registers a pipeline once (the cycle guard) and starts reading it.
func (f *fetcher) addNode(project string, p Pipeline, depth int, bridgeID int64) {
	f.mu.Lock()
	if _, seen := f.nodes[p.ID]; seen {
		f.mu.Unlock()
		return
	}
	n := &node{id: p.ID, p: p, project: project, depth: depth, bridgeID: bridgeID}
	f.nodes[p.ID] = n
	f.mu.Unlock()
	f.progress(func(pr *Progress) { pr.Pipelines++ })

	f.wg.Go(func() { f.readPipeline(n) })
	f.wg.Go(func() { f.readJobsAndBridges(n) })
	f.wg.Go(func() { f.readTestReport(n) })
	f.wg.Go(func() { f.readTestSummary(n) })
}

func (f *fetcher) what(n *node) string {
	return fmt.Sprintf("pipeline %d", n.id)
}

func (f *fetcher) readPipeline(n *node) {
	if err := f.acquire(); err != nil {
		return
	}
	p, err := f.c.Pipeline(f.ctx, n.project, n.id)
	f.release()
	if err != nil {
		if n.depth == 0 {
			f.mu.Lock()
			if f.rootErr == nil {
				f.rootErr = err
			}
			f.mu.Unlock()
			f.cancel()
			return
		}
		f.problem(err)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old := n.p
	n.p = *p
	n.p.ParentID, n.p.BridgeName, n.p.Kind, n.p.NoJobs = old.ParentID, old.BridgeName, old.Kind, old.NoJobs
	if n.p.ProjectPath == "" {
		n.p.ProjectPath = old.ProjectPath
	}
	if n.p.ProjectID == 0 {
		n.p.ProjectID = old.ProjectID
	}
}

func (f *fetcher) readJobsAndBridges(n *node) {
	var (
		jobs    []Job
		bridges []*gl.Bridge
		jobsErr error
		brErr   error
		inner   sync.WaitGroup
	)
	inner.Go(func() { jobs, jobsErr = f.listFailedJobs(n) })
	inner.Go(func() { bridges, brErr = f.listBridges(n) })
	inner.Wait()
	if f.ctx.Err() != nil {
		return
	}
	if jobsErr != nil {
		f.problem(f.c.wrapErr(jobsErr, "failed jobs of "+f.what(n), n.project))
	} else {
		f.takeJobs(n, jobs)
	}
	if brErr != nil {
		f.problem(f.c.wrapErr(brErr, "bridges of "+f.what(n), n.project))
	} else {
		f.followBridges(n, bridges)
	}
	if jobsErr == nil && brErr == nil && len(jobs) == 0 && len(bridges) == 0 {
		f.checkEmpty(n)
	}
}

func (f *fetcher) listFailedJobs(n *node) ([]Job, error) {
	opt := &gl.ListJobsOptions{
		ListOptions: gl.ListOptions{PerPage: 100},
		Scope:       &[]gl.BuildStateValue{gl.Failed},
	}
	f.mu.Lock()
	pid, ppath := n.p.ProjectID, n.p.ProjectPath
	f.mu.Unlock()
	var out []Job
	err := f.c.eachPage(f.ctx, func(ctx context.Context, page gl.RequestOptionFunc) (*gl.Response, error) {
		if err := f.acquire(); err != nil {
			return nil, err
		}
		defer f.release()
		list, resp, err := f.c.api.Jobs.ListPipelineJobs(n.project, n.id, opt, gl.WithContext(ctx), page)
		for _, j := range list {
			if j != nil {
				out = append(out, f.c.jobFrom(j, n.id, pid, ppath))
			}
		}
		return resp, err
	})
	return out, err
}

func (f *fetcher) listBridges(n *node) ([]*gl.Bridge, error) {
	opt := &gl.ListJobsOptions{ListOptions: gl.ListOptions{PerPage: 100}}
	var out []*gl.Bridge
	err := f.c.eachPage(f.ctx, func(ctx context.Context, page gl.RequestOptionFunc) (*gl.Response, error) {
		if err := f.acquire(); err != nil {
			return nil, err
		}
		defer f.release()
		list, resp, err := f.c.api.Jobs.ListPipelineBridges(n.project, n.id, opt, gl.WithContext(ctx), page)
		for _, b := range list {
			if b != nil {
				out = append(out, b)
			}
		}
		return resp, err
	})
	return out, err
}

// latestPerName keeps, among jobs of the same name, the one with the
// highest id: GitLab has no "retried" flag and the newest attempt wins.
func latestPerName(jobs []Job) []Job {
	best := map[string]int{}
	var out []Job
	for _, j := range jobs {
		if i, ok := best[j.Name]; ok {
			if j.ID > out[i].ID {
				out[i] = j
			}
			continue
		}
		best[j.Name] = len(out)
		out = append(out, j)
	}
	return out
}

func (f *fetcher) takeJobs(n *node, jobs []Job) {
	jobs = latestPerName(jobs)
	var traced []Job
	f.mu.Lock()
	for _, j := range jobs {
		if j.Status != "" && j.Status != "failed" {
			continue
		}
		if j.ProjectPath == "" {
			j.ProjectPath = n.p.ProjectPath
		}
		if j.ProjectID == 0 {
			j.ProjectID = n.p.ProjectID
		}
		if j.AllowFailure {
			f.allowed = append(f.allowed, j)
			if f.opts.IncludeAllowedFailures {
				traced = append(traced, j)
			}
		} else {
			f.failed = append(f.failed, j)
			traced = append(traced, j)
		}
	}
	f.mu.Unlock()
	if f.opts.OnTrace == nil {
		traced = nil
	}
	f.progress(func(p *Progress) {
		p.FailedJobs += len(jobs)
		p.TracesTotal += len(traced)
	})
	for _, j := range traced {
		f.wg.Go(func() { f.readTrace(n, j) })
	}
}

func (f *fetcher) followBridges(n *node, bridges []*gl.Bridge) {
	f.mu.Lock()
	parentProject := n.p.ProjectID
	parentPath := n.p.ProjectPath
	f.mu.Unlock()
	slices.SortFunc(bridges, func(a, b *gl.Bridge) int { return compareInt64(a.ID, b.ID) })
	for _, b := range bridges {
		if b.Pipeline.ProjectID != 0 {
			parentProject = b.Pipeline.ProjectID
		}
		d := b.DownstreamPipeline
		if d == nil || d.ID == 0 {
			if b.Status == "failed" {
				j := f.c.bridgeJobFrom(b, n.id, parentProject, parentPath)
				f.mu.Lock()
				if j.AllowFailure {
					f.allowed = append(f.allowed, j)
				} else {
					f.failed = append(f.failed, j)
				}
				f.mu.Unlock()
				f.progress(func(p *Progress) { p.FailedJobs++ })
			}
			continue
		}
		if n.depth+1 > maxDepth {
			f.problem(fmt.Errorf("downstream pipeline %d of bridge %q of pipeline %d in %s: deeper than %d levels, not followed",
				d.ID, b.Name, n.id, n.project, maxDepth))
			continue
		}
		child := f.c.pipelineFromInfo(d)
		child.ParentID = n.id
		child.BridgeName = b.Name
		project := n.project
		switch {
		case d.ProjectID == 0 || d.ProjectID == parentProject:
			child.Kind = KindChild
			if child.ProjectID == 0 {
				child.ProjectID = parentProject
			}
			if child.ProjectPath == "" {
				child.ProjectPath = parentPath
			}
		default:
			child.Kind = KindMultiProject
			project = strconv.FormatInt(d.ProjectID, 10)
			if child.ProjectPath != "" {
				project = child.ProjectPath
			}
		}
		f.addNode(project, child, n.depth+1, b.ID)
	}
}

// checkEmpty tells a pipeline that has no jobs at all from one that merely
// has no failed jobs.
func (f *fetcher) checkEmpty(n *node) {
	if err := f.acquire(); err != nil {
		return
	}
	defer f.release()
	ctx, cancel := f.c.reqCtx(f.ctx)
	defer cancel()
	list, _, err := f.c.api.Jobs.ListPipelineJobs(n.project, n.id,
		&gl.ListJobsOptions{ListOptions: gl.ListOptions{PerPage: 1}}, gl.WithContext(ctx))
	if err != nil {
		f.problem(f.c.wrapErr(err, "jobs of "+f.what(n), n.project))
		return
	}
	if len(list) == 0 {
		f.mu.Lock()
		n.p.NoJobs = true
		f.mu.Unlock()
	}
}

func (f *fetcher) readTestReport(n *node) {
	if err := f.acquire(); err != nil {
		return
	}
	var r TestReport
	_, err := f.c.getJSON(f.ctx, fmt.Sprintf("projects/%s/pipelines/%d/test_report", projectPath(n.project), n.id), nil, &r)
	f.release()
	if err != nil {
		f.problem(f.c.wrapErr(err, "test report of "+f.what(n), n.project))
		return
	}
	f.mu.Lock()
	f.reports[n.id] = &r
	f.mu.Unlock()
}

func (f *fetcher) readTestSummary(n *node) {
	if err := f.acquire(); err != nil {
		return
	}
	var s TestReportSummary
	_, err := f.c.getJSON(f.ctx, fmt.Sprintf("projects/%s/pipelines/%d/test_report_summary", projectPath(n.project), n.id), nil, &s)
	f.release()
	if err != nil {
		f.problem(f.c.wrapErr(err, "test report summary of "+f.what(n), n.project))
		return
	}
	f.mu.Lock()
	f.summaries[n.id] = &s
	f.mu.Unlock()
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (f *fetcher) readTrace(n *node, j Job) {
	var read int64
	defer func() {
		f.progress(func(p *Progress) {
			p.TracesDone++
			p.Bytes += read
		})
	}()
	if err := f.acquire(); err != nil {
		return
	}
	defer f.release()
	what := fmt.Sprintf("trace of job %d (%s)", j.ID, j.Name)
	body, err := f.c.openStream(f.ctx, fmt.Sprintf("projects/%s/jobs/%d/trace", projectPath(n.project), j.ID))
	var r io.Reader
	switch {
	case err == nil:
		defer body.Close()
		r = body
	case errors.Is(err, gl.ErrNotFound):
		// The job was listed, so a 404 here means it has no log.
		r = strings.NewReader("")
	default:
		f.problem(f.c.wrapErr(err, what, n.project))
		return
	}
	cr := &countingReader{r: r}
	err = f.opts.OnTrace(f.ctx, j, cr)
	read = cr.n
	if err != nil {
		f.problem(fmt.Errorf("reading %s in %s: %w", what, n.project, err))
	}
}

// graph assembles the result: pipelines depth-first from the root, jobs in
// pipeline order then by id.
func (f *fetcher) graph() *Graph {
	f.mu.Lock()
	defer f.mu.Unlock()
	children := map[int64][]*node{}
	var root *node
	for _, n := range f.nodes {
		if n.depth == 0 {
			root = n
			continue
		}
		children[n.p.ParentID] = append(children[n.p.ParentID], n)
	}
	g := &Graph{
		TestReports:   f.reports,
		TestSummaries: f.summaries,
		Problems:      slices.Clone(f.problems),
	}
	order := map[int64]int{}
	var walk func(n *node)
	walk = func(n *node) {
		if _, seen := order[n.id]; seen {
			return
		}
		order[n.id] = len(g.Pipelines)
		g.Pipelines = append(g.Pipelines, n.p)
		kids := children[n.id]
		slices.SortFunc(kids, func(a, b *node) int {
			if c := compareInt64(a.bridgeID, b.bridgeID); c != 0 {
				return c
			}
			return compareInt64(a.id, b.id)
		})
		for _, k := range kids {
			walk(k)
		}
	}
	if root != nil {
		walk(root)
	}
	byOrder := func(a, b Job) int {
		if c := order[a.PipelineID] - order[b.PipelineID]; c != 0 {
			return c
		}
		return compareInt64(a.ID, b.ID)
	}
	g.FailedJobs = slices.Clone(f.failed)
	g.AllowedFailures = slices.Clone(f.allowed)
	// Jobs listed before their pipeline's record arrived may lack the
	// project; fill it in from the final record.
	for _, jobs := range [][]Job{g.FailedJobs, g.AllowedFailures} {
		for i := range jobs {
			n := f.nodes[jobs[i].PipelineID]
			if n == nil {
				continue
			}
			if jobs[i].ProjectPath == "" {
				jobs[i].ProjectPath = n.p.ProjectPath
			}
			if jobs[i].ProjectID == 0 {
				jobs[i].ProjectID = n.p.ProjectID
			}
		}
	}
	slices.SortFunc(g.FailedJobs, byOrder)
	slices.SortFunc(g.AllowedFailures, byOrder)
	return g
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
