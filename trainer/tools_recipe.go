package trainer

// ToolsPreset names the tool-use recipe: `ascent train --preset tools` trains the tiny model on
// toolarith (large-operand arithmetic it cannot do in its head) with the calculator tool.
const ToolsPreset = "tools"

// toolsRecipe sets the tools preset's run on top of the default recipe's: the toolarith task, the
// calculator through the Tiny call syntax with three turns, lengths that fit the call, the inserted
// answer and the boxed answer in the tiny model's 64-token context, an SFT warm-up on
// demonstrations that call the calculator, and the RL batch and length bench/tools measured on the
// shared 2-core box (16 prompts × 8, 80 steps). The warm-up is 100 steps: 60 leave greedy decoding
// at 17% and sampling at about 0%, too little for RL to learn from; 100 reach 12–50% depending on
// the seed, from where RL lifts held-out accuracy by 8–17 points in 40 steps and is still rising
// on the weakest start; 150 reach about 80%, where RL adds 3–6 (docs/benchmarks.md, "Tools in the
// rollout, session 7").
func toolsRecipe(c *Config) {
	c.Data = DataConfig{Task: "toolarith", Level: 1, TrainSize: 20000}
	c.Rollout.Tools, c.Rollout.MaxTurns = []string{"calc"}, 3
	c.Algo.Batch.MaxPromptLen, c.Algo.Batch.MaxResponseLen = 16, 48
	c.Algo.Batch.Prompts = 16
	c.SFT.Steps = 100
	c.Run.Steps = 80
	c.Eval.Problems = 300
}
