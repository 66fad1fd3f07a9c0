package algo

func init() { registerPreset("tools", ToolsPreset) }

// ToolsPreset is the tool-use recipe's method: JustRL's plain GRPO (clip-higher 0.28, dual clip
// 10, token-mean, ±1 strict-box reward, no KL or entropy terms) on multi-turn rollouts whose tool
// replies are masked out of the loss. The trainer's tools recipe (trainer.ToolsPreset) adds the
// task (toolarith), the calculator and the turn budget; the method itself is JustRL's, unchanged.
func ToolsPreset() Config {
	c := JustRL()
	c.Name = "tools"
	c.Paper = "JustRL (arXiv 2512.16649) on multi-turn tool rollouts (Ascent's tool recipe, docs/tools.md)"
	c.Summary = "JustRL's GRPO on calculator-tool rollouts (tool replies masked out of the loss)"
	return c
}
