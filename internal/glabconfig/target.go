package glabconfig

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// TargetKind says how the pipeline is chosen.
type TargetKind string

// Target kinds.
const (
	// TargetBranch: the latest pipeline of a branch, falling back to the
	// head pipeline of the branch's merge request (glab's
	// GetPipelineWithFallback).
	TargetBranch TargetKind = "branch"
	// TargetPipeline: a pipeline by id.
	TargetPipeline TargetKind = "pipeline"
	// TargetMR: the head pipeline of a merge request.
	TargetMR TargetKind = "merge_request"
	// TargetJob: the pipeline of a job.
	TargetJob TargetKind = "job"
)

// Target is what the pipeline argument names.
type Target struct {
	Kind TargetKind
	// Host and Project are set when the argument is a URL. Project may
	// still begin with the instance's subfolder; Config.RepoForTarget
	// strips it.
	Host    string
	Project string
	// Scheme is the URL's scheme, when the argument is a URL.
	Scheme     string
	PipelineID int64
	MRIID      int64
	JobID      int64
	// Branch is set for TargetBranch by Select.
	Branch string
}

// ParseTarget reads the pipeline argument: "" (the current branch), a
// pipeline id, or the URL of a pipeline, merge request or job, with or
// without the "/-/" separator, and with any trailing page
// (…/-/pipelines/42/failures, …/-/merge_requests/7/diffs#note_1).
func ParseTarget(arg string) (Target, error) {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return Target{Kind: TargetBranch}, nil
	}
	if id, ok := parseID(strings.TrimPrefix(arg, "#")); ok {
		return Target{Kind: TargetPipeline, PipelineID: id}, nil
	}
	if iid, ok := parseID(strings.TrimPrefix(arg, "!")); ok && strings.HasPrefix(arg, "!") {
		return Target{Kind: TargetMR, MRIID: iid}, nil
	}
	bad := func(why string) (Target, error) {
		return Target{}, &InputError{Msg: fmt.Sprintf(
			"cannot read %q: %s; give a pipeline id, or the URL of a pipeline, merge request or job", redactURL(arg), why)}
	}
	if !strings.Contains(arg, "://") {
		if _, err := strconv.ParseInt(arg, 10, 64); err == nil {
			return bad("a pipeline id is a positive number")
		}
		return bad("not a number or a URL")
	}
	u, err := url.Parse(arg)
	if err != nil {
		return bad("not a valid URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return bad("not an http(s) URL")
	}
	if u.Host == "" {
		return bad("the URL has no host")
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	t := Target{Host: u.Host, Scheme: u.Scheme}
	// The resource is the first pipelines|merge_requests|jobs segment after
	// "/-/", or, in old URLs without it, the last one followed by an id.
	kindAt := -1
	for i, s := range segs {
		if s == "-" && i+1 < len(segs) && i >= 2 {
			if _, ok := resourceKind(segs[i+1]); ok {
				kindAt = i + 1
				t.Project = strings.Join(segs[:i], "/")
				break
			}
		}
	}
	if kindAt < 0 && !containsSeg(segs, "-") {
		for i := len(segs) - 2; i >= 2; i-- {
			if _, ok := resourceKind(segs[i]); ok {
				if _, ok := parseID(segs[i+1]); ok {
					kindAt = i
					t.Project = strings.Join(segs[:i], "/")
					break
				}
			}
		}
	}
	if kindAt < 0 || kindAt+1 >= len(segs) {
		return bad("not the URL of a pipeline, merge request or job")
	}
	id, ok := parseID(segs[kindAt+1])
	if !ok {
		return bad("no id after /" + segs[kindAt] + "/")
	}
	if projectPath(t.Project) == "" {
		return bad("no project path in the URL")
	}
	t.Kind, _ = resourceKind(segs[kindAt])
	switch t.Kind {
	case TargetPipeline:
		t.PipelineID = id
	case TargetMR:
		t.MRIID = id
	case TargetJob:
		t.JobID = id
	}
	return t, nil
}

func containsSeg(segs []string, s string) bool {
	for _, x := range segs {
		if x == s {
			return true
		}
	}
	return false
}

func resourceKind(seg string) (TargetKind, bool) {
	switch seg {
	case "pipelines":
		return TargetPipeline, true
	case "merge_requests":
		return TargetMR, true
	case "jobs", "builds":
		return TargetJob, true
	}
	return "", false
}

// parseID parses a positive decimal id.
func parseID(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

// RepoForTarget is the project a URL target names: its host mapped to a
// known glab host (host:port, then host) and the instance subfolder removed
// from the path. It is false when the target is not a URL.
func (c *Config) RepoForTarget(t Target) (Repo, bool) {
	if t.Host == "" || t.Project == "" {
		return Repo{}, false
	}
	u := &url.URL{Scheme: t.Scheme, Host: t.Host, Path: "/" + t.Project}
	if u.Scheme == "" {
		u.Scheme = "https"
	}
	repo, _ := c.repoFromURL(u, nil)
	return repo, repo.FullPath != ""
}

// CurrentBranch is the checked-out branch (git symbolic-ref --quiet --short
// HEAD). A detached HEAD is an *InputError wrapping ErrNotOnAnyBranch.
func CurrentBranch(env Env) (string, error) {
	env = env.withDefaults()
	out, err := env.Git(env.WorkDir, "symbolic-ref", "--quiet", "--short", "HEAD")
	if err == nil {
		if b := strings.TrimSpace(out); b != "" {
			return b, nil
		}
	}
	if _, err2 := env.Git(env.WorkDir, "rev-parse", "--git-dir"); err2 != nil {
		return "", &RepoError{Msg: "not in a git checkout (" + env.WorkDir + "), so there is no current branch", Err: err2,
			Fix: "give a pipeline id or URL, --mr or --branch"}
	}
	return "", &InputError{Msg: "HEAD is detached, so there is no current branch; give a pipeline id or URL, --mr or --branch",
		Err: ErrNotOnAnyBranch}
}

// SelectOptions are the command's pipeline-selecting inputs.
type SelectOptions struct {
	Arg    string // the positional argument: "", an id, a URL
	Repo   string // -R
	MRIID  int64  // --mr
	Branch string // --branch
}

// Selection is the project and what to diagnose in it.
type Selection struct {
	Repo   Repo
	Target Target
}

// Select combines the argument, -R, --mr and --branch into a Selection:
// a URL names its own project (and must agree with -R when both are
// given); otherwise the project comes from ResolveRepo. Without an id, URL
// or --mr the target is the latest pipeline of --branch or the current
// branch.
func Select(env Env, cfg *Config, opts SelectOptions) (*Selection, error) {
	env = env.withDefaults()
	t, err := ParseTarget(opts.Arg)
	if err != nil {
		return nil, err
	}
	hasArg := t.Kind != TargetBranch
	switch {
	case opts.MRIID < 0:
		return nil, &InputError{Msg: "--mr takes a merge request IID (a positive number)"}
	case hasArg && opts.MRIID > 0:
		return nil, &InputError{Msg: "give either a pipeline argument or --mr, not both"}
	case hasArg && opts.Branch != "":
		return nil, &InputError{Msg: "give either a pipeline argument or --branch, not both"}
	case opts.MRIID > 0 && opts.Branch != "":
		return nil, &InputError{Msg: "give either --mr or --branch, not both"}
	}
	sel := &Selection{Target: t}
	if repo, ok := cfg.RepoForTarget(t); ok {
		if opts.Repo != "" {
			flagRepo, err := parseRepoFlag(env, cfg, opts.Repo, "-R")
			if err != nil {
				return nil, err
			}
			if !strings.EqualFold(flagRepo.FullPath, repo.FullPath) || !strings.EqualFold(flagRepo.Host, repo.Host) {
				return nil, &InputError{Msg: fmt.Sprintf("the URL names %s but -R names %s; drop one", repo, flagRepo)}
			}
		}
		sel.Repo = repo
	} else {
		repo, err := ResolveRepo(env, cfg, opts.Repo)
		if err != nil {
			return nil, err
		}
		sel.Repo = repo
	}
	switch {
	case opts.MRIID > 0:
		sel.Target = Target{Kind: TargetMR, MRIID: opts.MRIID}
	case t.Kind == TargetBranch:
		branch := opts.Branch
		if branch == "" {
			b, err := CurrentBranch(env)
			if err != nil {
				var re *RepoError
				if errors.As(err, &re) {
					return nil, &InputError{Msg: "no pipeline given and not in a git checkout; give a pipeline id or URL, --mr or --branch"}
				}
				return nil, err
			}
			branch = b
		}
		sel.Target.Branch = branch
	}
	return sel, nil
}
