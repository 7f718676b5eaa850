package fakegitlab

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
)

// BenchmarkTraces40x5MB fetches the traces of 40 failed jobs of 5 MB each,
// 16 at a time, as the doctor does; the 40 jobs share one trace slice.
func BenchmarkTraces40x5MB(b *testing.B) {
	sc, err := Demo()
	if err != nil {
		b.Fatal(err)
	}
	unit := sc.Traces[5550103]
	trace := bytes.Repeat(unit, 5<<20/len(unit)+1)[:5<<20]
	big := bigScenario(40, trace)
	s := NewTB(b, big, Options{})
	b.SetBytes(40 * int64(len(trace)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sem := make(chan struct{}, 16)
		var wg sync.WaitGroup
		for j := 1; j <= 40; j++ {
			wg.Add(1)
			sem <- struct{}{}
			go func(id int) {
				defer wg.Done()
				defer func() { <-sem }()
				req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v4/projects/g%%2Fsub%%2Fp/jobs/%d/trace", s.URL, id), nil)
				req.Header.Set("PRIVATE-TOKEN", DemoToken)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if n != int64(len(trace)) {
					b.Errorf("job %d: %d bytes", id, n)
				}
			}(100 + j)
		}
		wg.Wait()
	}
}
