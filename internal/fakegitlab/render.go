package fakegitlab

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// The types below are the JSON entities GitLab serves, with GitLab's field
// names and order (lib/api/entities). Pointers are fields that may be null.

type userJSON struct {
	ID        int64  `json:"id"`
	Username  string `json:"username"`
	Name      string `json:"name"`
	State     string `json:"state"`
	Locked    bool   `json:"locked"`
	AvatarURL string `json:"avatar_url"`
	WebURL    string `json:"web_url"`
}

type currentUserJSON struct {
	ID          int64   `json:"id"`
	Username    string  `json:"username"`
	Name        string  `json:"name"`
	State       string  `json:"state"`
	Locked      bool    `json:"locked"`
	AvatarURL   string  `json:"avatar_url"`
	WebURL      string  `json:"web_url"`
	CreatedAt   string  `json:"created_at"`
	Bio         string  `json:"bio"`
	Location    *string `json:"location"`
	PublicEmail *string `json:"public_email"`
	Email       string  `json:"email"`
	IsAdmin     bool    `json:"is_admin"`
	Bot         bool    `json:"bot"`
}

type namespaceJSON struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Path      string  `json:"path"`
	Kind      string  `json:"kind"`
	FullPath  string  `json:"full_path"`
	ParentID  *int64  `json:"parent_id"`
	AvatarURL *string `json:"avatar_url"`
	WebURL    string  `json:"web_url"`
}

type projectJSON struct {
	ID                int64         `json:"id"`
	Description       *string       `json:"description"`
	Name              string        `json:"name"`
	NameWithNamespace string        `json:"name_with_namespace"`
	Path              string        `json:"path"`
	PathWithNamespace string        `json:"path_with_namespace"`
	CreatedAt         string        `json:"created_at"`
	DefaultBranch     string        `json:"default_branch"`
	TagList           []string      `json:"tag_list"`
	Topics            []string      `json:"topics"`
	SSHURLToRepo      string        `json:"ssh_url_to_repo"`
	HTTPURLToRepo     string        `json:"http_url_to_repo"`
	WebURL            string        `json:"web_url"`
	ReadmeURL         *string       `json:"readme_url"`
	AvatarURL         *string       `json:"avatar_url"`
	ForksCount        int           `json:"forks_count"`
	StarCount         int           `json:"star_count"`
	LastActivityAt    string        `json:"last_activity_at"`
	Namespace         namespaceJSON `json:"namespace"`
	Visibility        string        `json:"visibility"`
	Archived          bool          `json:"archived"`
	BuildsAccessLevel string        `json:"builds_access_level"`
}

type pipelineBasicJSON struct {
	ID        int64   `json:"id"`
	IID       int64   `json:"iid"`
	ProjectID int64   `json:"project_id"`
	SHA       string  `json:"sha"`
	Ref       string  `json:"ref"`
	Status    string  `json:"status"`
	Source    string  `json:"source"`
	CreatedAt *string `json:"created_at"`
	UpdatedAt *string `json:"updated_at"`
	WebURL    string  `json:"web_url"`
}

type pipelineListJSON struct {
	ID        int64   `json:"id"`
	IID       int64   `json:"iid"`
	ProjectID int64   `json:"project_id"`
	SHA       string  `json:"sha"`
	Ref       string  `json:"ref"`
	Status    string  `json:"status"`
	Source    string  `json:"source"`
	CreatedAt *string `json:"created_at"`
	UpdatedAt *string `json:"updated_at"`
	WebURL    string  `json:"web_url"`
	Name      *string `json:"name"`
}

type detailedStatusJSON struct {
	Icon         string  `json:"icon"`
	Text         string  `json:"text"`
	Label        string  `json:"label"`
	Group        string  `json:"group"`
	Tooltip      string  `json:"tooltip"`
	HasDetails   bool    `json:"has_details"`
	DetailsPath  string  `json:"details_path"`
	Illustration *string `json:"illustration"`
	Favicon      string  `json:"favicon"`
}

type pipelineJSON struct {
	ID             int64              `json:"id"`
	IID            int64              `json:"iid"`
	ProjectID      int64              `json:"project_id"`
	SHA            string             `json:"sha"`
	Ref            string             `json:"ref"`
	Status         string             `json:"status"`
	Source         string             `json:"source"`
	CreatedAt      *string            `json:"created_at"`
	UpdatedAt      *string            `json:"updated_at"`
	WebURL         string             `json:"web_url"`
	BeforeSHA      string             `json:"before_sha"`
	Tag            bool               `json:"tag"`
	YAMLErrors     *string            `json:"yaml_errors"`
	User           userJSON           `json:"user"`
	StartedAt      *string            `json:"started_at"`
	FinishedAt     *string            `json:"finished_at"`
	CommittedAt    *string            `json:"committed_at"`
	Duration       *int64             `json:"duration"`
	QueuedDuration *int64             `json:"queued_duration"`
	Coverage       *string            `json:"coverage"`
	DetailedStatus detailedStatusJSON `json:"detailed_status"`
	Name           *string            `json:"name"`
	Archived       bool               `json:"archived"`
}

type commitJSON struct {
	ID             string   `json:"id"`
	ShortID        string   `json:"short_id"`
	CreatedAt      string   `json:"created_at"`
	ParentIDs      []string `json:"parent_ids"`
	Title          string   `json:"title"`
	Message        string   `json:"message"`
	AuthorName     string   `json:"author_name"`
	AuthorEmail    string   `json:"author_email"`
	AuthoredDate   string   `json:"authored_date"`
	CommitterName  string   `json:"committer_name"`
	CommitterEmail string   `json:"committer_email"`
	CommittedDate  string   `json:"committed_date"`
	WebURL         string   `json:"web_url"`
}

type jobProjectJSON struct {
	CIJobTokenScopeEnabled bool `json:"ci_job_token_scope_enabled"`
}

type artifactFileJSON struct {
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
}

// jobBasicJSON holds the fields the Job entity and the Bridge entity share.
type jobBasicJSON struct {
	ID             int64             `json:"id"`
	Status         string            `json:"status"`
	Stage          string            `json:"stage"`
	Name           string            `json:"name"`
	Ref            string            `json:"ref"`
	Tag            bool              `json:"tag"`
	Coverage       *float64          `json:"coverage"`
	AllowFailure   bool              `json:"allow_failure"`
	CreatedAt      string            `json:"created_at"`
	StartedAt      *string           `json:"started_at"`
	FinishedAt     *string           `json:"finished_at"`
	ErasedAt       *string           `json:"erased_at"`
	Duration       *float64          `json:"duration"`
	QueuedDuration *float64          `json:"queued_duration"`
	User           userJSON          `json:"user"`
	Commit         commitJSON        `json:"commit"`
	Pipeline       pipelineBasicJSON `json:"pipeline"`
	FailureReason  string            `json:"failure_reason,omitempty"`
	WebURL         string            `json:"web_url"`
	Project        jobProjectJSON    `json:"project"`
	Archived       bool              `json:"archived"`
	Source         string            `json:"source"`
}

// jobJSON is the Job entity; bridges are the shared fields plus
// downstream_pipeline (bridgeJSON).
type jobJSON struct {
	jobBasicJSON
	ArtifactsFile     *artifactFileJSON `json:"artifacts_file,omitempty"`
	Artifacts         []Artifact        `json:"artifacts"`
	Runner            rawOrNull         `json:"runner"`
	RunnerManager     rawOrNull         `json:"runner_manager"`
	ArtifactsExpireAt *string           `json:"artifacts_expire_at"`
	TagList           []string          `json:"tag_list"`
}

type bridgeJSON struct {
	jobBasicJSON
	DownstreamPipeline *pipelineBasicJSON `json:"downstream_pipeline"`
}

type mrListJSON struct {
	ID                        int64      `json:"id"`
	IID                       int64      `json:"iid"`
	ProjectID                 int64      `json:"project_id"`
	Title                     string     `json:"title"`
	Description               string     `json:"description"`
	State                     string     `json:"state"`
	CreatedAt                 string     `json:"created_at"`
	UpdatedAt                 string     `json:"updated_at"`
	MergedBy                  *userJSON  `json:"merged_by"`
	MergedAt                  *string    `json:"merged_at"`
	ClosedBy                  *userJSON  `json:"closed_by"`
	ClosedAt                  *string    `json:"closed_at"`
	TargetBranch              string     `json:"target_branch"`
	SourceBranch              string     `json:"source_branch"`
	UserNotesCount            int        `json:"user_notes_count"`
	Upvotes                   int        `json:"upvotes"`
	Downvotes                 int        `json:"downvotes"`
	Author                    userJSON   `json:"author"`
	Assignees                 []userJSON `json:"assignees"`
	Assignee                  *userJSON  `json:"assignee"`
	Reviewers                 []userJSON `json:"reviewers"`
	SourceProjectID           int64      `json:"source_project_id"`
	TargetProjectID           int64      `json:"target_project_id"`
	Labels                    []string   `json:"labels"`
	Draft                     bool       `json:"draft"`
	WorkInProgress            bool       `json:"work_in_progress"`
	Milestone                 *struct{}  `json:"milestone"`
	MergeWhenPipelineSucceeds bool       `json:"merge_when_pipeline_succeeds"`
	MergeStatus               string     `json:"merge_status"`
	DetailedMergeStatus       string     `json:"detailed_merge_status"`
	SHA                       string     `json:"sha"`
	MergeCommitSHA            *string    `json:"merge_commit_sha"`
	SquashCommitSHA           *string    `json:"squash_commit_sha"`
	DiscussionLocked          *bool      `json:"discussion_locked"`
	ShouldRemoveSourceBranch  *bool      `json:"should_remove_source_branch"`
	ForceRemoveSourceBranch   bool       `json:"force_remove_source_branch"`
	Reference                 string     `json:"reference"`
	References                mrRefsJSON `json:"references"`
	WebURL                    string     `json:"web_url"`
	TimeStats                 mrTimeJSON `json:"time_stats"`
	Squash                    bool       `json:"squash"`
	TaskCompletionStatus      mrTaskJSON `json:"task_completion_status"`
	HasConflicts              bool       `json:"has_conflicts"`
	BlockingDiscussions       bool       `json:"blocking_discussions_resolved"`
}

type mrJSON struct {
	mrListJSON
	Subscribed            bool               `json:"subscribed"`
	ChangesCount          string             `json:"changes_count"`
	LatestBuildStartedAt  *string            `json:"latest_build_started_at"`
	LatestBuildFinishedAt *string            `json:"latest_build_finished_at"`
	FirstDeployedToProdAt *string            `json:"first_deployed_to_production_at"`
	Pipeline              *pipelineBasicJSON `json:"pipeline"`
	HeadPipeline          *pipelineJSON      `json:"head_pipeline"`
	DiffRefs              mrDiffRefsJSON     `json:"diff_refs"`
	MergeError            *string            `json:"merge_error"`
	User                  mrUserJSON         `json:"user"`
}

type mrRefsJSON struct {
	Short    string `json:"short"`
	Relative string `json:"relative"`
	Full     string `json:"full"`
}

type mrTimeJSON struct {
	TimeEstimate        int     `json:"time_estimate"`
	TotalTimeSpent      int     `json:"total_time_spent"`
	HumanTimeEstimate   *string `json:"human_time_estimate"`
	HumanTotalTimeSpent *string `json:"human_total_time_spent"`
}

type mrTaskJSON struct {
	Count          int `json:"count"`
	CompletedCount int `json:"completed_count"`
}

type mrDiffRefsJSON struct {
	BaseSHA  string `json:"base_sha"`
	HeadSHA  string `json:"head_sha"`
	StartSHA string `json:"start_sha"`
}

type mrUserJSON struct {
	CanMerge bool `json:"can_merge"`
}

// Note is one merge request note held by the server's notes store.
type Note struct {
	ID           int64    `json:"id"`
	Type         *string  `json:"type"`
	Body         string   `json:"body"`
	Attachment   *string  `json:"attachment"`
	Author       userJSON `json:"author"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
	System       bool     `json:"system"`
	NoteableID   int64    `json:"noteable_id"`
	NoteableType string   `json:"noteable_type"`
	ProjectID    int64    `json:"project_id"`
	NoteableIID  int64    `json:"noteable_iid"`
	Resolvable   bool     `json:"resolvable"`
	Confidential bool     `json:"confidential"`
	Internal     bool     `json:"internal"`
	Imported     bool     `json:"imported"`
	ImportedFrom string   `json:"imported_from"`
}

// rawOrNull marshals an author-supplied JSON value, or null when empty.
type rawOrNull []byte

func (r rawOrNull) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("null"), nil
	}
	return r, nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// renderer turns scenario values into entities for one request's base URL.
type renderer struct {
	ix  *index
	web string // origin for web_url fields, no trailing slash
}

func (r renderer) user() userJSON {
	u := r.ix.sc.User
	return userJSON{
		ID: u.ID, Username: u.Username, Name: u.Name, State: "active",
		AvatarURL: fmt.Sprintf("%s/uploads/-/system/user/avatar/%d/avatar.png", r.web, u.ID),
		WebURL:    r.web + "/" + u.Username,
	}
}

func (r renderer) currentUser() currentUserJSON {
	u := r.user()
	email := orDefault(r.ix.sc.User.Email, u.Username+"@example.com")
	return currentUserJSON{
		ID: u.ID, Username: u.Username, Name: u.Name, State: u.State, AvatarURL: u.AvatarURL, WebURL: u.WebURL,
		CreatedAt: DefaultTime, Email: email,
	}
}

func (r renderer) project(p *Project) projectJSON {
	ns := path.Dir(p.PathWithNamespace)
	base := path.Base(p.PathWithNamespace)
	name := orDefault(p.Name, base)
	nsParts := strings.Split(ns, "/")
	nameParts := append(append([]string{}, nsParts...), name)
	host := strings.TrimPrefix(strings.TrimPrefix(r.web, "https://"), "http://")
	var desc *string
	if p.Description != "" {
		desc = &p.Description
	}
	nsID := p.NamespaceID
	if nsID == 0 {
		nsID = 1000 + p.ID
	}
	created := orDefault(p.CreatedAt, DefaultTime)
	return projectJSON{
		ID: p.ID, Description: desc, Name: name,
		NameWithNamespace: strings.Join(nameParts, " / "),
		Path:              base, PathWithNamespace: p.PathWithNamespace,
		CreatedAt: created, DefaultBranch: orDefault(p.DefaultBranch, "main"),
		TagList: []string{}, Topics: []string{},
		SSHURLToRepo:   fmt.Sprintf("git@%s:%s.git", host, p.PathWithNamespace),
		HTTPURLToRepo:  fmt.Sprintf("%s/%s.git", r.web, p.PathWithNamespace),
		WebURL:         r.web + "/" + p.PathWithNamespace,
		LastActivityAt: created,
		Namespace: namespaceJSON{
			ID: nsID, Name: nsParts[len(nsParts)-1], Path: nsParts[len(nsParts)-1], Kind: "group",
			FullPath: ns, WebURL: r.web + "/groups/" + ns,
		},
		Visibility: orDefault(p.Visibility, "private"), BuildsAccessLevel: "enabled",
	}
}

func (r renderer) projectURL(projectID int64) string {
	if p := r.ix.projects[projectID]; p != nil {
		return r.web + "/" + p.PathWithNamespace
	}
	return r.web
}

func (r renderer) pipelineBasic(p *Pipeline) pipelineBasicJSON {
	created := orDefault(p.CreatedAt, DefaultTime)
	return pipelineBasicJSON{
		ID: p.ID, IID: p.IID, ProjectID: p.ProjectID, SHA: p.SHA, Ref: p.Ref, Status: p.Status,
		Source: orDefault(p.Source, "push"), CreatedAt: &created,
		UpdatedAt: nullable(orDefault(p.UpdatedAt, created)),
		WebURL:    fmt.Sprintf("%s/-/pipelines/%d", r.projectURL(p.ProjectID), p.ID),
	}
}

func (r renderer) pipelineListItem(p *Pipeline) pipelineListJSON {
	b := r.pipelineBasic(p)
	return pipelineListJSON{
		ID: b.ID, IID: b.IID, ProjectID: b.ProjectID, SHA: b.SHA, Ref: b.Ref, Status: b.Status,
		Source: b.Source, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, WebURL: b.WebURL,
		Name: nullable(p.Name),
	}
}

func (r renderer) pipeline(p *Pipeline) pipelineJSON {
	b := r.pipelineBasic(p)
	return pipelineJSON{
		ID: b.ID, IID: b.IID, ProjectID: b.ProjectID, SHA: b.SHA, Ref: b.Ref, Status: b.Status,
		Source: b.Source, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, WebURL: b.WebURL,
		BeforeSHA:  orDefault(p.BeforeSHA, "0000000000000000000000000000000000000000"),
		Tag:        p.Tag,
		YAMLErrors: p.YAMLErrors,
		User:       r.user(),
		StartedAt:  nullable(p.StartedAt), FinishedAt: nullable(p.FinishedAt), CommittedAt: nullable(p.CommittedAt),
		Duration: p.Duration, QueuedDuration: p.QueuedDuration, Coverage: p.Coverage,
		DetailedStatus: r.detailedStatus(p),
		Name:           nullable(p.Name),
	}
}

// detailedStatus mirrors GitLab's Gitlab::Ci::Status presenters, including
// "passed with warnings" for a successful pipeline with allowed failures.
func (r renderer) detailedStatus(p *Pipeline) detailedStatusJSON {
	group, text, label := p.Status, p.Status, p.Status
	switch p.Status {
	case "success":
		text, label = "Passed", "passed"
		for _, j := range r.ix.jobsByPipe[p.ID] {
			if j.Status == "failed" && j.AllowFailure && r.ix.current(j) {
				group, text, label = "success-with-warnings", "Warning", "passed with warnings"
				break
			}
		}
	case "failed":
		text, label = "Failed", "failed"
	case "running":
		text, label = "Running", "running"
	case "canceled":
		text, label = "Canceled", "canceled"
	case "pending":
		text, label = "Pending", "pending"
	case "skipped":
		text, label = "Skipped", "skipped"
	case "manual":
		text, label = "Manual", "manual action"
	}
	icon := "status_" + p.Status
	if group == "success-with-warnings" {
		icon = "status_warning"
	}
	return detailedStatusJSON{
		Icon: icon, Text: text, Label: label, Group: group, Tooltip: label, HasDetails: true,
		DetailsPath: fmt.Sprintf("/%s/-/pipelines/%d", r.ix.projects[p.ProjectID].PathWithNamespace, p.ID),
		Favicon:     "/assets/ci_favicons/favicon_" + icon + ".png",
	}
}

func (r renderer) commit(p *Pipeline) commitJSON {
	c := Commit{}
	if p.Commit != nil {
		c = *p.Commit
	}
	u := r.ix.sc.User
	short := p.SHA
	if len(short) > 8 {
		short = short[:8]
	}
	title := orDefault(c.Title, "Update "+p.Ref)
	created := orDefault(c.CreatedAt, orDefault(p.CreatedAt, DefaultTime))
	return commitJSON{
		ID: p.SHA, ShortID: short, CreatedAt: created, ParentIDs: []string{orDefault(p.BeforeSHA, "0000000000000000000000000000000000000000")},
		Title: title, Message: orDefault(c.Message, title+"\n"),
		AuthorName: orDefault(c.AuthorName, u.Name), AuthorEmail: orDefault(c.AuthorEmail, orDefault(u.Email, u.Username+"@example.com")),
		AuthoredDate: created, CommitterName: orDefault(c.AuthorName, u.Name),
		CommitterEmail: orDefault(c.AuthorEmail, orDefault(u.Email, u.Username+"@example.com")), CommittedDate: created,
		WebURL: fmt.Sprintf("%s/-/commit/%s", r.projectURL(p.ProjectID), p.SHA),
	}
}

func (r renderer) job(j *Job) jobJSON {
	p := r.ix.pipelines[j.PipelineID]
	out := jobJSON{
		jobBasicJSON: jobBasicJSON{
			ID: j.ID, Status: j.Status, Stage: j.Stage, Name: j.Name, Ref: orDefault(j.Ref, p.Ref), Tag: p.Tag,
			Coverage: j.Coverage, AllowFailure: j.AllowFailure,
			CreatedAt: orDefault(j.CreatedAt, orDefault(p.CreatedAt, DefaultTime)),
			StartedAt: nullable(j.StartedAt), FinishedAt: nullable(j.FinishedAt), ErasedAt: nullable(j.ErasedAt),
			Duration: j.Duration, QueuedDuration: j.QueuedDuration,
			User: r.user(), Commit: r.commit(p), Pipeline: r.pipelineBasic(p),
			WebURL:   fmt.Sprintf("%s/-/jobs/%d", r.projectURL(p.ProjectID), j.ID),
			Archived: j.Archived,
			Source:   orDefault(j.Source, orDefault(p.Source, "push")),
		},
		Artifacts:         []Artifact{},
		Runner:            rawOrNull(j.Runner),
		RunnerManager:     rawOrNull(j.RunnerManager),
		ArtifactsExpireAt: nullable(j.ArtifactsExpireAt),
		TagList:           append([]string{}, j.TagList...),
	}
	if string(out.Runner) == "null" {
		out.Runner = nil
	}
	if j.Status == "failed" {
		out.FailureReason = orDefault(j.FailureReason, "script_failure")
	}
	if z, ok := r.ix.zips[j.ID]; ok {
		out.ArtifactsFile = &artifactFileJSON{Filename: "artifacts.zip", Size: int64(len(z))}
		out.Artifacts = append(out.Artifacts,
			Artifact{FileType: "archive", Size: int64(len(z)), Filename: "artifacts.zip", FileFormat: "zip"},
			Artifact{FileType: "metadata", Size: int64(64 + 32*len(r.ix.sc.Artifacts[j.ID])), Filename: "metadata.gz", FileFormat: "gzip"})
	}
	if t, ok := r.ix.sc.Traces[j.ID]; ok && len(t) > 0 {
		out.Artifacts = append(out.Artifacts, Artifact{FileType: "trace", Size: int64(len(t)), Filename: "job.log", FileFormat: "raw"})
	}
	out.Artifacts = append(out.Artifacts, j.Artifacts...)
	sort.Strings(out.TagList)
	return out
}

func (r renderer) bridge(b *Bridge) bridgeJSON {
	out := bridgeJSON{jobBasicJSON: r.job(&b.Job).jobBasicJSON}
	if b.Status == "failed" && b.FailureReason == "" {
		out.FailureReason = "downstream_pipeline_creation_failed"
		if b.DownstreamPipelineID != 0 {
			out.FailureReason = "unknown_failure"
		}
	}
	if d := r.ix.pipelines[b.DownstreamPipelineID]; d != nil {
		pb := r.pipelineBasic(d)
		out.DownstreamPipeline = &pb
	}
	return out
}

func (r renderer) mrList(mr *MergeRequest) mrListJSON {
	p := r.ix.projects[mr.ProjectID]
	src := mr.SourceProjectID
	if src == 0 {
		src = mr.ProjectID
	}
	created := orDefault(mr.CreatedAt, DefaultTime)
	return mrListJSON{
		ID: mr.ID, IID: mr.IID, ProjectID: mr.ProjectID, Title: mr.Title, Description: mr.Description,
		State: orDefault(mr.State, "opened"), CreatedAt: created, UpdatedAt: orDefault(mr.UpdatedAt, created),
		TargetBranch: orDefault(mr.TargetBranch, orDefault(p.DefaultBranch, "main")), SourceBranch: mr.SourceBranch,
		Author: r.user(), Assignees: []userJSON{}, Reviewers: []userJSON{},
		SourceProjectID: src, TargetProjectID: mr.ProjectID, Labels: append([]string{}, mr.Labels...),
		Draft: mr.Draft, WorkInProgress: mr.Draft, MergeStatus: "can_be_merged", DetailedMergeStatus: "mergeable",
		SHA: mr.SHA, Reference: fmt.Sprintf("!%d", mr.IID),
		References: mrRefsJSON{Short: fmt.Sprintf("!%d", mr.IID), Relative: fmt.Sprintf("!%d", mr.IID),
			Full: fmt.Sprintf("%s!%d", p.PathWithNamespace, mr.IID)},
		WebURL:               fmt.Sprintf("%s/-/merge_requests/%d", r.projectURL(mr.ProjectID), mr.IID),
		TaskCompletionStatus: mrTaskJSON{}, BlockingDiscussions: true,
	}
}

func (r renderer) mr(mr *MergeRequest) mrJSON {
	out := mrJSON{mrListJSON: r.mrList(mr), ChangesCount: "1",
		DiffRefs: mrDiffRefsJSON{HeadSHA: mr.SHA, BaseSHA: mr.SHA, StartSHA: mr.SHA},
		User:     mrUserJSON{CanMerge: true}}
	if hp := r.ix.pipelines[mr.HeadPipelineID]; hp != nil {
		full := r.pipeline(hp)
		basic := r.pipelineBasic(hp)
		out.HeadPipeline = &full
		out.Pipeline = &basic
		out.LatestBuildStartedAt = nullable(hp.StartedAt)
		out.LatestBuildFinishedAt = nullable(hp.FinishedAt)
		if hp.BeforeSHA != "" {
			out.DiffRefs.BaseSHA, out.DiffRefs.StartSHA = hp.BeforeSHA, hp.BeforeSHA
		}
	}
	return out
}
