package main

import "github.com/ascent-rl/ascent/config"

// trainerYAML renders a config as YAML.
func trainerYAML(v any) ([]byte, error) { return config.YAML(v) }
