package hipho

import (
	"fmt"
	"strings"
)

// Prompt is the P1 prompt for a problem: the output rules (LaTeX; one \boxed{} per required
// answer, in order; units outside the boxes), the exam's constants sheet when it has one, the
// shared context and the question.
func Prompt(e *Exam, p *Problem) string {
	var b strings.Builder
	n := len(p.Answer)
	b.WriteString("You are a participant in a physics olympiad. Solve the following problem and reason step by step.\n\n")
	b.WriteString("Output rules:\n")
	b.WriteString("- Write every formula and number in LaTeX.\n")
	if n == 1 {
		b.WriteString("- The problem asks for 1 final answer: put it in a single \\boxed{} at the end of your solution.\n")
	} else {
		fmt.Fprintf(&b, "- The problem asks for %d final answers: put each one in its own \\boxed{}, in the order the question asks for them (%d boxes in all, one answer per box).\n", n, n)
	}
	b.WriteString("- Do not put units inside a box: write the unit right after the box, e.g. \\boxed{5.3 \\times 10^{-11}}\\ \\mathrm{m}.\n")
	b.WriteString("- An expression must use only the symbols given in the problem.\n")
	if info := information(e, p); info != "" {
		b.WriteString("\nConstants and general information for this exam:\n")
		b.WriteString(info)
		b.WriteString("\n")
	}
	if c := strings.TrimSpace(p.Context); c != "" {
		b.WriteString("\nContext:\n")
		b.WriteString(c)
		b.WriteString("\n")
	}
	b.WriteString("\nQuestion:\n")
	b.WriteString(strings.TrimSpace(p.Question))
	b.WriteString("\n")
	return b.String()
}

// information is the exam's constants sheet, or "" when the exam has none ("None.").
func information(e *Exam, p *Problem) string {
	info := p.ExamInformation
	if e != nil && e.Information != "" {
		info = e.Information
	}
	info = strings.TrimSpace(info)
	if info == "" || strings.EqualFold(strings.TrimSuffix(info, "."), "none") {
		return ""
	}
	return info
}

// Item is one problem to send to a model: its exam, id and P1 prompt.
type Item struct {
	Exam   string `json:"exam"`
	ID     string `json:"id"`
	Prompt string `json:"prompt"`
}

// Items lists the problems of the named exams (all loaded exams when names is empty) with their
// prompts, in exam then file order; Options.TextOnly applies. An unknown exam lists the known ones.
func (b *Benchmark) Items(names []string) ([]Item, error) {
	if len(names) == 0 {
		names = b.opt.Exams
	}
	if len(names) == 0 {
		names = b.names
	}
	var out []Item
	for _, n := range names {
		e, err := b.Exam(n)
		if err != nil {
			return nil, err
		}
		for i := range e.Problems {
			out = append(out, Item{Exam: e.Name, ID: e.Problems[i].ID, Prompt: Prompt(e, &e.Problems[i])})
		}
	}
	return out, nil
}
