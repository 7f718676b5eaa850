package doctor

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/gitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/render"
)

// NoteMarker is the hidden comment that identifies the doctor's note on a
// merge request, so later runs update it in place.
const NoteMarker = "glab-pipeline-doctor:report"

// stateMarker prefixes the hidden comment that carries what failed in the
// run that wrote the note (base64 JSON: no "--" or ">" can end the comment).
const stateMarker = "glab-pipeline-doctor:state "

// noteState is what a note remembers of its run.
type noteState struct {
	Pipeline int64    `json:"pipeline"`
	Failing  []string `json:"failing"`
}

// noteClient is the part of the GitLab client the note flow uses.
type noteClient interface {
	MergeRequestNotes(ctx context.Context, project string, iid int64) ([]gitlab.Note, error)
	CreateNote(ctx context.Context, project string, iid int64, body string) (*gitlab.Note, error)
	UpdateNote(ctx context.Context, project string, iid, noteID int64, body string) (*gitlab.Note, error)
	MergeRequestsForBranch(ctx context.Context, project, branch string) ([]gitlab.MergeRequest, error)
}

// failingKeys names what failed: each failing test, and each failed job
// whose cause is not a test. Flaky tests are not failures.
func failingKeys(rep *diagnose.Report) []string {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, t := range rep.Tests {
		if t.Status == diagnose.TestFlaky {
			continue
		}
		name := t.Name
		if t.Classname != "" {
			name = t.Classname + "." + t.Name
		}
		add(name)
	}
	for _, c := range rep.Causes {
		if c.Kind == "job" {
			for _, j := range c.JobNames {
				add("job " + j)
			}
		}
	}
	sort.Strings(out)
	return out
}

// changesSince compares this run with the state a previous note kept.
func changesSince(prev *noteState, now []string) *render.Changes {
	if prev == nil {
		return nil
	}
	was := map[string]bool{}
	for _, k := range prev.Failing {
		was[k] = true
	}
	is := map[string]bool{}
	ch := &render.Changes{}
	for _, k := range now {
		is[k] = true
		if was[k] {
			ch.StillFailing = append(ch.StillFailing, k)
		} else {
			ch.New = append(ch.New, k)
		}
	}
	for _, k := range prev.Failing {
		if !is[k] {
			ch.Fixed = append(ch.Fixed, k)
		}
	}
	return ch
}

var stateRE = regexp.MustCompile(`<!-- ` + regexp.QuoteMeta(stateMarker) + `([A-Za-z0-9+/=]+) -->`)

func parseState(body string) *noteState {
	m := stateRE.FindStringSubmatch(body)
	if m == nil {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		return nil
	}
	var st noteState
	if json.Unmarshal(raw, &st) != nil {
		return nil
	}
	return &st
}

// noteBody renders the merge-request note for a report.
func noteBody(rep *diagnose.Report, prev *noteState) (string, error) {
	keys := failingKeys(rep)
	var buf bytes.Buffer
	if err := render.Markdown(&buf, rep, render.MarkdownOptions{Marker: NoteMarker, Changes: changesSince(prev, keys)}); err != nil {
		return "", err
	}
	st := noteState{Failing: keys}
	if rep.Pipeline != nil {
		st.Pipeline = rep.Pipeline.ID
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&buf, "\n<!-- %s%s -->\n", stateMarker, base64.StdEncoding.EncodeToString(raw))
	return buf.String(), nil
}

var mrRefRE = regexp.MustCompile(`^refs/merge-requests/(\d+)/(?:head|merge|train)$`)

// findMR is the merge request a pipeline belongs to: the one named on the
// command line, the one in a merge-request pipeline's ref, or the open
// merge request from the pipeline's branch.
func findMR(ctx context.Context, c noteClient, project string, pipe *gitlab.Pipeline, given int64) (int64, error) {
	if given != 0 {
		return given, nil
	}
	if m := mrRefRE.FindStringSubmatch(pipe.Ref); m != nil {
		return strconv.ParseInt(m[1], 10, 64)
	}
	mrs, err := c.MergeRequestsForBranch(ctx, project, pipe.Ref)
	if err != nil {
		return 0, fmt.Errorf("looking for the merge request of branch %s: %w", pipe.Ref, err)
	}
	for _, mr := range mrs {
		if mr.HeadPipeline != nil && mr.HeadPipeline.ID == pipe.ID {
			return mr.IID, nil
		}
	}
	if len(mrs) > 0 {
		return mrs[0].IID, nil
	}
	return 0, fmt.Errorf("no open merge request from branch %s; pass --mr <iid>", pipe.Ref)
}

// postNote creates the doctor's note on the merge request, or updates the
// one an earlier run left (found by its hidden marker). It returns whether
// the note was updated.
func postNote(ctx context.Context, c noteClient, project string, iid int64, rep *diagnose.Report) (updated bool, err error) {
	notes, err := c.MergeRequestNotes(ctx, project, iid)
	if err != nil {
		return false, noteError(err, iid)
	}
	var prev *gitlab.Note
	for i := range notes {
		if !notes[i].System && strings.Contains(notes[i].Body, "<!-- "+NoteMarker+" -->") {
			prev = &notes[i]
			break
		}
	}
	var prevState *noteState
	if prev != nil {
		prevState = parseState(prev.Body)
	}
	body, err := noteBody(rep, prevState)
	if err != nil {
		return false, err
	}
	if prev != nil {
		if _, err := c.UpdateNote(ctx, project, iid, prev.ID, body); err != nil {
			return false, noteError(err, iid)
		}
		return true, nil
	}
	if _, err := c.CreateNote(ctx, project, iid, body); err != nil {
		return false, noteError(err, iid)
	}
	return false, nil
}

func noteError(err error, iid int64) error {
	if errors.Is(err, gitlab.ErrForbidden) {
		return fmt.Errorf("cannot write a note on merge request !%d: the token needs the api scope "+
			"(a read_api token can read pipelines but not comment); log in again with `glab auth login` using a token with api: %w", iid, err)
	}
	return fmt.Errorf("writing the note on merge request !%d: %w", iid, err)
}
