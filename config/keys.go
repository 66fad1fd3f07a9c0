package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"
)

// Keys returns the set of valid dotted keys of a config struct (or pointer to one), from its yaml
// tags. A map-typed field accepts any key below it and is recorded as "field.*".
func Keys(v any) map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && t.Kind() == reflect.Struct {
		collectKeys(t, "", out)
	}
	return out
}

func collectKeys(t reflect.Type, prefix string, out map[string]bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, inline := yamlName(f)
		if name == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if inline && ft.Kind() == reflect.Struct {
			collectKeys(ft, prefix, out)
			continue
		}
		key := prefix + name
		switch ft.Kind() {
		case reflect.Struct:
			out[key] = true
			collectKeys(ft, key+".", out)
		case reflect.Map:
			out[key] = true
			out[key+".*"] = true
		default:
			out[key] = true
		}
	}
}

// yamlName returns the yaml key of a field and whether it is inlined.
func yamlName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("yaml")
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name, strings.Contains(opts, "inline")
}

// isValidKey reports whether key names a field, or lies below a map field.
func isValidKey(key string, valid map[string]bool) bool {
	if valid[key] {
		return true
	}
	for p := key; ; {
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			return false
		}
		p = p[:i]
		if valid[p+".*"] {
			return true
		}
	}
}

// checkKeys reports the first key that the struct does not have, with the closest valid keys.
func checkKeys(keys []string, valid map[string]bool, from string) error {
	for _, k := range keys {
		if isValidKey(k, valid) {
			continue
		}
		return fmt.Errorf("config: %s: unknown key %q%s", from, k, suggest(k, valid))
	}
	return nil
}

// suggest lists the nearest valid keys, or the keys of the same section.
func suggest(key string, valid map[string]bool) string {
	best, bestD := "", 1<<30
	for _, v := range sortedKeys(valid) {
		if strings.HasSuffix(v, ".*") {
			continue
		}
		if d := editDistance(key, v); d < bestD {
			best, bestD = v, d
		}
	}
	if best != "" && bestD <= 3 {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	section, _, _ := strings.Cut(key, ".")
	var same []string
	for _, v := range sortedKeys(valid) {
		if strings.HasPrefix(v, section+".") && !strings.HasSuffix(v, ".*") {
			same = append(same, v)
		}
	}
	if len(same) > 0 {
		return "; valid keys in " + section + ": " + strings.Join(same, ", ")
	}
	var top []string
	for _, v := range sortedKeys(valid) {
		if !strings.Contains(v, ".") {
			top = append(top, v)
		}
	}
	return "; valid sections: " + strings.Join(top, ", ")
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

var validate = func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _ := yamlName(f)
		return name
	})
	return v
}()

// Validate checks the `validate` tags of a config struct and reports every violation by its dotted
// YAML key, the value found and the rule it broke.
func Validate(v any) error {
	err := validate.Struct(v)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return fmt.Errorf("config: %w", err)
	}
	msgs := make([]string, 0, len(verrs))
	for _, fe := range verrs {
		ns := fe.Namespace()
		if _, rest, ok := strings.Cut(ns, "."); ok {
			ns = rest
		}
		rule := fe.Tag()
		if fe.Param() != "" {
			rule += " " + fe.Param()
		}
		msgs = append(msgs, fmt.Sprintf("%s = %v: must satisfy %q", ns, fe.Value(), rule))
	}
	return fmt.Errorf("config: invalid value: %s", strings.Join(msgs, "; "))
}
