package gitlab

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// BenchmarkFetchGraph reads a root pipeline with 40 failed jobs (2 pages)
// and two child pipelines of 10 failed jobs each, every answer delayed by
// 5ms of injected latency, at several concurrency bounds.
func BenchmarkFetchGraph(b *testing.B) {
	const latency = 5 * time.Millisecond
	trace := readTestdata(b, "failed_job_plain.log")
	for _, conc := range []int{1, 4, 16} {
		b.Run(fmt.Sprint("concurrency=", conc), func(b *testing.B) {
			t := b
			api := newFakeAPI(t)
			slow := func(h http.HandlerFunc) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					time.Sleep(latency) // injected network latency
					h(w, r)
				}
			}
			addPipeline := func(id int64, nJobs int, bridges []any) {
				root := fmt.Sprintf("projects/acme%%2Fwidgets/pipelines/%d", id)
				var jobs []any
				for i := range nJobs {
					jid := id*1000 + int64(i)
					jobs = append(jobs, testJob{id: jid, name: fmt.Sprint("job ", i), pipelineID: id, projectID: 21, projectPath: "acme/widgets"}.object(t))
					api.handle("GET", fmt.Sprintf("projects/acme%%2Fwidgets/jobs/%d/trace", jid), slow(func(w http.ResponseWriter, r *http.Request) {
						_, _ = w.Write(trace)
					}))
				}
				api.handle("GET", root, slow(func(w http.ResponseWriter, r *http.Request) {
					writeJSON(w, 200, testPipeline(t, id, 21, "acme/widgets", "failed"))
				}))
				api.handle("GET", root+"/jobs", slow(paged(jobs, 20, false)))
				api.handle("GET", root+"/bridges", slow(paged(bridges, 100, true)))
				api.handle("GET", root+"/test_report", slow(serveFile(t, "test_report.json")))
				api.handle("GET", root+"/test_report_summary", slow(serveFile(t, "test_report_summary.json")))
			}
			addPipeline(1, 40, list(
				testBridge(t, 91, "child-a", 1, 21, "acme/widgets", downstream(2, 21, "acme/widgets", "failed", "parent_pipeline")),
				testBridge(t, 92, "child-b", 1, 21, "acme/widgets", downstream(3, 21, "acme/widgets", "failed", "parent_pipeline")),
			))
			addPipeline(2, 10, nil)
			addPipeline(3, 10, nil)
			c := api.client(t, func(cfg *Config) { cfg.Concurrency = conc })
			opts := FetchOptions{OnTrace: func(ctx context.Context, j Job, r io.Reader) error {
				_, err := io.Copy(io.Discard, r)
				return err
			}}
			b.ResetTimer()
			for b.Loop() {
				g, err := c.FetchGraph(context.Background(), "acme/widgets", 1, opts)
				if err != nil || len(g.FailedJobs) != 60 {
					b.Fatalf("err %v, %d failed jobs", err, len(g.FailedJobs))
				}
			}
		})
	}
}
