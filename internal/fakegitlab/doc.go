// Package fakegitlab is a fake GitLab REST API v4 on loopback. It serves a
// scenario (projects, pipelines, jobs, bridges, traces, artifacts, test
// reports, merge requests) with the shapes the real API returns, and can
// inject faults. End-to-end tests use it through NewTB; the demo command
// starts it in-process with the embedded Demo scenario.
//
// # Routes
//
// All under /api/v4, where :id is a numeric project id or the %2F-escaped
// full path (acme%2Fplatform%2Fbilling-api; a raw slash matches no route):
//
//	GET  /user
//	GET  /projects/:id
//	GET  /projects/:id/pipelines             ref, sha, status, source, scope, name, order_by, sort
//	GET  /projects/:id/pipelines/latest      ref (default: the default branch); 403 when none
//	GET  /projects/:id/pipelines/:pid
//	GET  /projects/:id/pipelines/:pid/jobs   scope / scope[], include_retried
//	GET  /projects/:id/pipelines/:pid/bridges
//	GET  /projects/:id/pipelines/:pid/test_report
//	GET  /projects/:id/pipelines/:pid/test_report_summary
//	GET  /projects/:id/jobs                  scope; paginated without totals
//	GET  /projects/:id/jobs/:jid
//	GET  /projects/:id/jobs/:jid/trace       byte_offset, byte_limit (unless Options.LegacyTrace)
//	GET  /projects/:id/jobs/:jid/artifacts   the archive as a zip
//	GET  /projects/:id/jobs/:jid/artifacts/*path
//	GET  /projects/:id/ci/lint               content_ref or sha (a commit, branch or tag); the project's ci_config as merged_yaml
//	GET  /projects/:id/repository/files/:file_path/raw  ref (a commit, branch or tag; default: the default branch);
//	                                       the project's files[file_path], file_path escaped as one element
//	GET  /projects/:id/merge_requests        source_branch, target_branch, state
//	GET  /projects/:id/merge_requests/:iid
//	GET  /projects/:id/merge_requests/:iid/pipelines
//	GET  /projects/:id/merge_requests/:iid/notes      sort, order_by
//	POST /projects/:id/merge_requests/:iid/notes      body (form or JSON) → 201
//	PUT  /projects/:id/merge_requests/:iid/notes/:nid body
//
// Lists use GitLab's offset pagination (page, per_page ≤ 100; X-Page,
// X-Per-Page, X-Next-Page and X-Prev-Page always, empty when there is none;
// X-Total, X-Total-Pages and rel="last" unless counting is off; a Link
// header keeping every query parameter). Every answer to a known route
// carries RateLimit-* headers.
//
// Authentication: PRIVATE-TOKEN (personal tokens), Authorization: Bearer
// (personal and OAuth tokens) and JOB-TOKEN (job tokens, accepted only where
// GitLab marks a route job_token_allowed: pipeline lists and details, jobs
// and bridges lists, artifacts; refused on the single job, trace, test
// report and merge request routes).
// Anything else is 401 {"message":"401 Unauthorized"}. An unknown project
// is 404 {"message":"404 Project Not Found"}; an unknown pipeline, job or
// merge request is 404 {"message":"404 Not found"}.
//
// A request that matches no route is answered 404 {"error":"404 Not Found"}
// and recorded; Server.Unexpected lists them and NewTB fails the test with
// "unexpected request: GET /api/v4/..." for each. Server.Requests is the
// full request log (method, escaped path, query, credential kind, route,
// status, headers).
//
// # Scenario folders
//
// Load reads any fs.FS (a directory, an embed.FS, an fstest.MapFS):
//
//	scenario.json                         {"web_base_url": "https://gitlab.example.com",
//	                                       "user": {"id":1,"username":"...","name":"..."},
//	                                       "tokens": [{"token":"glpat-...","kind":"personal"}]}
//	projects/<id>.json                    Project: {"id":..,"path_with_namespace":"group/sub/proj","default_branch":"main",
//	                                       "ci_config":"<the .gitlab-ci.yml text>",
//	                                       "files":{"docs/.gitlab-ci.yml":"<text>"}}
//	pipelines/<id>.json                   Pipeline: id, iid, project_id, sha, ref, status, source, timestamps, ...
//	pipelines/<id>/jobs.json              [Job, ...]   (pipeline_id may be left out)
//	pipelines/<id>/bridges.json           [Bridge, ...] with "downstream_pipeline_id"
//	pipelines/<id>/test_report.json       served verbatim
//	pipelines/<id>/test_report_summary.json  served verbatim
//	jobs/<id>/trace.log                   the raw log bytes; no file: an empty 200
//	jobs/<id>/artifacts/<path>            files of the job's artifacts archive
//	merge_requests/<n>.json               MergeRequest: id, iid, project_id, source_branch, sha, head_pipeline_id
//
// Authoring files hold only what a scenario decides; the server fills in
// the rest of GitLab's entities (user, commit, pipeline summary, web_url,
// detailed_status, artifacts entries for the archive and the trace, ...).
// Unknown fields in authoring files are an error. Timestamps left out are
// served as null, except created_at, which defaults to DefaultTime. A failed
// job without failure_reason gets "script_failure"; failure_reason is served
// only for failed jobs. Retried jobs are the older jobs of the same name in
// a pipeline: hidden unless include_retried=true, and never flagged.
//
// Bigger scenarios are built in memory with NewScenario and the Add
// methods; traces may share one byte slice, which is never copied.
//
// # Faults
//
// Options (changeable at run time with Server.SetOptions, safe for
// concurrent use) add latency, answer 401 to everything, fail matching
// requests a number of times (429 with Retry-After and a plain-text
// "Retry later" body, 500 with GitLab's JSON body, 502/503 with an HTML
// body, ...), drop the pagination totals, switch the trace route to a
// server without byte windows, and redirect traces and artifacts to an
// ObjectStore on another loopback host, which records the headers it
// receives.
package fakegitlab
