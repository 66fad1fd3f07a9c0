package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ascent-rl/ascent/vla"
	"github.com/spf13/cobra"
)

// trainVLA runs `ascent train --preset simplevla`: SFT on one demonstration per task, held-out
// evaluation, GRPO in the simulator, evaluation again (package vla). --set takes vla's keys.
func trainVLA(cmd *cobra.Command, out, file, resume string, sets []string, printConfig bool) error {
	if file != "" || resume != "" {
		return fmt.Errorf("--preset simplevla takes --set vla.KEY=VALUE and --out only (no --config or --resume)")
	}
	c := vla.DefaultConfig()
	if out != "" {
		c.Out = out
	}
	if err := c.Set(sets); err != nil {
		return err
	}
	if printConfig {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	}
	ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if ctx == nil {
		ctx = context.Background()
	}
	sum, err := vla.Run(ctx, c, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(sum, "", "  ")
	fmt.Fprintf(cmd.OutOrStdout(), "done: held-out success %.1f%% → %.1f%%\n%s\n", 100*sum.EvalBefore, 100*sum.EvalAfter, b)
	return nil
}
