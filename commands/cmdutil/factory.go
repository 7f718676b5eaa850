package cmdutil

import (
	"os"

	"github.com/cli/go-gh/v2/pkg/browser"
	"time"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/glabconfig"
)

// Factory carries the lazily built dependencies every command shares.
// Tests build one literally.
type Factory struct {
	IOStreams *IOStreams
	// Getenv reads the environment (tests replace it).
	Getenv func(string) string
	// Now is the clock.
	Now func() time.Time
	// WorkDir is the directory whose git checkout names the project.
	WorkDir string
	// GlabEnv is how glab's config files, keyring, environment and git are
	// reached (tests give a temporary config dir and a fake keyring).
	GlabEnv func() glabconfig.Env
	// Browser opens a URL in the user's browser.
	Browser func(url string) error
}

// NewFactory builds the production factory.
func NewFactory(ios *IOStreams) *Factory {
	wd, _ := os.Getwd()
	f := &Factory{
		IOStreams: ios,
		Getenv:    os.Getenv,
		Now:       time.Now,
		WorkDir:   wd,
		GlabEnv:   glabconfig.System,
	}
	f.Browser = func(url string) error {
		return browser.New("", ios.Out, ios.ErrOut).Browse(url)
	}
	return f
}
