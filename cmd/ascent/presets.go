package main

// ascent presets [--json]: print every algorithm preset (ppo grpo dapo justrl clip_cov kl_cov flowrl
// ttrl hpt gspo cispo) with each setting and the paper it comes from. The presets live in package algo.

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/algo"
)

func init() {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "presets",
		Short: "List the algorithm presets with their settings and source papers",
		Long: `List every method preset (advantage estimator, policy loss and its parameters, aggregation,
KL, entropy bonus, reward shaping, batch geometry, optimiser, sampling) with the paper its defaults
come from. --json prints the typed configs the trainer reads.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(algo.Presets()); err != nil {
					return fmt.Errorf("presets: encode json: %w", err)
				}
				return nil
			}
			return algo.WritePresetTable(out)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the presets as JSON (the typed algo.Config values)")
	rootCmd.AddCommand(cmd)
}
