// Command ascent is the Ascent command line: reinforcement learning for reasoning language models.
//
//	make run                       # the main job (ascent train with the default recipe)
//	go run ./cmd/ascent --help     # every subcommand
//
// Each subcommand lives in its own file of this package and registers itself on rootCmd in an init
// function, so adding a command touches one file.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/internal/buildinfo"
)

// rootCmd is the `ascent` command; subcommands add themselves to it in init functions.
var rootCmd = &cobra.Command{
	Use:   "ascent",
	Short: "Reinforcement learning for reasoning language models",
	Long: `Ascent post-trains language models with verifiable rewards (math answers, the built-in
arithmetic and Countdown tasks), evaluates them on the standard benchmarks and serves them over the
OpenAI protocol.

One single-controller loop — prompts → rollouts → rewards → advantages → policy update — with
every method (PPO, GRPO, DAPO, JustRL, Clip-Cov, KL-Cov, FlowRL, TTRL, HPT, GSPO, CISPO) as a
preset of one unified policy-gradient estimator.`,
	SilenceUsage:  true,
	SilenceErrors: true,
	PersistentPreRun: func(cmd *cobra.Command, args []string) {
		if w := buildinfo.SIMDWarning(); w != "" {
			fmt.Fprintln(os.Stderr, w)
		}
	},
}

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "ascent:", err)
		os.Exit(1)
	}
}
