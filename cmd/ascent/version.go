package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/internal/buildinfo"
)

func init() {
	rootCmd.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version, the Go toolchain and whether SIMD kernels are compiled in",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), buildinfo.String())
			return nil
		},
	})
}
