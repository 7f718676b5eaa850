package fakegitlab

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed scenarios/demo
var demoFS embed.FS

// The demo scenario's fixed names. The tokens are fake strings that only
// this server accepts.
const (
	DemoToken        = "glpat-demo-fake-token-0000"
	DemoJobToken     = "glcbt-demo-fake-job-token"
	DemoProjectID    = 4242
	DemoProjectPath  = "acme/platform/billing-api"
	DemoPipelineID   = 98765
	DemoChildID      = 98766
	DemoMergeRequest = 17
	DemoBranch       = "feature/invoices"
	DemoWebBaseURL   = "https://gitlab.example.com"
)

// DemoFS returns the demo scenario folder.
func DemoFS() fs.FS {
	sub, err := fs.Sub(demoFS, "scenarios/demo")
	if err != nil {
		panic(fmt.Sprintf("embedded demo scenario: %v", err)) // fs.Sub fails only on a bad pattern
	}
	return sub
}

// Demo loads the embedded demo scenario: project acme/platform/billing-api,
// pipeline 98765 on feature/invoices (MR !17) with failed flake8, pytest 1/2
// and 2/2 (JUnit reports), deps:resolve, an allowed linkcheck failure, a
// retried build:wheel, and a trigger:docs bridge whose child pipeline 98766
// has a failed docs:build.
func Demo() (*Scenario, error) {
	s, err := Load(DemoFS())
	if err != nil {
		return nil, fmt.Errorf("loading demo scenario: %w", err)
	}
	return s, nil
}
