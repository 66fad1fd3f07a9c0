package main

// `ascent runs`: list, show, compare, export and report training runs.
//
//	ascent runs list [--runs ./runs] [--json]
//	ascent runs show RUN [--json]
//	ascent runs compare RUN RUN... [--json]
//	ascent runs export RUN [--format csv|json] [--out FILE]
//	ascent runs report RUN [--out RUN.html]

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/track"
	"github.com/ascent-rl/ascent/track/report"
)

// runsFlags are the flags shared by the runs subcommands.
type runsFlags struct {
	// dir is the runs root (--runs).
	dir string
	// json selects machine-readable output (--json).
	json bool
}

func init() {
	var f runsFlags
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List, inspect, compare and export training runs",
		Long: `Reads the run directories under --runs (the format is documented in docs/tracking.md).
The SQLite index RUNS/ascent.db is rebuilt from the directories when missing, so a runs dir
copied from another machine works as is.`,
	}
	cmd.PersistentFlags().StringVar(&f.dir, "runs", "./runs", "runs root directory")
	cmd.PersistentFlags().BoolVar(&f.json, "json", false, "print JSON instead of tables")

	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List runs, newest first",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			runs, bad, err := track.ListRuns(f.dir)
			if err != nil {
				return err
			}
			warnBad(c.ErrOrStderr(), bad)
			if f.json {
				return writeJSON(c.OutOrStdout(), runs)
			}
			if len(runs) == 0 {
				fmt.Fprintf(c.OutOrStdout(), "no runs in %s\n", f.dir)
				return nil
			}
			return track.WriteRunsTable(c.OutOrStdout(), runs)
		},
	})

	cmd.AddCommand(&cobra.Command{
		Use:   "show RUN",
		Short: "Show one run: status, last metrics, summary and the entropy–performance law fit",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := track.LoadRun(f.dir, args[0])
			if err != nil {
				return err
			}
			warnBad(c.ErrOrStderr(), d.Bad)
			if f.json {
				return track.ExportJSON(c.OutOrStdout(), d)
			}
			return track.WriteRunDetail(c.OutOrStdout(), d)
		},
	})

	cmd.AddCommand(&cobra.Command{
		Use:   "compare RUN RUN...",
		Short: "Compare the last metric values of several runs side by side",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			var ds []*track.RunData
			for _, id := range args {
				d, err := track.LoadRun(f.dir, id)
				if err != nil {
					return err
				}
				warnBad(c.ErrOrStderr(), d.Bad)
				ds = append(ds, d)
			}
			if f.json {
				return writeJSON(c.OutOrStdout(), ds)
			}
			return track.WriteCompare(c.OutOrStdout(), ds)
		},
	})

	var format, out string
	export := &cobra.Command{
		Use:   "export RUN",
		Short: "Export a run's metrics as CSV (one column per metric) or JSON",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if f.json {
				format = "json"
			}
			if format != "csv" && format != "json" {
				return fmt.Errorf("--format %q: want csv or json", format)
			}
			d, err := track.LoadRun(f.dir, args[0])
			if err != nil {
				return err
			}
			warnBad(c.ErrOrStderr(), d.Bad)
			w := c.OutOrStdout()
			var file *os.File
			if out != "" && out != "-" {
				if file, err = os.Create(out); err != nil {
					return fmt.Errorf("export: %w", err)
				}
				w = file
			}
			if format == "csv" {
				err = track.ExportCSV(w, d.Rows)
			} else {
				err = track.ExportJSON(w, d)
			}
			if file != nil {
				if cerr := file.Close(); err == nil && cerr != nil {
					err = fmt.Errorf("export: %w", cerr)
				}
			}
			return err
		},
	}
	export.Flags().StringVar(&format, "format", "csv", "csv or json")
	export.Flags().StringVar(&out, "out", "", "output file (default stdout)")
	cmd.AddCommand(export)

	var reportOut string
	rep := &cobra.Command{
		Use:   "report RUN",
		Short: "Write a self-contained HTML report of a run and its charts as PNGs",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o := reportOut
			if o == "" {
				o = args[0] + ".html"
			}
			pngs, err := report.Write(f.dir, args[0], o)
			if err != nil {
				return err
			}
			abs, _ := filepath.Abs(o)
			fmt.Fprintf(c.OutOrStdout(), "wrote %s and %d PNG charts beside it\n", abs, len(pngs))
			return nil
		},
	}
	rep.Flags().StringVar(&reportOut, "out", "", "HTML file to write (default RUN.html)")
	cmd.AddCommand(rep)

	rootCmd.AddCommand(cmd)
}

// warnBad prints skipped metrics lines to stderr.
func warnBad(w io.Writer, bad []track.BadLine) {
	for _, b := range bad {
		fmt.Fprintf(w, "warning: skipped %s\n", b)
	}
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
