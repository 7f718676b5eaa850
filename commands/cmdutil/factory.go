package cmdutil

import (
	"os"
	"time"
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
}

// NewFactory builds the production factory.
func NewFactory(ios *IOStreams) *Factory {
	wd, _ := os.Getwd()
	return &Factory{
		IOStreams: ios,
		Getenv:    os.Getenv,
		Now:       time.Now,
		WorkDir:   wd,
	}
}
