package diagnose

import "testing"

// TestJobHeadline pins the title of a job cause. The excerpt lines are
// those of the demo scenario's job logs (internal/fakegitlab/scenarios and
// commands/scenarios_test.go), as the job-log analysis highlights them.
func TestJobHeadline(t *testing.T) {
	code := func(c int) *int { return &c }
	tests := []struct {
		name string
		job  Job
		want string
	}{
		{
			name: "oom kill titled by the killed command",
			job: Job{ExitCode: code(137), FailingCommand: "pip install -e . --no-build-isolation", Excerpts: []Excerpt{{
				StartLine: 69, EndLine: 72, Highlight: []int{70},
				Lines: []string{
					"[39/40] Cythonizing sklearn/utils/sparsefuncs_fast.pyx",
					"/usr/bin/bash: line 152:   812 Killed                  pip install -e . --no-build-isolation",
					"",
					"ERROR: Job failed: exit code 137",
				},
			}}},
			want: "pip install -e . --no-build-isolation — exit code 137: out of memory (killed)",
		},
		{
			name: "oom kill without a killed line",
			job: Job{ExitCode: code(137), FailingCommand: "make -j16", Excerpts: []Excerpt{{
				StartLine: 10, EndLine: 10, Highlight: []int{10}, Lines: []string{"ERROR: Job failed: exit code 137"},
			}}},
			want: "make -j16 — exit code 137: out of memory (killed)",
		},
		{
			name: "oom kill without excerpt",
			job:  Job{ExitCode: code(137)},
			want: "exit code 137: out of memory (killed)",
		},
		{
			name: "image pull told by the runner's error, not its warning",
			job: Job{FailureReason: "runner_system_failure", Excerpts: []Excerpt{{
				StartLine: 7, EndLine: 8, Highlight: []int{8},
				Lines: []string{
					`WARNING: Failed to pull image with policy "always": Error response from daemon: manifest for registry.example.com/acme/ci/postgres:16-postgis not found: manifest unknown: manifest unknown (manager.go:250:0s)`,
					`ERROR: Job failed (system failure): failed to pull image "registry.example.com/acme/ci/postgres:16-postgis" with specified policies [always]: Error response from daemon: manifest for registry.example.com/acme/ci/postgres:16-postgis not found: manifest unknown: manifest unknown (manager.go:250:0s)`,
				},
			}}},
			want: `failed to pull image "registry.example.com/acme/ci/postgres:16-postgis": manifest unknown`,
		},
		{
			name: "runner failure without its prefix and source location",
			job: Job{FailureReason: "runner_system_failure", Excerpts: []Excerpt{{
				StartLine: 5, EndLine: 5, Highlight: []int{5},
				Lines: []string{"ERROR: Preparation failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running? (docker.go:958:0s)"},
			}}},
			want: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
		},
		{
			name: "numbered finding without its number",
			job: Job{ExitCode: code(1), Excerpts: []Excerpt{{
				StartLine: 34, EndLine: 35, Highlight: []int{34, 35},
				Lines: []string{
					`  2. http://www.grantjenks.com/docs/diskcache/ Connection timed out - connect(2) for "www.grantjenks.com" port 80`,
					`  3. http://www.grantjenks.com/docs/sortedcontainers/ Connection timed out - connect(2) for "www.grantjenks.com" port 80`,
				},
			}}},
			want: `http://www.grantjenks.com/docs/diskcache/ Connection timed out - connect(2) for "www.grantjenks.com" port 80`,
		},
		{
			name: "warning treated as error",
			job: Job{ExitCode: code(1), Excerpts: []Excerpt{{
				StartLine: 29, EndLine: 29, Highlight: []int{29},
				Lines: []string{"/builds/acme/platform/billing-api/docs/reference/invoices.rst:42: WARNING: undefined label: 'credit-notes' [ref.ref]"},
			}}},
			want: "/builds/acme/platform/billing-api/docs/reference/invoices.rst:42: WARNING: undefined label: 'credit-notes' [ref.ref]",
		},
		{
			name: "timeout titled by what was running and the runner's message",
			job: Job{Category: CategoryTimeout, FailingCommand: "./scripts/integration.sh", Excerpts: []Excerpt{
				{StartLine: 18, EndLine: 20, Rule: "lead-up", Lines: []string{"$ ./scripts/integration.sh", "running 84 integration tests", "ok   3 - paginates"}},
				{StartLine: 26, EndLine: 27, Highlight: []int{27}, Rule: "runner.job-timeout", Lines: []string{
					"Cleaning up project directory and file based variables",
					"ERROR: Job failed: execution took longer than 1h0m0s seconds",
				}},
			}},
			want: "./scripts/integration.sh — execution took longer than 1h0m0s seconds",
		},
		{
			name: "binary data is no title",
			job: Job{ExitCode: code(1), FailingCommand: "cat build/app.bin", Excerpts: []Excerpt{{
				StartLine: 3, EndLine: 3, Highlight: []int{3}, Lines: []string{"\ufffd!\ufffdx\ufffd\ufffd,\ufffdA\ufffd\ufffd\ufffd!\ufffdS"},
			}}},
			want: "cat build/app.bin exited with code 1",
		},
		{
			name: "binary data and nothing else",
			job: Job{Excerpts: []Excerpt{{
				StartLine: 1, EndLine: 1, Highlight: []int{1}, Lines: []string{"\ufffd\ufffd\x01\ufffd\ufffd"},
			}}},
			want: "no readable message: the log holds binary data",
		},
		{
			name: "no excerpt: failing command and exit code",
			job:  Job{ExitCode: code(2), FailingCommand: "make test"},
			want: "make test exited with code 2",
		},
		{
			name: "no excerpt and no code",
			job:  Job{},
			want: "job failed",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := jobHeadline(&tc.job)
			if got != tc.want {
				t.Errorf("title = %q\nwant    %q", got, tc.want)
			}
		})
	}
}

func TestKilledCommand(t *testing.T) {
	tests := []struct {
		line, cmd string
		ok        bool
	}{
		{"/usr/bin/bash: line 152:   812 Killed                  pip install -e . --no-build-isolation", "pip install -e . --no-build-isolation", true},
		{"Killed", "", true},
		{"Killed process 4242 (cc1plus)", "process 4242 (cc1plus)", true},
		{"KilledByUser", "", false},
		{"", "", false},
		{"/bin/sh: line", "", false},
	}
	for _, tc := range tests {
		cmd, ok := killedCommand(tc.line)
		if cmd != tc.cmd || ok != tc.ok {
			t.Errorf("killedCommand(%q) = %q, %v; want %q, %v", tc.line, cmd, ok, tc.cmd, tc.ok)
		}
	}
}
