package registry

import (
	"slices"
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	r := New[int]("pkg", "thing")
	r.Register("a", 1)
	r.Register("abc", 2)
	r.RegisterPrefix("ab", 3)
	r.RegisterPrefix("abd", 4)
	cases := []struct {
		name string
		want int
		err  bool
	}{
		{"a", 1, false}, {"abc", 2, false}, {"abx", 3, false}, {"abdz", 4, false}, {"b", 0, true},
	}
	for _, c := range cases {
		v, err := r.Lookup(c.name)
		if (err != nil) != c.err || v != c.want {
			t.Errorf("Lookup(%q) = %v, %v; want %v (error %v)", c.name, v, err, c.want, c.err)
		}
		if err != nil && !strings.Contains(err.Error(), `pkg: unknown thing "b"; valid: a, ab*, abc, abd*`) {
			t.Errorf("error %q: want the valid names", err)
		}
	}
	if got := r.Names(); !slices.Equal(got, []string{"a", "ab*", "abc", "abd*"}) {
		t.Errorf("Names = %v", got)
	}
	for _, f := range []func(){func() { r.Register("a", 5) }, func() { r.Register("", 5) }, func() { r.RegisterPrefix("ab", 5) }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("a duplicate or empty name did not panic")
				}
			}()
			f()
		}()
	}
}
