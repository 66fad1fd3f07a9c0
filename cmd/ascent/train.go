package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
	"github.com/ascent-rl/ascent/trainer"
)

func init() {
	var (
		preset, file, out, resume string
		rolloutModel              string
		sets, endpoints           []string
		printConfig               bool
	)
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train a policy with RL (default: JustRL on the built-in arithmetic task, tiny model)",
		Long: `Runs the RL loop. With no arguments it runs the default recipe: a tiny model, a short SFT
warm-up on generated demonstrations, a held-out evaluation, RL with the justrl preset, and the
evaluation again — a few minutes on two CPU cores.

Configuration is layered: the preset's defaults, then --config FILE.yaml, then ASCENT_* environment
variables (ASCENT_RUN__STEPS=10 sets run.steps), then --set key=value overrides. Unknown keys and
out-of-range values are errors before any work starts. Ctrl-C saves a checkpoint and stops;
--resume RUN_DIR continues exactly where the run stopped.

  ascent train
  ascent train --preset grpo --set run.steps=100 --set algo.optim.lr=3e-4
  ascent train --config run.yaml --out runs
  ascent train --resume runs/20261124-101500-justrl
  ascent train --rollout-endpoint http://127.0.0.1:8000/v1,http://127.0.0.1:8001/v1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if preset == "simplevla" { // vision-language-action RL in the simulator: package vla
				return trainVLA(cmd, out, file, resume, sets, printConfig)
			}
			var cfg trainer.Config
			if resume == "" {
				if out != "" {
					sets = append([]string{"run.out=" + out}, sets...)
				}
				if len(endpoints) > 0 {
					sets = append(sets, "rollout.endpoints=["+strings.Join(endpoints, ",")+"]")
				}
				if rolloutModel != "" {
					sets = append(sets, "rollout.model="+rolloutModel)
				}
				var err error
				if cfg, err = trainer.LoadConfig(preset, file, sets); err != nil {
					return err
				}
				if printConfig {
					return printYAML(cmd, cfg)
				}
			} else if preset != "" || file != "" || len(sets) > 0 {
				return fmt.Errorf("--resume continues a run with its own config.yaml; drop --preset/--config/--set")
			}
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			sig := make(chan os.Signal, 2)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			defer signal.Stop(sig)
			go func() {
				if _, ok := <-sig; !ok {
					return
				}
				fmt.Fprintln(os.Stderr, "\nascent: stopping after the current step and saving (Ctrl-C again to quit now)")
				cancel()
				if _, ok := <-sig; ok {
					os.Exit(130)
				}
			}()
			sum, err := trainer.Run(ctx, cfg, resume, cmd.OutOrStdout(), local.NewLearner, openai.Dial)
			if err != nil {
				return err
			}
			b, _ := json.MarshalIndent(sum, "", "  ")
			fmt.Fprintf(cmd.OutOrStdout(), "done: held-out accuracy %.1f%% → %.1f%%\n%s\n", 100*sum.EvalBefore, 100*sum.EvalAfter, b)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&preset, "preset", "", "method preset (see `ascent presets`); default justrl")
	f.StringVar(&file, "config", "", "YAML config file")
	f.StringVar(&out, "out", "", "runs root directory (run.out)")
	f.StringArrayVar(&sets, "set", nil, "override a config key: --set algo.optim.lr=1e-4 (repeatable)")
	f.StringVar(&resume, "resume", "", "continue the run in this directory from its newest valid checkpoint")
	f.BoolVar(&printConfig, "print-config", false, "print the resolved config as YAML and exit")
	f.StringSliceVar(&endpoints, "rollout-endpoint", nil, "sample rollouts from these OpenAI-compatible servers (URL[,URL…]); training stays local")
	f.StringVar(&rolloutModel, "rollout-model", "", "model name served at --rollout-endpoint")
	rootCmd.AddCommand(cmd)
}

func printYAML(cmd *cobra.Command, cfg trainer.Config) error {
	b, err := trainerYAML(cfg)
	if err != nil {
		return err
	}
	_, err = cmd.OutOrStdout().Write(b)
	return err
}
