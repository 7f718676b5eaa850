package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("boom"), ExitError},
		{FlagErrorf("bad"), ExitUsage},
		{fmt.Errorf("wrapped: %w", FlagErrorf("bad")), ExitUsage},
		{&AuthError{Err: errors.New("401")}, ExitAuth},
		{fmt.Errorf("fetching: %w", &AuthError{Err: errors.New("401")}), ExitAuth},
		{ErrFailedPipeline, ExitFailed},
		{ErrSilent, ExitError},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestOutputValidate(t *testing.T) {
	tests := []struct {
		name       string
		in         OutputOptions
		wantFormat string
		wantErr    string
	}{
		{"default", OutputOptions{Format: "text"}, "text", ""},
		{"jq implies json", OutputOptions{Format: "text", JQ: ".jobs"}, "json", ""},
		{"template implies json", OutputOptions{Format: "text", Template: "{{.}}"}, "json", ""},
		{"bad format", OutputOptions{Format: "yaml"}, "", "invalid value for --output"},
		{"both", OutputOptions{Format: "json", JQ: ".", Template: "x"}, "", "only one of"},
		{"jq with markdown", OutputOptions{Format: "markdown", JQ: "."}, "", "not markdown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.in
			err := o.Validate()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if ExitCode(err) != ExitUsage {
					t.Errorf("exit code %d, want usage", ExitCode(err))
				}
				return
			}
			if err != nil || o.Format != tt.wantFormat {
				t.Errorf("format %q err %v, want %q", o.Format, err, tt.wantFormat)
			}
		})
	}
}

func TestWriteJSON(t *testing.T) {
	doc := `{"schema_version":1,"jobs":[{"name":"pytest 1/2","id":7},{"name":"flake8","id":9}]}`
	enc := func(w io.Writer) error { _, err := io.WriteString(w, doc); return err }
	tests := []struct {
		name string
		o    OutputOptions
		want string
	}{
		{"plain", OutputOptions{Format: "json"}, doc},
		{"jq", OutputOptions{Format: "json", JQ: ".jobs[].name"}, "pytest 1/2\nflake8\n"},
		{"template", OutputOptions{Format: "json", Template: `{{range .jobs}}{{.id}} {{.name}}{{"\n"}}{{end}}`}, "7 pytest 1/2\n9 flake8\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, stdout, _ := Test()
			if err := tt.o.WriteJSON(ios, enc); err != nil {
				t.Fatal(err)
			}
			if stdout.String() != tt.want {
				t.Errorf("got %q, want %q", stdout.String(), tt.want)
			}
		})
	}
	ios, _, _, _ := Test()
	err := (&OutputOptions{Format: "json", JQ: ".jobs[ | bad"}).WriteJSON(ios, enc)
	if ExitCode(err) != ExitUsage {
		t.Errorf("bad jq: err %v, want a usage error", err)
	}
}

func TestHyperlinksSupported(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	if hyperlinksSupported(env()) {
		t.Error("unknown terminal: want no hyperlinks")
	}
	if !hyperlinksSupported(env("TERM_PROGRAM", "iTerm.app")) {
		t.Error("iTerm: want hyperlinks")
	}
	if hyperlinksSupported(env("TERM_PROGRAM", "iTerm.app", "FORCE_HYPERLINK", "0")) {
		t.Error("FORCE_HYPERLINK=0 must win")
	}
	if !hyperlinksSupported(env("FORCE_HYPERLINK", "1")) {
		t.Error("FORCE_HYPERLINK=1 must win")
	}
}
