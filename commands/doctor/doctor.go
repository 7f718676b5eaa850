// Package doctor is the main command: diagnose one pipeline.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/shared"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/gitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/glabconfig"
)

// Options are the inputs of a diagnosis.
type Options struct {
	IO *cmdutil.IOStreams
	// Env is how glab's config, keyring, environment and git are reached.
	Env func() glabconfig.Env
	// Fixed, when set, replaces glab's config and the checkout: the demo
	// uses it to point the real command at its in-process server.
	Fixed *Fixed
	// OpenBrowser opens a URL (--web).
	OpenBrowser func(url string) error
	// Print, when set, replaces the printing of the report (the repro
	// command prints only the commands).
	Print func(*cmdutil.IOStreams, *diagnose.Report) error
	Now   func() time.Time
	// RetryWait bounds the client's backoff (tests make it tiny).
	RetryWait time.Duration

	Arg         string
	Repo        string
	Branch      string
	MR          int64
	Job         string
	Limit       int
	Verbose     bool
	Web         bool
	ExitStatus  bool
	Comment     bool
	Concurrency int
	// MaxArtifactSize is --max-artifact-size, as given ("50MB").
	MaxArtifactSize string
	Output          cmdutil.OutputOptions
}

// Fixed is a host, credentials and project given directly.
type Fixed struct {
	Credentials *glabconfig.Credentials
	Repo        glabconfig.Repo
}

// NewCmdDoctor builds the root command, which is the diagnosis.
func NewCmdDoctor(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{
		IO:          f.IOStreams,
		Now:         f.Now,
		Env:         f.GlabEnv,
		OpenBrowser: f.Browser,
	}
	cmd := &cobra.Command{
		Use:   "glab-pipeline-doctor [<pipeline-id> | <pipeline-url> | <mr-url>]",
		Short: "Explain why a GitLab pipeline failed",
		Long: "Find every failed job of a pipeline (child and downstream pipelines included), read\n" +
			"its log and test reports, and print what broke, the log lines that explain it, the\n" +
			"failing tests ranked by what most needs attention, and how to reproduce it.\n\n" +
			"Without an argument: the latest pipeline of the current branch, or of its merge\n" +
			"request. The project comes from -R, a URL argument, or the checkout's git remotes,\n" +
			"and the login is glab's (config.yml, keyring, GITLAB_TOKEN...).",
		Example: "  glab-pipeline-doctor\n" +
			"  glab-pipeline-doctor 1234 -R group/sub/project\n" +
			"  glab-pipeline-doctor https://gitlab.com/group/project/-/pipelines/1234\n" +
			"  glab-pipeline-doctor --mr 17 --output markdown\n" +
			"  glab-pipeline-doctor --output json --jq '.causes[].title'",
		Args:          cobra.MaximumNArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Arg = args[0]
			}
			if err := opts.Validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	AddFlags(cmd, opts)
	cmd.Flags().StringVarP(&opts.Repo, "repo", "R", "", "Select another project: `OWNER/REPO`, GROUP/NAMESPACE/REPO, HOST/OWNER/REPO or a URL")
	cmd.Flags().StringVarP(&opts.Branch, "branch", "b", "", "Latest pipeline of this `branch` instead of the current one")
	cmd.Flags().Int64Var(&opts.MR, "mr", 0, "Head pipeline of this merge request `iid`")
	cmd.Flags().BoolVarP(&opts.Web, "web", "w", false, "Open the pipeline in the browser")
	return cmd
}

// AddFlags registers the report flags shared with the demo.
func AddFlags(cmd *cobra.Command, opts *Options) {
	cmdutil.AddOutputFlags(cmd, &opts.Output)
	cmd.Flags().StringVar(&opts.Job, "job", "", "Only the failed job with this `name`")
	cmd.Flags().IntVarP(&opts.Limit, "limit", "L", 20, "Print at most `N` failing tests")
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "Show every excerpt block, not only the first")
	cmd.Flags().BoolVar(&opts.ExitStatus, "exit-status", false, "Exit with status 8 if the pipeline failed or has failing tests")
	cmd.Flags().IntVar(&opts.Concurrency, "concurrency", gitlab.DefaultConcurrency, "Requests in flight at once")
	cmd.Flags().StringVar(&opts.MaxArtifactSize, "max-artifact-size", "50MB", "Largest artifact `archive` downloaded to find JUnit files (0 never downloads one)")
	cmd.Flags().BoolVar(&opts.Comment, "comment", false, "Post the report as a note on the pipeline's merge request, updating the previous one in place")
}

// Validate checks flag combinations.
func (o *Options) Validate() error {
	if err := o.Output.Validate(); err != nil {
		return err
	}
	if o.Limit < 0 {
		return cmdutil.FlagErrorf("--limit must be 0 or more")
	}
	if o.Concurrency < 1 || o.Concurrency > 64 {
		return cmdutil.FlagErrorf("--concurrency must be between 1 and 64")
	}
	if _, err := parseSize(o.MaxArtifactSize); err != nil && o.MaxArtifactSize != "" {
		return cmdutil.FlagErrorf("invalid --max-artifact-size: %v", err)
	}
	if o.MR < 0 {
		return cmdutil.FlagErrorf("--mr must be a merge request iid")
	}
	if o.MR != 0 && o.Arg != "" {
		return cmdutil.FlagErrorf("specify either a pipeline argument or --mr, not both")
	}
	if o.Branch != "" && (o.Arg != "" || o.MR != 0) {
		return cmdutil.FlagErrorf("--branch picks the latest pipeline of a branch; it cannot go with a pipeline or --mr")
	}
	return nil
}

// Run diagnoses the selected pipeline and prints the report.
func Run(ctx context.Context, o *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	sel, creds, err := o.resolve()
	if err != nil {
		return mapError(err, "")
	}
	client, err := newClient(creds, o.Concurrency, o.RetryWait)
	if err != nil {
		return err
	}
	project := sel.Repo.FullPath
	pipe, err := findPipeline(ctx, client, project, sel.Target)
	if err != nil {
		return mapError(err, creds.Host)
	}
	if o.Web {
		fmt.Fprintf(o.IO.ErrOut, "Opening %s in your browser.\n", pipe.WebURL)
		return o.OpenBrowser(pipe.WebURL)
	}
	prog := newProgress(o.IO)
	rep, err := shared.Collect(ctx, client, project, pipe.ID, shared.CollectOptions{
		Progress:        prog.update,
		Job:             o.Job,
		Concurrency:     o.Concurrency,
		MaxArtifactSize: maxArtifact(o.MaxArtifactSize),
		Project:         diagnose.Project{ID: pipe.ProjectID, Path: project, Host: creds.Host, WebURL: projectURL(pipe.WebURL, creds, project)},
	})
	prog.done()
	if rep == nil {
		return mapError(err, creds.Host)
	}
	print := o.Print
	if print == nil {
		print = func(ios *cmdutil.IOStreams, rep *diagnose.Report) error {
			return shared.Write(ios, rep, shared.WriteOptions{Output: o.Output, Limit: o.Limit, Verbose: o.Verbose})
		}
	}
	if werr := print(o.IO, rep); werr != nil {
		return werr
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(o.IO.ErrOut, "interrupted: the report above is incomplete")
			return cmdutil.ErrSilent
		}
		return mapError(err, creds.Host)
	}
	if o.Comment {
		mr := o.MR
		if sel.Target.Kind == glabconfig.TargetMR {
			mr = sel.Target.MRIID
		}
		iid, err := findMR(ctx, client, project, pipe, mr)
		if err != nil {
			return mapError(err, creds.Host)
		}
		updated, err := postNote(ctx, client, project, iid, rep)
		if err != nil {
			return mapError(err, creds.Host)
		}
		verb := "Posted the report as a note on"
		if updated {
			verb = "Updated the report's note on"
		}
		fmt.Fprintf(o.IO.ErrOut, "%s merge request !%d of %s.\n", verb, iid, project)
	}
	if o.ExitStatus && shared.Failed(rep) {
		return cmdutil.ErrFailedPipeline
	}
	return nil
}

// projectURL is the project's web page: the pipeline's page without its
// "/-/pipelines/N" tail (the web host may differ from the API host), else
// the host's web URL and the project path.
func projectURL(pipelineURL string, c *glabconfig.Credentials, project string) string {
	if i := strings.Index(pipelineURL, "/-/pipelines/"); i > 0 {
		return pipelineURL[:i]
	}
	if c.WebURL == "" {
		return ""
	}
	return strings.TrimSuffix(c.WebURL, "/") + "/" + project
}

// resolve finds the project, what to diagnose in it and the credentials.
func (o *Options) resolve() (*glabconfig.Selection, *glabconfig.Credentials, error) {
	if o.Fixed != nil {
		t, err := glabconfig.ParseTarget(o.Arg)
		if err != nil {
			return nil, nil, err
		}
		if o.MR != 0 {
			t = glabconfig.Target{Kind: glabconfig.TargetMR, MRIID: o.MR}
		}
		if t.Kind == glabconfig.TargetBranch {
			t.Branch = o.Branch
		}
		return &glabconfig.Selection{Repo: o.Fixed.Repo, Target: t}, o.Fixed.Credentials, nil
	}
	env := o.Env()
	cfg, err := glabconfig.Load(env)
	if err != nil {
		return nil, nil, err
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(o.IO.ErrOut, "warning:", w)
	}
	sel, err := glabconfig.Select(env, cfg, glabconfig.SelectOptions{Arg: o.Arg, Repo: o.Repo, MRIID: o.MR, Branch: o.Branch})
	if err != nil {
		return nil, nil, err
	}
	creds, err := cfg.CredentialsForRepo(sel.Repo)
	if err != nil {
		return nil, nil, err
	}
	return sel, creds, nil
}

func newClient(c *glabconfig.Credentials, concurrency int, retryWait time.Duration) (*gitlab.Client, error) {
	hc, err := c.HTTPClient()
	if err != nil {
		return nil, fmt.Errorf("setting up the connection to %s: %w", c.Host, err)
	}
	kind := gitlab.AuthPrivate
	switch c.Kind {
	case glabconfig.AuthOAuth:
		kind = gitlab.AuthOAuth
	case glabconfig.AuthJob:
		kind = gitlab.AuthJob
	}
	headers := map[string]string{}
	for _, h := range c.CustomHeaders {
		headers[h.Name] = h.Value.Reveal()
	}
	cfg := gitlab.Config{
		BaseURL:       c.APIBaseURL,
		Token:         c.Token.Reveal(),
		Kind:          kind,
		HTTPClient:    hc,
		CustomHeaders: headers,
		Concurrency:   concurrency,
	}
	if retryWait > 0 {
		cfg.RetryWaitMin, cfg.RetryWaitMax = retryWait, retryWait
	}
	return gitlab.New(cfg)
}

// findPipeline turns the target into a pipeline: an id, an MR's head
// pipeline, or the latest pipeline of a branch falling back to the head
// pipeline of the branch's merge request (as glab ci view does).
func findPipeline(ctx context.Context, c *gitlab.Client, project string, t glabconfig.Target) (*gitlab.Pipeline, error) {
	switch t.Kind {
	case glabconfig.TargetPipeline:
		return c.Pipeline(ctx, project, t.PipelineID)
	case glabconfig.TargetMR:
		return mrPipeline(ctx, c, project, t.MRIID)
	case glabconfig.TargetJob:
		return nil, &glabconfig.InputError{Msg: "a job URL names one job; pass its pipeline's URL or id instead (the job page links to it)"}
	}
	p, err := c.LatestPipeline(ctx, project, t.Branch)
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, gitlab.ErrNotFound) && !errors.Is(err, gitlab.ErrForbidden) {
		return nil, err
	}
	mrs, merr := c.MergeRequestsForBranch(ctx, project, t.Branch)
	if merr != nil || len(mrs) == 0 {
		return nil, fmt.Errorf("no pipeline found for branch %q in %s, and no merge request from it: %w", t.Branch, project, err)
	}
	return mrPipeline(ctx, c, project, mrs[0].IID)
}

func mrPipeline(ctx context.Context, c *gitlab.Client, project string, iid int64) (*gitlab.Pipeline, error) {
	mr, err := c.MergeRequest(ctx, project, iid)
	if err != nil {
		return nil, err
	}
	if mr.HeadPipeline == nil {
		return nil, fmt.Errorf("merge request !%d of %s has no pipeline yet", iid, project)
	}
	return mr.HeadPipeline, nil
}

// mapError turns the lower layers' errors into the command's exit codes.
func mapError(err error, host string) error {
	var ae *glabconfig.AuthError
	var ie *glabconfig.InputError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae):
		return &cmdutil.AuthError{Err: err}
	case errors.As(err, &ie):
		return cmdutil.FlagErrorf("%s", err)
	case errors.Is(err, gitlab.ErrUnauthorized):
		fix := "run `glab auth login`"
		if host != "" {
			fix = "run `glab auth login --hostname " + host + "`"
		}
		return &cmdutil.AuthError{Err: fmt.Errorf("%w; %s", err, fix)}
	}
	return err
}

// progress draws fetch progress on stderr when it is a terminal.
type progress struct {
	w       io.Writer
	enabled bool
	drawn   bool
}

func newProgress(ios *cmdutil.IOStreams) *progress {
	return &progress{w: ios.ErrOut, enabled: ios.IsStderrTTY()}
}

func (p *progress) update(ev gitlab.Progress) {
	if !p.enabled {
		return
	}
	p.drawn = true
	fmt.Fprintf(p.w, "\r\x1b[Kfetching: %s, %s, logs %d/%d, %s",
		count(ev.Pipelines, "pipeline"), count(ev.FailedJobs, "failed job"), ev.TracesDone, ev.TracesTotal, humanBytes(ev.Bytes))
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " kB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// maxArtifact is the archive cap for Collect: 0 in the flag means never
// download an archive (a negative cap for Collect).
func maxArtifact(flag string) int64 {
	if flag == "" {
		return 0
	}
	n, err := parseSize(flag)
	if err != nil || n == 0 {
		return -1
	}
	return n
}

// parseSize reads a size such as 50MB, 200MiB, 1GB, 512k or plain bytes.
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if t == "" {
		return 0, fmt.Errorf("empty size")
	}
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n < 0 || n*float64(mult) > 1<<40 {
		return 0, fmt.Errorf("%q is not a size such as 50MB", s)
	}
	return int64(n * float64(mult)), nil
}
