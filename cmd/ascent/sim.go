package main

// ascent sim: the table-top simulator for VLA policies and its remote protocol.
//
//	ascent sim list [--json]
//	ascent sim play --suite pick --task 0 --trial 0 [--policy expert|pusher|random] --out play.gif   (or .png: a strip)
//	ascent sim eval --suite long --trials 5000-5199 [--policy expert|pusher|random] [--json] [--videos DIR]   (sim_eval.go)
//	ascent sim serve [--addr 127.0.0.1:8765]
//
// --remote URL runs play/eval/list against a remote simulator server (e.g. a Python LIBERO
// server speaking the protocol of docs/env.md) instead of the in-process simulator.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/env"
)

func init() {
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "The table-top VLA simulator: list suites, play or evaluate a policy, serve the remote protocol",
		Long: `sim drives the pure-Go table-top simulator (suites pick, push and long; a gripper over a
table with coloured blocks, pucks, plates and goals) or, with --remote, any server speaking the
remote simulator protocol (docs/env.md). Policies: the scripted expert (in-process only) and a
uniform random baseline; a trained VLA policy plugs in through env.Policy.`,
	}
	cmd.AddCommand(simListCmd(), simPlayCmd(), simEvalCmd(), simServeCmd())
	rootCmd.AddCommand(cmd)
}

// catalog returns the in-process simulator, or a client of the remote server at url.
func catalog(url string) env.Catalog {
	if url == "" {
		return env.SimCatalog{}
	}
	return env.NewClient(url)
}

// policyByName returns the named baseline policy.
func policyByName(name string, seed uint64, remote bool) (env.Policy, error) {
	switch name {
	case "expert", "pusher":
		if remote {
			return nil, fmt.Errorf("--policy %s plans on the in-process simulator's state; with --remote use --policy random", name)
		}
		return env.ExpertPolicy{Push: name == "pusher"}, nil
	case "random":
		return env.RandomPolicy{Seed: seed}, nil
	}
	return nil, fmt.Errorf("--policy %q: known: expert, pusher, random (a trained policy plugs in through env.Policy)", name)
}

func simListCmd() *cobra.Command {
	var remote string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List suites and their tasks' instructions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			suites, err := catalog(remote).Suites(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(suites)
			}
			for _, s := range suites {
				fmt.Fprintf(out, "%s: %d tasks, cap %d steps, chunk %d×%d, proprio %d\n", s.Suite, s.NTasks, s.MaxSteps, s.ChunkLen, s.ActionDim, s.ProprioDim)
				for i, in := range s.Instructions {
					fmt.Fprintf(out, "  %2d  %s\n", i, in)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&remote, "remote", "", "remote simulator server URL (default: the in-process simulator)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the suites as JSON (the GET /v1/suites answer)")
	return cmd
}

func simPlayCmd() *cobra.Command {
	var (
		suite, policy, out, remote string
		task, trial, res, scale    int
		every                      int
		seed                       uint64
	)
	cmd := &cobra.Command{
		Use:   "play",
		Short: "Play one episode and write its frames as a GIF (.gif) or a PNG strip (.png)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pol, err := policyByName(policy, seed, remote != "")
			if err != nil {
				return err
			}
			ext := strings.ToLower(filepath.Ext(out))
			if out != "" && ext != ".gif" && ext != ".png" {
				return fmt.Errorf("--out %q: want a .gif or .png file", out)
			}
			ep := env.Episode{Suite: suite, Task: task, Trial: trial, Config: env.Config{Resolution: res}}
			rs, _, err := env.RunEpisodes(cmd.Context(), catalog(remote), pol, []env.Episode{ep}, env.RunOptions{Parallel: 1, RecordFrames: out != ""})
			if err != nil {
				return err
			}
			r := rs[0]
			if r.Err != "" {
				return errors.New(r.Err)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s %q: success=%v pushcut=%v finish_step=%d truncated=%v\n", ep, r.Instruction, r.Success, r.Pushcut, r.FinishStep, r.Truncated)
			if out == "" {
				return nil
			}
			f, err := os.Create(out)
			if err != nil {
				return err
			}
			if ext == ".gif" {
				err = env.WriteGIF(f, r.Frames, 8, scale)
			} else {
				err = env.WritePNGStrip(f, r.Frames, 12, every, scale)
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
			fmt.Fprintf(w, "wrote %s (%d frames)\n", out, len(r.Frames))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&suite, "suite", "pick", "suite (ascent sim list)")
	f.IntVar(&task, "task", 0, "task id within the suite")
	f.IntVar(&trial, "trial", 0, "trial id (seeds the layout)")
	f.StringVar(&policy, "policy", "expert", "policy: expert (grasps), pusher (pushes blocks: a scripted pushcut) or random")
	f.Uint64Var(&seed, "seed", 0, "random policy seed")
	f.StringVar(&out, "out", "", "write the frames to this .gif or .png (strip) file")
	f.IntVar(&res, "resolution", 64, "observation image side in pixels")
	f.IntVar(&scale, "scale", 3, "upscale frames in the written file by this factor")
	f.IntVar(&every, "every", 4, "PNG strip: keep every n-th frame")
	f.StringVar(&remote, "remote", "", "remote simulator server URL (default: the in-process simulator)")
	return cmd
}

func simServeCmd() *cobra.Command {
	var (
		addr    string
		public  bool
		maxEnvs int
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the Go simulator over the remote simulator protocol (loopback by default)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !public {
				if err := env.LoopbackOnly(addr); err != nil {
					return err
				}
			}
			srv := env.NewServer(env.SimCatalog{})
			srv.MaxEnvs = maxEnvs
			defer srv.Close()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			go func() {
				<-ctx.Done()
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				hs.Shutdown(sctx)
			}()
			fmt.Fprintf(cmd.OutOrStdout(), "sim: serving suites %s on http://%s\n", strings.Join(env.SimSuiteNames(), ", "), ln.Addr())
			if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8765", "listen address")
	cmd.Flags().BoolVar(&public, "public", false, "allow a non-loopback listen address")
	cmd.Flags().IntVar(&maxEnvs, "max-envs", 4096, "most envs alive at once")
	return cmd
}
