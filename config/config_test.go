package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type trainerSection struct {
	LR    float64 `yaml:"lr" validate:"gt=0"`
	Steps int     `yaml:"steps" validate:"gte=1"`
	Sched string  `yaml:"schedule" validate:"oneof=constant cosine"`
}

type testConfig struct {
	Name    string         `yaml:"name"`
	Trainer trainerSection `yaml:"trainer"`
	Extra   map[string]any `yaml:"extra"`
	Tags    []string       `yaml:"tags"`
}

func defaults() testConfig {
	return testConfig{Name: "run", Trainer: trainerSection{LR: 1e-6, Steps: 10, Sched: "constant"}}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLayersApplyInOrder(t *testing.T) {
	cfg := defaults()
	file := writeFile(t, "trainer:\n  lr: 3e-6\n  steps: 20\nextra:\n  anything: 1\n")
	err := Load(&cfg, Sources{
		File:      file,
		EnvPrefix: "ASCENT_",
		Environ:   []string{"ASCENT_TRAINER__STEPS=30", "ASCENT_ALGO_VECTORS=/x", "HOME=/root"},
		Sets:      []string{"trainer.schedule=cosine", "tags=[a, b]"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Trainer.LR != 3e-6 || cfg.Trainer.Steps != 30 || cfg.Trainer.Sched != "cosine" || cfg.Name != "run" {
		t.Fatalf("layers not applied in order: %+v", cfg)
	}
	if len(cfg.Tags) != 2 || cfg.Extra["anything"] != 1 {
		t.Fatalf("list/map values lost: %+v", cfg)
	}
}

func TestBadInputNamesTheKey(t *testing.T) {
	tests := []struct {
		name string
		src  Sources
		want string
	}{
		{"a misspelt --set key suggests the right one", Sources{Sets: []string{"trainer.lrr=1"}}, `did you mean "trainer.lr"`},
		{"an unknown section lists valid sections", Sources{Sets: []string{"zzz.q=1"}}, "valid sections"},
		{"a --set without '=' shows the form", Sources{Sets: []string{"trainer.lr"}}, "want key=value"},
		{"an unknown key in a file names the file", Sources{File: "FILE", Sets: nil}, "unknown key \"trainer.bogus\""},
		{"a value out of range names key and rule", Sources{Sets: []string{"trainer.lr=-1"}}, "trainer.lr = -1"},
		{"a value of the wrong type names the key", Sources{Sets: []string{"trainer.steps=many"}}, "steps"},
		{"a missing file is reported", Sources{File: "/nonexistent/c.yaml"}, "/nonexistent/c.yaml"},
		{"a value outside an enum is reported", Sources{Sets: []string{"trainer.schedule=linear"}}, "oneof"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.src.File == "FILE" {
				tc.src.File = writeFile(t, "trainer:\n  bogus: 1\n")
			}
			cfg := defaults()
			err := Load(&cfg, tc.src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want error containing %q, got %v", tc.want, err)
			}
		})
	}
}

func TestSaveRoundTrips(t *testing.T) {
	cfg := defaults()
	cfg.Trainer.Steps = 7
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := Save(p, cfg); err != nil {
		t.Fatal(err)
	}
	got := defaults()
	if err := Load(&got, Sources{File: p}); err != nil {
		t.Fatal(err)
	}
	if got.Trainer != cfg.Trainer {
		t.Fatalf("round trip: got %+v want %+v", got.Trainer, cfg.Trainer)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Fatalf("atomic save left temp files: %v", entries)
	}
}
