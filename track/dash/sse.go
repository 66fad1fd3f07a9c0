package dash

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ascent-rl/ascent/track"
)

// pingEvery is how often an idle stream sends a comment line to keep proxies from closing it.
const pingEvery = 15 * time.Second

// events streams a run's new metrics lines as server-sent events:
//
//	event: metrics   data: one metrics.jsonl line (JSON object), id: byte offset after it
//	event: status    data: "running" | "completed" | "failed" | "interrupted" | "unknown"
//	event: warning   data: a skipped bad line, as text
//	event: reset     the file shrank (the run was resumed): reload the page
//
// It starts at byte offset ?offset=N (the run page passes the size it rendered), or at the
// Last-Event-ID a reconnecting browser sends, and only ever sends complete lines.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := track.ReadInfo(s.root, id); err != nil {
		httpError(w, err)
		return
	}
	var offset int64
	for _, v := range []string{r.URL.Query().Get("offset"), r.Header.Get("Last-Event-ID")} {
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			httpError(w, fmt.Errorf("%w: offset %q, want a byte offset >= 0", errBadRequest, v))
			return
		}
		offset = n
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported by this connection", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	fmt.Fprint(w, "retry: 2000\n\n")
	fl.Flush()

	mp := filepath.Join(s.root, id, track.FileMetrics)
	tick := time.NewTicker(s.poll)
	defer tick.Stop()
	status, lastWrite := "", time.Now()
	for {
		wrote := false
		if st, err := os.Stat(mp); err == nil {
			if st.Size() < offset {
				fmt.Fprint(w, "event: reset\ndata: {}\n\n")
				fl.Flush()
				return
			}
			if st.Size() > offset {
				rows, bad, next, err := track.ReadMetricsFrom(mp, offset)
				if err != nil {
					fmt.Fprintf(w, "event: warning\ndata: %s\n\n", jsonString(err.Error()))
				}
				for i, row := range rows {
					b, err := json.Marshal(row)
					if err != nil {
						continue
					}
					if i == len(rows)-1 {
						fmt.Fprintf(w, "id: %d\n", next)
					}
					fmt.Fprintf(w, "event: metrics\ndata: %s\n\n", b)
				}
				for _, b := range bad {
					fmt.Fprintf(w, "event: warning\ndata: %s\n\n", jsonString("skipped "+b.String()))
				}
				wrote = len(rows)+len(bad) > 0
				offset = next
			}
		}
		if info, err := track.ReadInfo(s.root, id); err == nil {
			if st := info.Effective(time.Now()); st != status {
				status = st
				fmt.Fprintf(w, "event: status\ndata: %s\n\n", jsonString(st))
				wrote = true
			}
		}
		if !wrote && time.Since(lastWrite) > pingEvery {
			fmt.Fprint(w, ": ping\n\n")
			wrote = true
		}
		if wrote {
			fl.Flush()
			lastWrite = time.Now()
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
