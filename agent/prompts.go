package agent

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

//go:embed prompts
var embedded embed.FS

// Prompts renders the template of each role of a workflow: prompts/<workflow>/<role>.tmpl,
// embedded in the binary, or <dir>/<role>.tmpl (or <dir>/<workflow>/<role>.tmpl) when an override
// directory is given and holds that file.
type Prompts struct {
	Workflow string // e.g. "proteus"
	Dir      string // override directory ("" for the embedded templates only)
}

// Render fills role's template with data.
func (p Prompts) Render(role string, data any) (string, error) {
	src, where, err := p.source(role)
	if err != nil {
		return "", err
	}
	t, err := template.New(role).Option("missingkey=error").Parse(src)
	if err != nil {
		return "", fmt.Errorf("agent: prompt %s: %w", where, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("agent: prompt %s: %w", where, err)
	}
	return b.String(), nil
}

func (p Prompts) source(role string) (string, string, error) {
	if p.Dir != "" {
		for _, f := range []string{filepath.Join(p.Dir, role+".tmpl"), filepath.Join(p.Dir, p.Workflow, role+".tmpl")} {
			if b, err := os.ReadFile(f); err == nil {
				return string(b), f, nil
			}
		}
	}
	name := "prompts/" + p.Workflow + "/" + role + ".tmpl"
	b, err := embedded.ReadFile(name)
	if err != nil {
		return "", "", fmt.Errorf("agent: no prompt for role %q of workflow %q; known roles: %s", role, p.Workflow, strings.Join(Roles(p.Workflow), ", "))
	}
	return string(b), name, nil
}

// Roles lists the embedded roles of a workflow.
func Roles(workflow string) []string {
	ents, _ := fs.ReadDir(embedded, "prompts/"+workflow)
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".tmpl"))
	}
	sort.Strings(out)
	return out
}
