// Package demo runs the real diagnosis against an in-process fake GitLab
// serving an embedded, realistic failed pipeline: no account, no network.
package demo

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/doctor"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/fakegitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/glabconfig"
)

// NewCmdDemo builds the demo command.
func NewCmdDemo(f *cmdutil.Factory, runF func(*doctor.Options) error) *cobra.Command {
	opts := &doctor.Options{IO: f.IOStreams, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Diagnose an embedded demo pipeline (no GitLab account needed)",
		Long: "Start a fake GitLab on loopback, in this process, serving a realistic failed\n" +
			"pipeline of a Python project (pytest failures with a JUnit report, a flake8 job,\n" +
			"a dependency-resolution failure, a child pipeline), and run the real diagnosis\n" +
			"against it: the same HTTP requests, auth header and rendering as on a real GitLab.",
		Example: "  glab-pipeline-doctor demo\n  glab-pipeline-doctor demo --output markdown\n" +
			"  glab-pipeline-doctor demo --output json --jq '.causes[].title'",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	doctor.AddFlags(cmd, opts)
	return cmd
}

const demoHost = "gitlab.example.com"

// Run serves the demo scenario and diagnoses its pipeline.
func Run(ctx context.Context, opts *doctor.Options) error {
	sc, err := fakegitlab.Demo()
	if err != nil {
		return fmt.Errorf("loading the demo scenario: %w", err)
	}
	srv, err := fakegitlab.New(sc, fakegitlab.Options{})
	if err != nil {
		return fmt.Errorf("starting the demo server: %w", err)
	}
	defer srv.Close()
	// The demo's pages live on gitlab.example.com (the links the report
	// prints); its API is the in-process server.
	creds := &glabconfig.Credentials{
		Host:       demoHost,
		APIHost:    srv.Host(),
		Protocol:   "http",
		APIBaseURL: srv.APIURL(),
		WebURL:     fakegitlab.DemoWebBaseURL,
		Token:      glabconfig.Secret(fakegitlab.DemoToken),
		Kind:       glabconfig.AuthPrivate,
		Source:     "the demo",
	}
	opts.Fixed = &doctor.Fixed{
		Credentials: creds,
		Repo:        glabconfig.Repo{Host: demoHost, FullPath: fakegitlab.DemoProjectPath},
	}
	opts.Arg = strconv.FormatInt(fakegitlab.DemoPipelineID, 10)
	return doctor.Run(ctx, opts)
}
