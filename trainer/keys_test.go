package trainer

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// displayOnly are the files whose reads of config fields only print them (`ascent presets`); a key
// read only there is accepted, printed and ignored, which is what this test exists to catch.
var displayOnly = map[string]bool{"algo/preset_table.go": true}

// descriptive are the keys that describe a preset rather than configure a run; they need no reader.
var descriptive = map[string]bool{"algo.summary": true}

// TestEveryConfigKeyIsConsumed walks every key of the run config and fails on one that no code path
// reads: a field must be read (not only set, validated or printed) by some non-test file of the
// module. Reads are found by type-checking the module's sources, so a field is told apart from
// another field of the same name.
func TestEveryConfigKeyIsConsumed(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the module")
	}
	fields := configFields(reflect.TypeOf(Config{}), "")
	read := fieldReads(t)
	var unread []string
	for key, f := range fields {
		if !read[f] && !descriptive[key] {
			unread = append(unread, key+" ("+f+")")
		}
	}
	sort.Strings(unread)
	if len(unread) > 0 {
		t.Errorf("config keys that no code path reads (make them work or remove them):\n  %s", strings.Join(unread, "\n  "))
	}
	if len(fields) < 50 {
		t.Fatalf("found only %d config keys: the walk is broken", len(fields))
	}
	for _, k := range []string{"algo.kl.reward_type", "algo.kl.adaptive", "algo.reward.filter_groups.metric", "run.seed"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("key %s missing from the walk", k)
		}
	}
}

// configFields maps every leaf YAML key below t to its field, as "pkgpath.Type.Field".
func configFields(t reflect.Type, prefix string) map[string]string {
	out := map[string]string{}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		key := prefix + name
		if ft.Kind() == reflect.Struct {
			for k, v := range configFields(ft, key+".") {
				out[k] = v
			}
			continue
		}
		out[key] = t.PkgPath() + "." + t.Name() + "." + f.Name
	}
	return out
}

// fieldReads type-checks every non-test file of the module and returns the struct fields read
// outside displayOnly files and Validate methods, as "pkgpath.Type.Field".
func fieldReads(t *testing.T) map[string]bool {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}\t{{.Dir}}\t{{join .GoFiles \",\"}}\t{{.Module}}", "./...")
	cmd.Dir = root
	cmd.Stderr = os.Stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	exports := map[string]string{}
	type pkg struct {
		path, dir string
		files     []string
	}
	var mine []pkg
	sc := bufio.NewScanner(bytes.NewReader(outb))
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) < 5 {
			continue
		}
		exports[parts[0]] = parts[1]
		if strings.HasPrefix(parts[4], "github.com/ascent-rl/ascent") && parts[3] != "" {
			mine = append(mine, pkg{parts[0], parts[2], strings.Split(parts[3], ",")})
		}
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) { return os.Open(exports[path]) })
	read := map[string]bool{}
	for _, p := range mine {
		var files []*ast.File
		for _, f := range p.files {
			af, err := parser.ParseFile(fset, filepath.Join(p.dir, f), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, af)
		}
		info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}}
		if _, err := (&types.Config{Importer: imp}).Check(p.path, fset, files, info); err != nil {
			t.Fatalf("type-check %s: %v", p.path, err)
		}
		for _, af := range files {
			rel, _ := filepath.Rel(root, fset.Position(af.Pos()).Filename)
			if displayOnly[filepath.ToSlash(rel)] {
				continue
			}
			collectReads(af, info, read)
		}
	}
	return read
}

// collectReads records the fields that af reads: selector expressions that are not the target of
// an assignment, outside Validate/validate methods.
func collectReads(af *ast.File, info *types.Info, read map[string]bool) {
	written := map[*ast.SelectorExpr]bool{}
	ast.Inspect(af, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Name.Name == "Validate" || n.Name.Name == "validate" {
				return false
			}
		case *ast.AssignStmt:
			if n.Tok == token.ASSIGN || n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					if s, ok := l.(*ast.SelectorExpr); ok {
						written[s] = true
					}
				}
			}
		case *ast.SelectorExpr:
			sel := info.Selections[n]
			if sel == nil || sel.Kind() != types.FieldVal || written[n] {
				return true
			}
			if key := fieldKey(sel); key != "" {
				read[key] = true
			}
		}
		return true
	})
}

// fieldKey names the field a selection reads as "pkgpath.Type.Field" ("" when its struct is not a
// named type).
func fieldKey(sel *types.Selection) string {
	typ := sel.Recv()
	idx := sel.Index()
	for k, i := range idx {
		for {
			if p, ok := typ.(*types.Pointer); ok {
				typ = p.Elem()
				continue
			}
			break
		}
		named, ok := typ.(*types.Named)
		if !ok {
			return ""
		}
		st, ok := named.Underlying().(*types.Struct)
		if !ok {
			return ""
		}
		f := st.Field(i)
		if k == len(idx)-1 {
			obj := named.Obj()
			return obj.Pkg().Path() + "." + obj.Name() + "." + f.Name()
		}
		typ = f.Type()
	}
	return ""
}
