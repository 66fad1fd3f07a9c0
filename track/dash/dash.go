// Package dash is Ascent's training dashboard: an HTTP server, embedded in the binary, that shows
// the runs under a runs root. The command that uses it:
//
//	ascent dash --runs ./runs --addr 127.0.0.1:8080
//
// Pages: the run list (/), one run's charts with live updates over server-sent events while it
// trains and the entropy–performance law fit with its predicted ceiling (/run/ID), a samples
// browser with search (/run/ID/samples), and a comparison view overlaying several runs
// (/compare?run=A&run=B), and agent workflows' traces as conversations (/traces, /trace/PATH, for
// traces written under the runs root). JSON for scripts: /api/runs, /api/runs/ID, and the live stream
// /api/runs/ID/events. Charts are drawn by go-echarts with echarts.min.js served from the binary
// (static/, see static/PROVENANCE.md): no CDN, so it works offline and on a run directory copied
// from another machine. Everything is read from the run directories (track's format); the server
// writes nothing but the SQLite index.
package dash

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/ascent-rl/ascent/track"
)

//go:embed static/echarts.min.js static/app.js static/style.css
var staticFS embed.FS

//go:embed templates/*.html
var templateFS embed.FS

// Server serves the dashboard for one runs root.
type Server struct {
	// root is the runs root directory.
	root string
	// poll is how often the live stream checks a run's files.
	poll time.Duration
	// pages are the parsed templates, one set per page.
	pages map[string]*template.Template
	mux   *http.ServeMux
}

// Option configures a Server.
type Option func(*Server)

// WithPoll sets how often live streams look for new metrics lines (default 500 ms).
func WithPoll(d time.Duration) Option { return func(s *Server) { s.poll = d } }

// New returns a dashboard for the runs under root.
func New(root string, options ...Option) (*Server, error) {
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("dashboard: runs dir %s does not exist (pass --runs DIR)", root)
	}
	s := &Server{root: root, poll: 500 * time.Millisecond, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	for _, o := range options {
		o(s)
	}
	for _, p := range []string{"index", "run", "samples", "compare", "trace", "traces"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("dashboard: parse template %s: %w", p, err)
		}
		s.pages[p] = t
	}
	static, _ := fs.Sub(staticFS, "static")
	fileServer := http.StripPrefix("/static/", http.FileServerFS(static))
	s.mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
	}))
	s.mux.HandleFunc("GET /{$}", s.index)
	s.mux.HandleFunc("GET /run/{id}", s.run)
	s.mux.HandleFunc("GET /run/{id}/samples", s.samples)
	s.mux.HandleFunc("GET /compare", s.compare)
	s.mux.HandleFunc("GET /traces", s.traces)
	s.mux.HandleFunc("GET /trace/{path...}", s.trace)
	s.mux.HandleFunc("GET /api/runs", s.apiRuns)
	s.mux.HandleFunc("GET /api/runs/{id}", s.apiRun)
	s.mux.HandleFunc("GET /api/runs/{id}/events", s.events)
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// ListenAndServe serves the dashboard on addr until ctx is done. ready, when non-nil, is called
// with the base URL once the listener is bound (addr may use port 0).
func ListenAndServe(ctx context.Context, root, addr string, ready func(url string), options ...Option) error {
	s, err := New(root, options...)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("dashboard: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	if ready != nil {
		ready("http://" + ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("dashboard: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return fmt.Errorf("dashboard: shutdown: %w", err)
		}
		return nil
	}
}

// IsLoopback reports whether addr's host is a loopback address (or localhost).
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// httpError maps errors to statuses: unknown run → 404, bad id or parameter → 400, else 500.
func httpError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, track.ErrUnknownRun):
		code = http.StatusNotFound
	case errors.Is(err, track.ErrBadRunID), errors.Is(err, errBadRequest):
		code = http.StatusBadRequest
	}
	http.Error(w, err.Error(), code)
}

// errBadRequest marks errors caused by the request's parameters.
var errBadRequest = errors.New("bad request")
