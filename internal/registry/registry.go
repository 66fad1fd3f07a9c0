// Package registry is the one named-set helper behind Ascent's registries (algo's policy losses,
// advantage estimators and presets, reward's functions): values are registered at init time, a
// duplicate or empty name panics, and a failed lookup is an error listing the valid names.
//
//	var losses = registry.New[LossFactory]("algo", "policy loss")
//	losses.Register("vanilla", newVanilla)
//	f, err := losses.Lookup(name) // algo: unknown policy loss "x"; valid: cispo, vanilla, ...
package registry

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Registry maps names (and, optionally, name prefixes) to values. It is safe for concurrent use.
type Registry[T any] struct {
	owner, kind string // "algo", "policy loss": the words of the messages
	mu          sync.RWMutex
	exact       map[string]T
	prefixes    map[string]T
}

// New returns an empty registry whose messages name its owner package and the kind of value.
func New[T any](owner, kind string) *Registry[T] {
	return &Registry[T]{owner: owner, kind: kind, exact: map[string]T{}, prefixes: map[string]T{}}
}

// Register adds v under name; it panics on an empty or duplicate name (a programming error,
// caught at init).
func (r *Registry[T]) Register(name string, v T) { r.add(r.exact, name, v) }

// RegisterPrefix adds v for every name that starts with prefix; exact names win over prefixes, and
// longer prefixes over shorter ones.
func (r *Registry[T]) RegisterPrefix(prefix string, v T) { r.add(r.prefixes, prefix, v) }

func (r *Registry[T]) add(m map[string]T, name string, v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "" {
		panic(fmt.Sprintf("%s: a %s needs a name", r.owner, r.kind))
	}
	if _, dup := m[name]; dup {
		panic(fmt.Sprintf("%s: %s %q registered twice", r.owner, r.kind, name))
	}
	m[name] = v
}

// Lookup returns the value of name, or an error listing the valid names.
func (r *Registry[T]) Lookup(name string) (T, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if v, ok := r.exact[name]; ok {
		return v, nil
	}
	best, found := "", false
	for p := range r.prefixes {
		if strings.HasPrefix(name, p) && (!found || len(p) > len(best)) {
			best, found = p, true
		}
	}
	if found {
		return r.prefixes[best], nil
	}
	var zero T
	return zero, fmt.Errorf("%s: unknown %s %q; valid: %s", r.owner, r.kind, name, strings.Join(r.namesLocked(), ", "))
}

// Names lists the registered names, sorted; prefixes end in "*".
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.namesLocked()
}

func (r *Registry[T]) namesLocked() []string {
	out := make([]string, 0, len(r.exact)+len(r.prefixes))
	for n := range r.exact {
		out = append(out, n)
	}
	for p := range r.prefixes {
		out = append(out, p+"*")
	}
	sort.Strings(out)
	return out
}
