package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/gif"
	"image/png"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/env"
)

// runSim executes a fresh sim subcommand with args and returns its output.
func runSim(t *testing.T, mk func() *cobra.Command, args ...string) (string, error) {
	t.Helper()
	cmd := mk()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestSimEvalJSON(t *testing.T) {
	srv := env.NewServer(env.SimCatalog{})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	defer srv.Close()
	cases := []struct {
		name     string
		args     []string
		episodes int
		rate     func(float64) bool
	}{
		{"the expert solves every feasible pick trial", []string{"--suite", "pick", "--trials", "5000-5009", "--json"}, 100, func(r float64) bool { return r == 1 }},
		{"the random policy fails on a task range", []string{"--suite", "long", "--tasks", "2-3", "--trials", "7", "--policy", "random", "--json"}, 2, func(r float64) bool { return r < 0.5 }},
		{"random over HTTP", []string{"--suite", "push", "--tasks", "0", "--trials", "1-3", "--policy", "random", "--remote", ts.URL, "--json"}, 3, func(r float64) bool { return r < 1 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runSim(t, simEvalCmd, c.args...)
			if err != nil {
				t.Fatal(err, out)
			}
			var got struct {
				SuccessRate float64 `json:"success_rate"`
				Episodes    int     `json:"episodes"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err, out)
			}
			if got.Episodes != c.episodes || !c.rate(got.SuccessRate) {
				t.Fatalf("got %+v from %s", got, out)
			}
		})
	}
}

func TestSimBadFlags(t *testing.T) {
	cases := []struct {
		name string
		mk   func() *cobra.Command
		args []string
		want string
	}{
		{"a malformed trial range", simEvalCmd, []string{"--trials", "5000-x"}, `--trials "5000-x"`},
		{"an unknown suite lists the known ones", simEvalCmd, []string{"--suite", "libero_10"}, "known: long, pick, pick_local, push"},
		{"a task beyond the suite", simEvalCmd, []string{"--suite", "push", "--tasks", "9"}, "tasks 0..7"},
		{"an unknown policy", simPlayCmd, []string{"--policy", "openvla"}, "known: expert, pusher, random"},
		{"the expert cannot drive a remote env", simEvalCmd, []string{"--remote", "http://127.0.0.1:1"}, "in-process"},
		{"play refuses other file types", simPlayCmd, []string{"--out", "x.mp4"}, ".gif or .png"},
		{"play reports an unknown task", simPlayCmd, []string{"--suite", "pick", "--task", "10"}, "no task 10"},
		{"serve stays on loopback", simServeCmd, []string{"--addr", "0.0.0.0:0"}, "not loopback"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runSim(t, c.mk, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v (output %s), want %q", err, out, c.want)
			}
		})
	}
}

func TestSimPlayWritesGIFAndStrip(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"ep.gif", "ep.png"} {
		path := filepath.Join(dir, name)
		out, err := runSim(t, simPlayCmd, "--suite", "push", "--task", "3", "--trial", "11", "--out", path, "--scale", "2")
		if err != nil {
			t.Fatal(err, out)
		}
		if !strings.Contains(out, "success=true") {
			t.Fatalf("the expert failed: %s", out)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".gif") {
			g, err := gif.DecodeAll(f)
			if err != nil || len(g.Image) < 5 || g.Image[0].Rect.Dx() != 128 {
				t.Fatalf("gif: %v", err)
			}
		} else if img, err := png.Decode(f); err != nil || img.Bounds().Dy() != 128 {
			t.Fatalf("png: %v", err)
		}
		f.Close()
	}
}

func TestSimEvalWritesVideosOfTheFirstEpisodes(t *testing.T) {
	dir := t.TempDir()
	out, err := runSim(t, simEvalCmd, "--suite", "pick", "--tasks", "0-1", "--trials", "5000-5002", "--videos", dir, "--videos-n", "2", "--parallel", "4")
	if err != nil {
		t.Fatal(err, out)
	}
	got, _ := filepath.Glob(filepath.Join(dir, "*.gif"))
	if len(got) != 2 || filepath.Base(got[0]) != "pick_0_5000_success.gif" || filepath.Base(got[1]) != "pick_0_5001_success.gif" {
		t.Fatalf("videos %v", got)
	}
}

func TestSimListJSON(t *testing.T) {
	out, err := runSim(t, simListCmd, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var suites []env.SuiteInfo
	if err := json.Unmarshal([]byte(out), &suites); err != nil || len(suites) != 4 || suites[1].Instructions[0] != "put the red block on the blue plate" {
		t.Fatalf("%v: %s", err, out)
	}
}

func TestSimServeAnswersUntilCancelled(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := simServeCmd()
	cmd.SetArgs([]string{"--addr", addr})
	cmd.SetOut(io.Discard)
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	c := env.NewClient("http://" + addr)
	var h env.HealthResponse
	for i := 0; i < 100; i++ {
		if h, err = c.Health(context.Background()); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil || h.Status != "ok" {
		t.Fatalf("health %+v: %v", h, err)
	}
	_, sum, err := env.RunEpisodes(context.Background(), c, env.RandomPolicy{}, []env.Episode{{Suite: "push", Trial: 2}}, env.RunOptions{})
	if err != nil || sum.Episodes != 1 || sum.Errors != 0 {
		t.Fatalf("an episode over sim serve: %+v %v", sum, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v after cancel", err)
	}
}
