package codetest

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// floatTol is the absolute-or-relative tolerance for numbers in outputs (the APPS/PRIME checkers'
// 1e-6 after their exact comparison fails).
const floatTol = 1e-6

// sameOutput compares a program's stdout with the expected output token by token: whitespace and
// line breaks do not matter, and tokens that are both numbers match within floatTol.
func sameOutput(got, want string) bool {
	g, w := strings.Fields(got), strings.Fields(want)
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if g[i] == w[i] {
			continue
		}
		a, errA := strconv.ParseFloat(g[i], 64)
		b, errB := strconv.ParseFloat(w[i], 64)
		if errA != nil || errB != nil || !closeFloat(a, b) {
			return false
		}
	}
	return true
}

func closeFloat(a, b float64) bool {
	d := math.Abs(a - b)
	return d <= floatTol || d <= floatTol*math.Max(math.Abs(a), math.Abs(b))
}

// sameValue compares a call's JSON return value with the expected JSON, as the APPS/PRIME
// checkers do: equal, or equal to the expected list's only element (datasets wrap outputs), with
// numbers within floatTol.
func sameValue(got json.RawMessage, want string) bool {
	var g, w any
	if json.Unmarshal(got, &g) != nil || json.Unmarshal([]byte(want), &w) != nil {
		return false
	}
	if looseEqual(g, w) {
		return true
	}
	if l, ok := w.([]any); ok && len(l) == 1 {
		return looseEqual(g, l[0])
	}
	return false
}

func looseEqual(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && closeFloat(x, y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !looseEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if !looseEqual(v, y[k]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
