package doctor

import (
	"errors"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/glabconfig"
)

// TestResolveCredentialHelper checks that the diagnosis asks glab's
// credential helper for the selected project first, and reads the config
// when it has no usable answer.
func TestResolveCredentialHelper(t *testing.T) {
	const answer = `{"type":"success","instance_url":"https://gl.example/gitlab",` +
		`"token":{"type":"oauth2","token":"helper-token","expiry_timestamp":"2999-01-01T00:00:00Z"}}`
	tests := []struct {
		name       string
		out        string
		err        error
		wantToken  string
		wantKind   glabconfig.AuthKind
		wantSource string
	}{
		{name: "helper answer", out: answer,
			wantToken: "helper-token", wantKind: glabconfig.AuthOAuth, wantSource: "glab auth credential-helper"},
		{name: "old glab", err: errors.New("exit status 1"),
			wantToken: "config-token", wantKind: glabconfig.AuthPrivate, wantSource: "config.yml"},
		{name: "another instance", out: strings.Replace(answer, "gl.example", "other.example", 1),
			wantToken: "config-token", wantKind: glabconfig.AuthPrivate, wantSource: "config.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc, err := glabconfig.WriteTestConfig(t.TempDir(), "",
				glabconfig.TestHost{Name: "gl.example", Subfolder: "gitlab", Token: "config-token"})
			if err != nil {
				t.Fatal(err)
			}
			env := tc.Env(t.TempDir(), t.TempDir(), nil)
			env.LookPath = func(string) (string, error) { return "/usr/bin/glab", nil }
			var calls []string
			env.GlabOutput = func(args ...string) ([]byte, error) {
				calls = append(calls, strings.Join(args, " "))
				return []byte(tt.out), tt.err
			}
			ios, _, _, _ := cmdutil.Test()
			o := &Options{IO: ios, Env: func() glabconfig.Env { return env }, Arg: "42", Repo: "gl.example/group/sub/project"}
			sel, creds, err := o.resolve()
			if err != nil {
				t.Fatal(err)
			}
			if sel.Repo.FullPath != "group/sub/project" {
				t.Errorf("repo = %s", sel.Repo)
			}
			if len(calls) != 1 || calls[0] != "auth credential-helper -R gl.example/group/sub/project" {
				t.Errorf("glab calls = %q", calls)
			}
			if creds.Token.Reveal() != tt.wantToken || creds.Kind != tt.wantKind || !strings.Contains(creds.Source, tt.wantSource) {
				t.Errorf("got %s with token %q, want %s %q from %s", creds, creds.Token.Reveal(), tt.wantKind, tt.wantToken, tt.wantSource)
			}
			if creds.APIBaseURL != "https://gl.example/gitlab/api/v4" {
				t.Errorf("APIBaseURL = %q", creds.APIBaseURL)
			}
		})
	}
}

// TestFactoryEnvRunsGlab: the real binary's Env can run the credential
// helper; the commands' tests build theirs without it.
func TestFactoryEnvRunsGlab(t *testing.T) {
	ios, _, _, _ := cmdutil.Test()
	if cmdutil.NewFactory(ios).GlabEnv().GlabOutput == nil {
		t.Error("the production Env has no GlabOutput")
	}
	var got *Options
	f := &cmdutil.Factory{IOStreams: ios, GlabEnv: glabconfig.System}
	cmd := NewCmdDoctor(f, func(o *Options) error { got = o; return nil })
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Env().GlabOutput == nil {
		t.Error("NewCmdDoctor does not pass the factory's Env on")
	}
}
