// Package render turns a *diagnose.Report into what people and scripts read:
// a terminal view (Text), the versioned JSON schema (JSON) and a compact
// merge-request note (Markdown).
//
// The writers are pure: they take the report and options and write to the
// io.Writer they are handed, nothing else. Every string that came from a job
// log, a test report or the GitLab API passes through Sanitize before it
// reaches a terminal, and through EscapeMarkdown (or a code span or fence
// sized to its content) before it reaches a Markdown note, so no log line can
// move the cursor, set a title, write the clipboard, open a hyperlink, open
// HTML, mention a user or reference an issue.
//
// Piped text (Options.TTY false, with Color and Hyperlinks off as the caller
// sets them for a pipe) is stable plain text: no colour, no escape
// sequences, no truncation, and the rows of the failing-test and failed-job
// sections are tab-separated:
//
//	failing tests: rank, status, test, jobs, message
//	failed jobs:   job, stage, status, category, exit code, reason, hint, url
//
// where status of a failed job is "failed" or "allowed to fail" and an
// absent value is "-".
package render
