package metric

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// TestNamesAreUnique: two constants of the table never share a name (one metric, one constant).
func TestNamesAreUnique(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "metric.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		v, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range v.Names {
			s, err := strconv.Unquote(v.Values[i].(*ast.BasicLit).Value)
			if err != nil {
				t.Fatal(err)
			}
			if prev, dup := seen[s]; dup {
				t.Errorf("%s and %s are both %q", prev, name.Name, s)
			}
			seen[s] = name.Name
		}
		return true
	})
	if len(seen) < 60 {
		t.Errorf("found %d names: the walk is broken", len(seen))
	}
}
