package main

import (
	"bytes"
	"strings"
	"testing"
)

// The cases share rootCmd, whose flags keep earlier values (--set accumulates, --print-config
// stays set unless reset): the key error comes last and the later cases reset --print-config.
func TestTrainSimplevlaDispatchesToVLA(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
		fail bool
	}{
		{"print-config shows the preset", []string{"train", "--preset", "simplevla", "--print-config"}, `"temperature": 1,`, false},
		{"an unknown suite lists the known ones", []string{"train", "--preset", "simplevla", "--print-config=false", "--set", "suite=libero_10", "--set", "sft_steps=0", "--out", "OUT"}, "pick_local", true},
		{"an unknown key lists the known ones", []string{"train", "--preset", "simplevla", "--print-config=false", "--set", "vla.temprature=1"}, "known:", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			args := append([]string(nil), tc.args...)
			for i, a := range args {
				if a == "OUT" {
					args[i] = t.TempDir()
				}
			}
			rootCmd.SetOut(&out)
			rootCmd.SetErr(&out)
			rootCmd.SetArgs(args)
			err := rootCmd.Execute()
			if (err != nil) != tc.fail {
				t.Fatalf("error %v, output %s", err, out.String())
			}
			got := out.String()
			if err != nil {
				got += err.Error()
			}
			if !strings.Contains(got, tc.want) {
				t.Fatalf("output %q lacks %q", got, tc.want)
			}
		})
	}
}
