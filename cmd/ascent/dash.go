package main

// `ascent dash`: the training dashboard (track/dash), served from the binary.
//
//	ascent dash --runs ./runs --addr 127.0.0.1:8080

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/track/dash"
)

func init() {
	var dir, addr string
	cmd := &cobra.Command{
		Use:   "dash",
		Short: "Serve the training dashboard: runs, live charts, samples, comparisons",
		Long: `Serves a web dashboard over the runs under --runs: the run list, each run's charts (updated
live while it trains), the entropy–performance law fit, a samples browser and a comparison of
several runs. Everything, echarts included, is embedded in the binary: no network access needed.
It binds to loopback by default; it has no authentication, so think before binding elsewhere.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !dash.IsLoopback(addr) {
				fmt.Fprintf(c.ErrOrStderr(), "warning: %s is not a loopback address: anyone who can reach it can read your runs\n", addr)
			}
			ctx, stop := signal.NotifyContext(c.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return dash.ListenAndServe(ctx, dir, addr, func(url string) {
				fmt.Fprintf(c.OutOrStdout(), "ascent dash: serving %s on %s (Ctrl-C to stop)\n", dir, url)
			})
		},
	}
	cmd.Flags().StringVar(&dir, "runs", "./runs", "runs root directory")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address (host:port)")
	rootCmd.AddCommand(cmd)
}
