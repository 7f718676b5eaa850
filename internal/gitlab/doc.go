// Package gitlab is the only package of the tool that does network I/O. It
// gives typed access to the GitLab REST API v4 on top of
// gitlab.com/gitlab-org/api/client-go: the pipeline graph (pipelines, failed
// jobs, bridges and their downstream pipelines, test reports), streamed job
// traces, artifact files and merge request notes.
//
// The client-go types stay inside this package; callers see small plain
// structs. Every call takes a context, so cancelling it stops every request,
// and FetchGraph still returns what it learned before the cancellation.
//
// Authentication headers are sent to the API host only: a redirect to any
// other host (object storage serving artifacts, for example) carries no token
// and none of the configured custom headers.
package gitlab
