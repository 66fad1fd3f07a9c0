// Package config loads typed run configurations in layers: the struct's own defaults, then a YAML
// file, then ASCENT_* environment variables, then dotted command-line overrides
// (`--set trainer.lr=1e-5`). Keys come from the structs' `yaml` tags; an unknown key or a value that
// does not fit is an error naming the key, where it came from and what would be valid — before any
// work starts. Validation uses `validate` struct tags (github.com/go-playground/validator).
//
//	cfg := trainer.DefaultConfig()
//	err := config.Load(&cfg, config.Sources{File: "run.yaml", EnvPrefix: "ASCENT_", Sets: sets})
package config

import (
	"github.com/ascent-rl/ascent/internal/atomicfile"

	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
	yamlv3 "gopkg.in/yaml.v3"
)

// Sources are the layers applied over a struct's defaults, in this order.
type Sources struct {
	File      string   // YAML file; "" for none
	EnvPrefix string   // e.g. "ASCENT_": ASCENT_TRAINER__LR=1e-5 sets trainer.lr ("__" nests); "" for none
	Sets      []string // dotted overrides "key=value"; the value is parsed as a YAML scalar or flow list
	Environ   []string // environment to read (os.Environ() when nil)
}

// Load overlays src onto out, which must be a pointer to a struct already holding its defaults,
// then validates the result.
func Load(out any, src Sources) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("config: Load needs a pointer to a struct, got %T", out)
	}
	valid := Keys(out)
	k := koanf.New(".")
	defaults, err := toMap(out)
	if err != nil {
		return err
	}
	if err := k.Load(confmap.Provider(defaults, "."), nil); err != nil {
		return fmt.Errorf("config: defaults: %w", err)
	}
	if src.File != "" {
		if _, err := os.Stat(src.File); err != nil {
			return fmt.Errorf("config: %w", err)
		}
		fk := koanf.New(".")
		if err := fk.Load(file.Provider(src.File), yaml.Parser()); err != nil {
			return fmt.Errorf("config: read %s: %w", src.File, err)
		}
		if err := checkKeys(fk.Keys(), valid, src.File); err != nil {
			return err
		}
		if err := k.Merge(fk); err != nil {
			return fmt.Errorf("config: merge %s: %w", src.File, err)
		}
	}
	if src.EnvPrefix != "" {
		environ := src.Environ
		if environ == nil {
			environ = os.Environ()
		}
		if err := applyEnv(k, environ, src.EnvPrefix, valid); err != nil {
			return err
		}
	}
	for _, s := range src.Sets {
		key, val, ok := strings.Cut(s, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return fmt.Errorf("config: --set %q: want key=value, e.g. trainer.lr=1e-5", s)
		}
		if err := setValue(k, key, val, valid, "--set"); err != nil {
			return err
		}
	}
	dc := &mapstructure.DecoderConfig{
		TagName:          "yaml",
		WeaklyTypedInput: true,
		ErrorUnused:      true,
		Result:           out,
		DecodeHook:       mapstructure.StringToTimeDurationHookFunc(),
	}
	if err := k.UnmarshalWithConf("", out, koanf.UnmarshalConf{Tag: "yaml", DecoderConfig: dc}); err != nil {
		// mapstructure reports "decoding failed due to the following error(s):\n\n'trainer.steps' cannot parse ..."
		msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "decoding failed due to the following error(s):", "")), " ")
		return fmt.Errorf("config: wrong type: %s", msg)
	}
	return Validate(out)
}

// applyEnv applies PREFIX_SECTION__KEY=value variables.
func applyEnv(k *koanf.Koanf, environ []string, prefix string, valid map[string]bool) error {
	for _, kv := range environ {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, prefix) {
			continue
		}
		key := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(name, prefix), "__", "."))
		if !isValidKey(key, valid) {
			continue // other ASCENT_* variables (e.g. ASCENT_ALGO_VECTORS) are not config keys
		}
		if err := setValue(k, key, val, valid, "environment variable "+name); err != nil {
			return err
		}
	}
	return nil
}

// setValue parses val as YAML and sets key after checking that it exists.
func setValue(k *koanf.Koanf, key, val string, valid map[string]bool, from string) error {
	if err := checkKeys([]string{key}, valid, from); err != nil {
		return err
	}
	var parsed any
	if err := yamlv3.Unmarshal([]byte(val), &parsed); err != nil {
		return fmt.Errorf("config: %s: value %q for %s is not valid YAML: %w", from, val, key, err)
	}
	if parsed == nil {
		parsed = ""
	}
	return k.Set(key, parsed)
}

// toMap turns a struct into the nested map of its YAML form.
func toMap(v any) (map[string]any, error) {
	b, err := yamlv3.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("config: encode defaults: %w", err)
	}
	m := map[string]any{}
	if err := yamlv3.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("config: decode defaults: %w", err)
	}
	return m, nil
}

// YAML renders v (a config struct) as YAML, as written to a run's config.yaml.
func YAML(v any) ([]byte, error) { return yamlv3.Marshal(v) }

// Save writes v as YAML to path atomically (temp file + rename).
func Save(path string, v any) error {
	b, err := YAML(v)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b, 0o644)
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
