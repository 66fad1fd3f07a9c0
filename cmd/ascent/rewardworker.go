package main

// ascent reward-worker: a process that scores reward jobs from a NATS JetStream work queue
// (package rewardq): code rewards in the sandbox today.
//
//	ascent reward-worker --embedded                      # one machine: an embedded NATS server too
//	ascent reward-worker --nats nats://10.0.0.5:4222      # a worker of an existing NATS cluster
//	ascent reward-worker --nats URL --concurrency 4

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/rewardq"
)

func init() {
	var (
		url, storeDir, name string
		embedded            bool
		concurrency         int
		cfg                 rewardq.Config
	)
	cmd := &cobra.Command{
		Use:   "reward-worker",
		Short: "Score reward jobs (code in the sandbox) from a NATS JetStream work queue",
		Long: `Take reward jobs from a NATS JetStream work queue and write their results: at-least-once delivery,
results stored once per job id, a deadline per job, dead letters counted. Start as many workers as
the rewards need, on any machine that reaches the NATS server. --embedded starts a NATS server with
JetStream inside this process (loopback only) and prints its URL for the trainer and other workers.
The kinds served: code (fraction of tests passed) and code_all (all tests pass), run under
bubblewrap (see docs/sandbox.md). SIGINT/SIGTERM stop after the job in hand is redelivered.`,
		Example: `  ascent reward-worker --embedded
  ascent reward-worker --nats nats://127.0.0.1:4222 --concurrency 2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if embedded == (url != "") {
				return errors.New("reward-worker: give exactly one of --nats URL and --embedded")
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if embedded {
				if storeDir == "" {
					d, err := os.MkdirTemp("", "ascent-nats-")
					if err != nil {
						return err
					}
					defer os.RemoveAll(d)
					storeDir = d
				}
				srv, u, err := rewardq.StartEmbedded(storeDir)
				if err != nil {
					return err
				}
				defer srv.Shutdown()
				url = u
				fmt.Fprintf(os.Stderr, "ascent reward-worker: embedded NATS server at %s (store %s)\n", url, storeDir)
			}
			w, err := rewardq.NewWorker(ctx, url, rewardq.WorkerConfig{Queue: cfg, Name: name, Concurrency: concurrency})
			if err != nil {
				return err
			}
			defer w.Close()
			fmt.Fprintf(os.Stderr, "ascent reward-worker: serving %s with %d job(s) at a time\n", url, max(concurrency, 1))
			err = w.Run(ctx)
			st := w.Stats()
			fmt.Fprintf(os.Stderr, "ascent reward-worker: stopped: %d results, %d duplicates, %d expired, %d retried, %d dead letters\n",
				st.Done, st.Duplicates, st.Expired, st.Retried, st.DeadLetter)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&url, "nats", "", "NATS server URL (nats://host:4222)")
	f.BoolVar(&embedded, "embedded", false, "start an embedded NATS server with JetStream on loopback")
	f.StringVar(&storeDir, "store", "", "JetStream store directory of the embedded server (default: a temporary one)")
	f.StringVar(&name, "name", "", "worker name in results (default host-pid)")
	f.IntVar(&concurrency, "concurrency", 1, "jobs scored at once")
	f.DurationVar(&cfg.AckWait, "ack-wait", 30*time.Second, "redelivery delay of a job whose worker went silent")
	f.IntVar(&cfg.MaxDeliver, "max-deliver", 3, "deliveries before a job is a dead letter")
	rootCmd.AddCommand(cmd)
}
