package diagnose

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Local reproduction of a failed job: the checkout of the job's commit, the
// job's script up to the failing command, and one `docker run` line that
// runs it in the job's image on that checkout.

// BuildsDir is where the runner clones projects: /builds/<project path>.
const BuildsDir = "/builds"

// collapsedSuffix is what the runner appends when it echoes only the first
// line of a multi-line command.
const collapsedSuffix = " # collapsed multi-line command"

var (
	reCommitID = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)
	reVarName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// An image reference as docker reads it: registry, path, tag, digest.
	reImage = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/:@-]*$`)
	// The same with $NAME and ${NAME} references of the CI configuration.
	reImageVars   = regexp.MustCompile(`^(?:[A-Za-z0-9._/:@-]|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\})+$`)
	reProjectPath = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.+-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.+-]*)*$`)
)

// CheckoutCommand is the git line that puts the current clone at sha, or ""
// when sha is not a commit id.
func CheckoutCommand(sha string) string {
	if !reCommitID.MatchString(sha) {
		return ""
	}
	return "git fetch origin " + sha + " && git switch --detach " + sha
}

// BuildsPath is the runner's checkout directory of a project,
// /builds/<project path>, or "" when the path cannot be a GitLab project
// path (empty, "..", spaces, shell or docker syntax).
func BuildsPath(projectPath string) string {
	p := strings.Trim(projectPath, "/")
	if !reProjectPath.MatchString(p) {
		return ""
	}
	return BuildsDir + "/" + p
}

// DockerRun is a `docker run` line that runs commands in a job's image on
// the current directory, mounted where the runner had the clone.
type DockerRun struct {
	// Image is the image reference. $NAME and ${NAME} references (from the
	// CI configuration) are left for the local shell to expand.
	Image string
	// Workdir is the mount point and working directory (BuildsPath).
	Workdir string
	// Variables are names passed from the local environment with -e NAME;
	// names that are not shell identifiers are left out.
	Variables []string
	// Script are the commands, run in order until one fails.
	Script []string
}

// Command renders the line, or "" when there is nothing to run or the image
// or the working directory cannot be written safely.
func (d DockerRun) Command() string {
	img := imageArg(d.Image)
	body := ScriptShell(d.Script)
	if img == "" || body == "" || !strings.HasPrefix(d.Workdir, BuildsDir+"/") || BuildsPath(strings.TrimPrefix(d.Workdir, BuildsDir)) != d.Workdir {
		return ""
	}
	var b strings.Builder
	b.WriteString(`docker run --rm -it -v "$PWD":`)
	b.WriteString(ShellQuote(d.Workdir))
	b.WriteString(" -w ")
	b.WriteString(ShellQuote(d.Workdir))
	b.WriteString(" -e CI=true")
	for _, v := range VariableNames(d.Variables) {
		if v == "CI" {
			continue
		}
		b.WriteString(" -e ")
		b.WriteString(v)
	}
	b.WriteString(" ")
	b.WriteString(img)
	b.WriteString(" sh -c ")
	b.WriteString(quoteScript(body))
	return b.String()
}

// imageArg is the image as one shell word that cannot become an option:
// as it is, in double quotes when it holds variable references, or "" when
// it is not an image reference.
func imageArg(img string) string {
	switch {
	case reImage.MatchString(img):
		return img
	case img != "" && img[0] != '-' && reImageVars.MatchString(img):
		// Only $NAME and ${NAME} can expand inside these double quotes.
		return `"` + img + `"`
	}
	return ""
}

// quoteScript quotes a script as one shell word. Single quotes, unless
// the script holds single quotes of its own: then double quotes with `\`,
// `$`, "`" and `"` escaped, which read better than '\” and pass the same
// text. A script with "!" keeps single quotes, since an interactive bash
// or zsh would expand history inside double quotes.
func quoteScript(s string) string {
	if !strings.Contains(s, "'") || strings.Contains(s, "!") {
		return ShellQuote(s)
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ { // bytes: invalid UTF-8 passes unchanged
		if c := s[i]; c == '\\' || c == '$' || c == '`' || c == '"' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// VariableNames keeps the names that are shell identifiers, sorted and
// without duplicates.
func VariableNames(names []string) []string {
	var out []string
	for _, n := range names {
		if reVarName.MatchString(n) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return uniq(out)
}

// ScriptShell joins commands into one shell script that stops at the first
// failure: "a && b && c", or "set -e" and one command per line when a
// command spans lines other than by line continuations.
func ScriptShell(cmds []string) string {
	var kept []string
	multi := false
	for _, c := range cmds {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		multi = multi || strings.ContainsAny(c, "\n\r") && !continued(c)
		kept = append(kept, c)
	}
	if len(kept) == 0 {
		return ""
	}
	if multi {
		return "set -e\n" + strings.Join(kept, "\n")
	}
	return strings.Join(kept, " && ")
}

// FindCommand is the index of the entry of lines that the runner echoed as
// cmd ("$ cmd" in the log), or -1. A multi-line entry is echoed as its first
// line with " # collapsed multi-line command"; a long one may have been cut
// with "…" by the log engine.
func FindCommand(lines []string, cmd string) int {
	want := normSpace(strings.TrimSuffix(strings.TrimSpace(cmd), collapsedSuffix))
	if want == "" {
		return -1
	}
	prefix, cut := strings.CutSuffix(want, "…")
	for i, l := range lines {
		first, _, _ := strings.Cut(strings.TrimLeft(l, " \t\r\n"), "\n")
		got := normSpace(first)
		if got == want || cut && prefix != "" && strings.HasPrefix(got, prefix) {
			return i
		}
	}
	// The whole entry, for a log that echoed a multi-line command in full.
	for i, l := range lines {
		if normSpace(l) == want {
			return i
		}
	}
	return -1
}

func normSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// JobScript is what to run for a job with a known CI configuration: its
// before_script and script up to and including the failing command (all of
// them when the command is not found). When selectors are given (by
// framework), the first command that runs one of those frameworks (else
// the failing command) and what follows are replaced by the selectors; when
// neither is found, the selectors follow before_script alone, since the
// script would run the whole suite first.
func JobScript(cfg *JobConfig, failing string, selectors map[string]string) []string {
	if cfg == nil {
		return nil
	}
	lines := make([]string, 0, len(cfg.BeforeScript)+len(cfg.Script))
	for _, l := range append(append([]string{}, cfg.BeforeScript...), cfg.Script...) {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	at := FindCommand(lines, failing)
	if len(selectors) == 0 {
		if at >= 0 {
			return lines[:at+1]
		}
		return lines
	}
	fws := make([]string, 0, len(selectors))
	for fw := range selectors {
		fws = append(fws, fw)
	}
	sort.Strings(fws)
	var sel []string
	for _, fw := range fws {
		if selectors[fw] != "" {
			sel = append(sel, selectors[fw])
		}
	}
	end := len(lines)
	if at >= 0 {
		end = at + 1
	}
	cut := -1
	for i, l := range lines[:end] {
		if fw := DetectFramework(&TestCase{}, "", l); fw != "" && selectors[fw] != "" {
			cut = i
			break
		}
	}
	switch {
	case cut >= 0:
	case at >= 0:
		cut = at
	default:
		before := 0
		for _, l := range cfg.BeforeScript {
			if strings.TrimSpace(l) != "" {
				before++
			}
		}
		cut = before
	}
	return append(append([]string{}, lines[:cut]...), sel...)
}

// LocalRun fills the local-reproduction fields of rp: the checkout of its
// SHA, the job's script when its configuration is known, its variables and
// services, and the docker line in image (the log's, else the
// configuration's) mounted at the project's builds path. selectors are
// the test selectors by framework; rp.Commands must already be set.
func LocalRun(rp *Repro, job *Job, cfg *JobConfig, projectPath string, selectors map[string]string) {
	rp.Checkout = CheckoutCommand(rp.SHA)
	if rp.Image == "" && cfg != nil {
		rp.Image = cfg.Image
	}
	if cfg != nil {
		rp.Script = JobScript(cfg, job.FailingCommand, selectors)
		rp.Variables = VariableNames(cfg.Variables)
		for _, s := range cfg.Services {
			if s = strings.TrimSpace(s); s != "" {
				rp.Services = append(rp.Services, s)
			}
		}
	}
	run := rp.Script
	if len(run) == 0 {
		run = rp.Commands
	}
	d := DockerRun{Image: rp.Image, Workdir: BuildsPath(projectPath), Variables: rp.Variables, Script: run}
	if rp.Docker = d.Command(); rp.Docker != "" {
		rp.Workdir = d.Workdir
	}
}

// ShellLines is the repro as lines for a POSIX shell: a comment naming the
// job, the checkout, comments listing services and variables, then the
// docker line, or without one the script (else the commands). Text from
// logs and configurations only reaches comments with its line breaks and
// control characters removed.
func (rp *Repro) ShellLines() []string {
	name := rp.JobName
	if name == "" {
		name = "job"
	}
	out := []string{comment(name + " (job " + strconv.FormatInt(rp.JobID, 10) + ")")}
	if rp.Checkout != "" {
		out = append(out, rp.Checkout)
	}
	if len(rp.Services) > 0 {
		out = append(out, comment("services the job had, to start first: "+strings.Join(rp.Services, " ")))
	}
	if len(rp.Variables) > 0 {
		out = append(out, comment("variables of the CI configuration, passed from your environment: "+strings.Join(rp.Variables, " ")))
	}
	if rp.Docker != "" {
		return append(out, rp.Docker)
	}
	if rp.Image != "" {
		out = append(out, comment("image "+rp.Image+" cannot be written into a docker line; the commands below run in your environment"))
	}
	run := rp.Script
	if len(run) == 0 {
		run = rp.Commands
	}
	for _, c := range run {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// comment is "# s" on one line, without control characters.
func comment(s string) string {
	var b strings.Builder
	b.WriteString("# ")
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0x2028 || r == 0x2029 {
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}
