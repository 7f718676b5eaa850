package fakegitlab

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// TokenKind is how a token may be presented.
type TokenKind string

// Token kinds.
const (
	// TokenPersonal is a personal, project or group access token: accepted as
	// PRIVATE-TOKEN or as Authorization: Bearer.
	TokenPersonal TokenKind = "personal"
	// TokenOAuth is an OAuth access token: accepted only as Authorization: Bearer.
	TokenOAuth TokenKind = "oauth"
	// TokenJob is a CI job token: accepted only as JOB-TOKEN, and only on the
	// routes GitLab allows job tokens on.
	TokenJob TokenKind = "job"
)

// DefaultTime is the timestamp used where a scenario gives none.
const DefaultTime = "2026-01-05T09:00:00.000Z"

// Token is one credential the server accepts.
type Token struct {
	Value string    `json:"token"`
	Kind  TokenKind `json:"kind"`
}

// User is the owner of the accepted tokens, the author of pipelines, jobs and
// notes.
type User struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Email    string `json:"email,omitempty"`
}

// Project is one GitLab project.
type Project struct {
	ID                int64  `json:"id"`
	PathWithNamespace string `json:"path_with_namespace"` // group/sub/project
	Name              string `json:"name,omitempty"`      // default: the last path element
	Description       string `json:"description,omitempty"`
	DefaultBranch     string `json:"default_branch,omitempty"` // default "main"
	Visibility        string `json:"visibility,omitempty"`     // default "private"
	NamespaceID       int64  `json:"namespace_id,omitempty"`
	CreatedAt         string `json:"created_at,omitempty"`
	// CIConfig is the project's CI configuration, served as merged_yaml by
	// GET /projects/:id/ci/lint (verbatim: includes and extends are not
	// expanded). Empty: the lint answers that there is no configuration.
	CIConfig string `json:"ci_config,omitempty"`
	// Files are repository files by path from the root ("docs/.gitlab-ci.yml"),
	// served by GET /projects/:id/repository/files/:file_path/raw for every
	// commit. ".gitlab-ci.yml" defaults to CIConfig.
	Files map[string]string `json:"files,omitempty"`
}

// Commit is the commit a pipeline ran on, as shown in job JSON.
type Commit struct {
	Title       string `json:"title,omitempty"`
	Message     string `json:"message,omitempty"`
	AuthorName  string `json:"author_name,omitempty"`
	AuthorEmail string `json:"author_email,omitempty"`
	CreatedAt   string `json:"created_at,omitempty"`
}

// Pipeline is one pipeline. Empty timestamps are served as null.
type Pipeline struct {
	ID             int64   `json:"id"`
	IID            int64   `json:"iid"`
	ProjectID      int64   `json:"project_id"`
	Name           string  `json:"name,omitempty"`
	SHA            string  `json:"sha"`
	BeforeSHA      string  `json:"before_sha,omitempty"`
	Ref            string  `json:"ref"`
	Tag            bool    `json:"tag,omitempty"`
	Status         string  `json:"status"`
	Source         string  `json:"source,omitempty"` // default "push"
	CreatedAt      string  `json:"created_at,omitempty"`
	UpdatedAt      string  `json:"updated_at,omitempty"`
	StartedAt      string  `json:"started_at,omitempty"`
	FinishedAt     string  `json:"finished_at,omitempty"`
	CommittedAt    string  `json:"committed_at,omitempty"`
	Duration       *int64  `json:"duration,omitempty"`        // whole seconds
	QueuedDuration *int64  `json:"queued_duration,omitempty"` // whole seconds
	Coverage       *string `json:"coverage,omitempty"`
	YAMLErrors     *string `json:"yaml_errors,omitempty"`
	Commit         *Commit `json:"commit,omitempty"`
}

// Artifact is one entry of a job's artifacts list.
type Artifact struct {
	FileType   string `json:"file_type"`
	Size       int64  `json:"size"`
	Filename   string `json:"filename"`
	FileFormat string `json:"file_format"`
}

// Job is one CI job (a build). In a scenario folder the jobs of a pipeline
// are listed in pipelines/<id>/jobs.json and PipelineID may be left out.
type Job struct {
	ID                int64           `json:"id"`
	PipelineID        int64           `json:"pipeline_id,omitempty"`
	Name              string          `json:"name"`
	Stage             string          `json:"stage"`
	Status            string          `json:"status"`
	FailureReason     string          `json:"failure_reason,omitempty"` // served only when failed; default "script_failure"
	AllowFailure      bool            `json:"allow_failure,omitempty"`
	Ref               string          `json:"ref,omitempty"` // default: the pipeline's ref
	CreatedAt         string          `json:"created_at,omitempty"`
	StartedAt         string          `json:"started_at,omitempty"`
	FinishedAt        string          `json:"finished_at,omitempty"`
	ErasedAt          string          `json:"erased_at,omitempty"`
	Duration          *float64        `json:"duration,omitempty"`
	QueuedDuration    *float64        `json:"queued_duration,omitempty"`
	Coverage          *float64        `json:"coverage,omitempty"`
	TagList           []string        `json:"tag_list,omitempty"`
	Runner            json.RawMessage `json:"runner,omitempty"`         // object; null when absent
	RunnerManager     json.RawMessage `json:"runner_manager,omitempty"` // object; null when absent
	Artifacts         []Artifact      `json:"artifacts,omitempty"`      // report artifacts (junit, ...); archive, metadata and trace entries are added
	ArtifactsExpireAt string          `json:"artifacts_expire_at,omitempty"`
	Archived          bool            `json:"archived,omitempty"`
	Source            string          `json:"source,omitempty"` // default: the pipeline's source
}

// Bridge is a trigger job. DownstreamPipelineID names the pipeline it
// created (0: none, served as null); that pipeline may be in another project.
type Bridge struct {
	Job
	DownstreamPipelineID int64 `json:"downstream_pipeline_id,omitempty"`
}

// MergeRequest is one merge request.
type MergeRequest struct {
	ID              int64    `json:"id"`
	IID             int64    `json:"iid"`
	ProjectID       int64    `json:"project_id"`
	SourceProjectID int64    `json:"source_project_id,omitempty"` // default ProjectID
	Title           string   `json:"title"`
	Description     string   `json:"description,omitempty"`
	State           string   `json:"state,omitempty"` // default "opened"
	SourceBranch    string   `json:"source_branch"`
	TargetBranch    string   `json:"target_branch,omitempty"` // default: the project's default branch
	SHA             string   `json:"sha"`
	HeadPipelineID  int64    `json:"head_pipeline_id,omitempty"`
	Draft           bool     `json:"draft,omitempty"`
	Labels          []string `json:"labels,omitempty"`
	CreatedAt       string   `json:"created_at,omitempty"`
	UpdatedAt       string   `json:"updated_at,omitempty"`
}

// Scenario is everything a Server serves. Build one in memory or Load it from
// a folder. A Scenario must not be changed once a Server serves it; the MR
// notes store lives in the Server.
type Scenario struct {
	// WebBaseURL is the origin used in web_url fields, e.g.
	// "https://gitlab.example.com". Empty: the server's own URL.
	WebBaseURL    string
	User          User
	Tokens        []Token
	Projects      []*Project
	Pipelines     []*Pipeline
	Jobs          []*Job
	Bridges       []*Bridge
	MergeRequests []*MergeRequest
	// TestReports and TestReportSummaries are served verbatim, keyed by
	// pipeline id. A pipeline without one serves an empty report.
	TestReports         map[int64]json.RawMessage
	TestReportSummaries map[int64]json.RawMessage
	// Traces are the raw job logs, keyed by job id. Several jobs may share
	// one slice: it is never copied or changed.
	Traces map[int64][]byte
	// Artifacts are the files of each job's artifacts archive, keyed by job
	// id, then by path inside the archive ("reports/junit.xml").
	Artifacts map[int64]map[string][]byte
}

// NewScenario returns an empty scenario with one user and one personal
// access token.
func NewScenario(token string) *Scenario {
	return &Scenario{
		User:                User{ID: 1, Username: "root", Name: "Administrator"},
		Tokens:              []Token{{Value: token, Kind: TokenPersonal}},
		TestReports:         map[int64]json.RawMessage{},
		TestReportSummaries: map[int64]json.RawMessage{},
		Traces:              map[int64][]byte{},
		Artifacts:           map[int64]map[string][]byte{},
	}
}

// AddProject adds a project and returns it.
func (s *Scenario) AddProject(p Project) *Project {
	pp := &p
	s.Projects = append(s.Projects, pp)
	return pp
}

// AddPipeline adds a pipeline and returns it.
func (s *Scenario) AddPipeline(p Pipeline) *Pipeline {
	pp := &p
	s.Pipelines = append(s.Pipelines, pp)
	return pp
}

// AddJob adds a job with its trace (nil for none) and returns it.
func (s *Scenario) AddJob(j Job, trace []byte) *Job {
	jj := &j
	s.Jobs = append(s.Jobs, jj)
	if trace != nil {
		if s.Traces == nil {
			s.Traces = map[int64][]byte{}
		}
		s.Traces[j.ID] = trace
	}
	return jj
}

// AddBridge adds a trigger job and returns it.
func (s *Scenario) AddBridge(b Bridge) *Bridge {
	bb := &b
	s.Bridges = append(s.Bridges, bb)
	return bb
}

// AddArtifact adds one file to a job's artifacts archive.
func (s *Scenario) AddArtifact(jobID int64, name string, data []byte) {
	if s.Artifacts == nil {
		s.Artifacts = map[int64]map[string][]byte{}
	}
	if s.Artifacts[jobID] == nil {
		s.Artifacts[jobID] = map[string][]byte{}
	}
	s.Artifacts[jobID][name] = data
}

// scenarioFile is the shape of scenario.json.
type scenarioFile struct {
	WebBaseURL string  `json:"web_base_url"`
	User       User    `json:"user"`
	Tokens     []Token `json:"tokens"`
}

// Load reads a scenario folder (see the package documentation).
func Load(fsys fs.FS) (*Scenario, error) {
	s := NewScenario("")
	s.Tokens = nil
	var sf scenarioFile
	if err := readJSON(fsys, "scenario.json", &sf); err != nil {
		return nil, err
	}
	s.WebBaseURL = strings.TrimRight(sf.WebBaseURL, "/")
	if sf.User.ID != 0 {
		s.User = sf.User
	}
	s.Tokens = sf.Tokens

	if err := eachJSON(fsys, "projects", func(name string, id int64) error {
		var p Project
		if err := readJSON(fsys, name, &p); err != nil {
			return err
		}
		if p.ID == 0 {
			p.ID = id
		}
		if p.ID != id {
			return fmt.Errorf("reading %s: id %d does not match the file name", name, p.ID)
		}
		s.Projects = append(s.Projects, &p)
		return nil
	}); err != nil {
		return nil, err
	}

	if err := eachJSON(fsys, "pipelines", func(name string, id int64) error {
		var p Pipeline
		if err := readJSON(fsys, name, &p); err != nil {
			return err
		}
		if p.ID == 0 {
			p.ID = id
		}
		if p.ID != id {
			return fmt.Errorf("reading %s: id %d does not match the file name", name, p.ID)
		}
		s.Pipelines = append(s.Pipelines, &p)
		dir := path.Join("pipelines", strconv.FormatInt(id, 10))
		var jobs []*Job
		if err := readOptionalJSON(fsys, path.Join(dir, "jobs.json"), &jobs); err != nil {
			return err
		}
		for _, j := range jobs {
			if j.PipelineID == 0 {
				j.PipelineID = id
			}
			s.Jobs = append(s.Jobs, j)
		}
		var bridges []*Bridge
		if err := readOptionalJSON(fsys, path.Join(dir, "bridges.json"), &bridges); err != nil {
			return err
		}
		for _, b := range bridges {
			if b.PipelineID == 0 {
				b.PipelineID = id
			}
			s.Bridges = append(s.Bridges, b)
		}
		for _, f := range []struct {
			name string
			into map[int64]json.RawMessage
		}{{"test_report.json", s.TestReports}, {"test_report_summary.json", s.TestReportSummaries}} {
			b, err := fs.ReadFile(fsys, path.Join(dir, f.name))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return fmt.Errorf("reading %s: %w", path.Join(dir, f.name), err)
			}
			if !json.Valid(b) {
				return fmt.Errorf("reading %s: invalid JSON", path.Join(dir, f.name))
			}
			f.into[id] = json.RawMessage(b)
		}
		return nil
	}); err != nil {
		return nil, err
	}

	if err := eachJSON(fsys, "merge_requests", func(name string, _ int64) error {
		var mr MergeRequest
		if err := readJSON(fsys, name, &mr); err != nil {
			return err
		}
		s.MergeRequests = append(s.MergeRequests, &mr)
		return nil
	}); err != nil {
		return nil, err
	}

	// jobs/<id>/trace.log and jobs/<id>/artifacts/**.
	entries, err := fs.ReadDir(fsys, "jobs")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading jobs: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		id, err := strconv.ParseInt(e.Name(), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("reading jobs/%s: folder name is not a job id", e.Name())
		}
		dir := path.Join("jobs", e.Name())
		b, err := fs.ReadFile(fsys, path.Join(dir, "trace.log"))
		switch {
		case err == nil:
			s.Traces[id] = b
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("reading %s/trace.log: %w", dir, err)
		}
		adir := path.Join(dir, "artifacts")
		err = fs.WalkDir(fsys, adir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			s.AddArtifact(id, strings.TrimPrefix(p, adir+"/"), data)
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("reading %s: %w", adir, err)
		}
	}
	if _, err := newIndex(s); err != nil {
		return nil, err
	}
	return s, nil
}

func readJSON(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return nil
}

func readOptionalJSON(fsys fs.FS, name string, v any) error {
	if _, err := fs.Stat(fsys, name); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return readJSON(fsys, name, v)
}

// eachJSON calls fn for every dir/<number>.json, in numeric order.
func eachJSON(fsys fs.FS, dir string, fn func(name string, id int64) error) error {
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	type item struct {
		name string
		id   int64
	}
	var items []item
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		id, err := strconv.ParseInt(strings.TrimSuffix(e.Name(), ".json"), 10, 64)
		if err != nil {
			return fmt.Errorf("reading %s/%s: file name is not a number", dir, e.Name())
		}
		items = append(items, item{path.Join(dir, e.Name()), id})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].id < items[j].id })
	for _, it := range items {
		if err := fn(it.name, it.id); err != nil {
			return err
		}
	}
	return nil
}

// index is the read-only lookup structure a Server builds from a Scenario.
type index struct {
	sc            *Scenario
	projects      map[int64]*Project
	projectByPath map[string]*Project
	pipelines     map[int64]*Pipeline
	jobs          map[int64]*Job
	jobsByPipe    map[int64][]*Job    // id descending
	bridgesByPipe map[int64][]*Bridge // id descending
	mrs           map[[2]int64]*MergeRequest
	zips          map[int64][]byte
	tokens        map[string]TokenKind
}

func newIndex(s *Scenario) (*index, error) {
	ix := &index{
		sc:            s,
		projects:      map[int64]*Project{},
		projectByPath: map[string]*Project{},
		pipelines:     map[int64]*Pipeline{},
		jobs:          map[int64]*Job{},
		jobsByPipe:    map[int64][]*Job{},
		bridgesByPipe: map[int64][]*Bridge{},
		mrs:           map[[2]int64]*MergeRequest{},
		zips:          map[int64][]byte{},
		tokens:        map[string]TokenKind{},
	}
	for _, t := range s.Tokens {
		switch t.Kind {
		case TokenPersonal, TokenOAuth, TokenJob:
		default:
			return nil, fmt.Errorf("token kind %q: want personal, oauth or job", t.Kind)
		}
		if t.Value == "" {
			return nil, errors.New("empty token")
		}
		ix.tokens[t.Value] = t.Kind
	}
	for _, p := range s.Projects {
		if p.ID <= 0 || p.PathWithNamespace == "" || strings.Count(p.PathWithNamespace, "/") < 1 {
			return nil, fmt.Errorf("project %d %q: want a positive id and a group/project path", p.ID, p.PathWithNamespace)
		}
		if ix.projects[p.ID] != nil {
			return nil, fmt.Errorf("project %d defined twice", p.ID)
		}
		ix.projects[p.ID] = p
		ix.projectByPath[strings.ToLower(p.PathWithNamespace)] = p
	}
	for _, p := range s.Pipelines {
		if ix.pipelines[p.ID] != nil {
			return nil, fmt.Errorf("pipeline %d defined twice", p.ID)
		}
		if ix.projects[p.ProjectID] == nil {
			return nil, fmt.Errorf("pipeline %d: unknown project %d", p.ID, p.ProjectID)
		}
		if p.Status == "" {
			return nil, fmt.Errorf("pipeline %d: no status", p.ID)
		}
		ix.pipelines[p.ID] = p
	}
	seen := map[int64]bool{}
	for _, j := range s.Jobs {
		if seen[j.ID] || j.ID <= 0 {
			return nil, fmt.Errorf("job %d: id not positive or defined twice", j.ID)
		}
		seen[j.ID] = true
		if ix.pipelines[j.PipelineID] == nil {
			return nil, fmt.Errorf("job %d: unknown pipeline %d", j.ID, j.PipelineID)
		}
		if j.Name == "" || j.Status == "" {
			return nil, fmt.Errorf("job %d: name and status are required", j.ID)
		}
		ix.jobs[j.ID] = j
		ix.jobsByPipe[j.PipelineID] = append(ix.jobsByPipe[j.PipelineID], j)
	}
	for _, b := range s.Bridges {
		if seen[b.ID] || b.ID <= 0 {
			return nil, fmt.Errorf("bridge %d: id not positive or defined twice", b.ID)
		}
		seen[b.ID] = true
		if ix.pipelines[b.PipelineID] == nil {
			return nil, fmt.Errorf("bridge %d: unknown pipeline %d", b.ID, b.PipelineID)
		}
		if b.DownstreamPipelineID != 0 && ix.pipelines[b.DownstreamPipelineID] == nil {
			return nil, fmt.Errorf("bridge %d: unknown downstream pipeline %d", b.ID, b.DownstreamPipelineID)
		}
		ix.bridgesByPipe[b.PipelineID] = append(ix.bridgesByPipe[b.PipelineID], b)
	}
	for _, l := range ix.jobsByPipe {
		sort.Slice(l, func(a, b int) bool { return l[a].ID > l[b].ID })
	}
	for _, l := range ix.bridgesByPipe {
		sort.Slice(l, func(a, b int) bool { return l[a].ID > l[b].ID })
	}
	for id := range s.Traces {
		if ix.jobs[id] == nil {
			return nil, fmt.Errorf("trace for unknown job %d", id)
		}
	}
	for id, files := range s.Artifacts {
		if ix.jobs[id] == nil {
			return nil, fmt.Errorf("artifacts for unknown job %d", id)
		}
		z, err := buildZip(files)
		if err != nil {
			return nil, fmt.Errorf("artifacts of job %d: %w", id, err)
		}
		ix.zips[id] = z
	}
	for id := range s.TestReports {
		if ix.pipelines[id] == nil {
			return nil, fmt.Errorf("test report for unknown pipeline %d", id)
		}
	}
	for id := range s.TestReportSummaries {
		if ix.pipelines[id] == nil {
			return nil, fmt.Errorf("test report summary for unknown pipeline %d", id)
		}
	}
	for _, mr := range s.MergeRequests {
		if ix.projects[mr.ProjectID] == nil {
			return nil, fmt.Errorf("merge request !%d: unknown project %d", mr.IID, mr.ProjectID)
		}
		if mr.HeadPipelineID != 0 && ix.pipelines[mr.HeadPipelineID] == nil {
			return nil, fmt.Errorf("merge request !%d: unknown head pipeline %d", mr.IID, mr.HeadPipelineID)
		}
		k := [2]int64{mr.ProjectID, mr.IID}
		if ix.mrs[k] != nil {
			return nil, fmt.Errorf("merge request !%d defined twice", mr.IID)
		}
		ix.mrs[k] = mr
	}
	return ix, nil
}

func buildZip(files map[string][]byte) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			return nil, fmt.Errorf("adding %s: %w", n, err)
		}
		if _, err := w.Write(files[n]); err != nil {
			return nil, fmt.Errorf("adding %s: %w", n, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("closing archive: %w", err)
	}
	return buf.Bytes(), nil
}

// current tells whether j is the newest job of its name in its pipeline.
func (ix *index) current(j *Job) bool {
	for _, o := range ix.jobsByPipe[j.PipelineID] {
		if o.Name == j.Name && o.ID > j.ID {
			return false
		}
	}
	return true
}
