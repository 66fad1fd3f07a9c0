package algo

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Settings returns the preset's settings as (label, value) rows in a fixed order, for display.
func (c Config) Settings() [][2]string {
	adv := c.Advantage.Estimator
	switch adv {
	case "grpo":
		if c.Advantage.NormByStd {
			adv += fmt.Sprintf(" ((s−μ)/(σ+%g))", c.Advantage.Epsilon)
		} else {
			adv += " (s−μ, no σ)"
		}
	case "gae":
		adv += fmt.Sprintf(" (γ %g, λ %g, whitened)", c.Advantage.Gamma, c.Advantage.Lambda)
	case "hpt":
		adv += " (r−μ on rollout rows, no σ)"
	}
	l := c.Loss
	loss := l.Name
	switch l.Name {
	case "vanilla", "gspo", "cispo", "luffy":
		loss += fmt.Sprintf(": ε %g/%g", l.ClipLow, l.ClipHigh)
		if l.ClipC > 1 {
			loss += fmt.Sprintf(", dual clip %g", l.ClipC)
		}
	case "clip_cov":
		loss += fmt.Sprintf(": ε %g/%g, r %g, band (%g, %g)", l.ClipLow, l.ClipHigh, l.ClipCovRatio, l.ClipCovLB, l.ClipCovUB)
	case "kl_cov":
		loss += fmt.Sprintf(": k %g, β %g, no clip", l.KLCovRatio, l.KLCovCoef)
	case "flowrl":
		is := "unclipped IS (official code)"
		if l.FlowISClip > 0 {
			is = fmt.Sprintf("IS clip %g (paper)", l.FlowISClip)
		}
		loss += fmt.Sprintf(": β %g, %s, learned log Z", l.FlowBeta, is)
	case "hpt":
		loss += fmt.Sprintf(": SFT coef %g on demonstrations, unclipped ratio on rollouts", l.SFTCoef)
	}
	agg := string(l.Agg.Mode)
	if l.Name == "flowrl" {
		agg = "seq-mean of w·δ² (fixed by the method)"
	} else if l.Agg.Mode == SeqMeanTokenSumNorm && l.Agg.ScaleFactor > 0 {
		agg += fmt.Sprintf(" (C = %g)", l.Agg.ScaleFactor)
	}
	kl := "loss off"
	if c.KL.LossCoef > 0 {
		kl = fmt.Sprintf("loss %s × %g", c.KL.LossType, c.KL.LossCoef)
	}
	if c.KL.InReward {
		kind := c.KL.RewardType
		if kind == "" {
			kind = KLK1
		}
		kl += fmt.Sprintf("; in reward %s × %g", kind, c.KL.RewardCoef)
		if c.KL.Adaptive {
			kl += fmt.Sprintf(" (adaptive: target %g over %d rows)", c.KL.TargetKL, c.KL.Horizon)
		}
	} else {
		kl += "; in reward off"
	}
	r := c.Reward
	reward := fmt.Sprintf("%s %g/%g", r.Verifier, r.Correct, r.Incorrect)
	if r.Overlong.Enabled {
		reward += fmt.Sprintf("; soft overlong (buffer %d, factor %g)", r.Overlong.Buffer, r.Overlong.Factor)
	}
	if r.FilterGroups.Enabled {
		reward += fmt.Sprintf("; filter groups by %s (≤ %d rounds of %g× prompts)", r.FilterGroups.Metric, r.FilterGroups.MaxGenBatches, r.FilterGroups.GenBatchScale)
	}
	if r.Vote.Enabled {
		reward += fmt.Sprintf("; majority vote over %d, train first %d", r.Vote.NVotes, r.Vote.NTrain)
	}
	if r.Switch.Enabled {
		reward += fmt.Sprintf("; SFT/RL switch at ≤ %d of %d correct", r.Switch.Gate, c.Batch.Rollouts)
	}
	b := c.Batch
	batch := fmt.Sprintf("%d prompts × %d, mini %d (%d updates/step), epochs %d, prompt %d, response %d",
		b.Prompts, b.Rollouts, b.MiniBatchPrompts, c.UpdatesPerStep(), b.PPOEpochs, b.MaxPromptLen, b.MaxResponseLen)
	o := c.Optim
	optim := fmt.Sprintf("AdamW lr %g %s", o.LR, o.Schedule)
	if o.WarmupSteps > 0 {
		optim += fmt.Sprintf(", warm-up %d steps", o.WarmupSteps)
	}
	if o.WarmupRatio > 0 {
		optim += fmt.Sprintf(", warm-up %g of steps", o.WarmupRatio)
	}
	optim += fmt.Sprintf(", wd %g, grad clip %g", o.WeightDecay, o.GradClip)
	if o.SkipGradNormAbove > 0 {
		optim += fmt.Sprintf(", skip step if grad norm > %g", o.SkipGradNormAbove)
	}
	rows := [][2]string{
		{"advantage", adv}, {"loss", loss}, {"aggregation", agg}, {"kl", kl},
		{"entropy", fmt.Sprintf("%g", c.EntropyCoef)}, {"reward", reward}, {"batch", batch}, {"optimiser", optim},
		{"sampling", fmt.Sprintf("temperature %g, top-p %g", c.Sampling.Temperature, c.Sampling.TopP)},
	}
	if c.Critic != nil {
		rows = append(rows, [2]string{"critic", fmt.Sprintf("value head, value clip %g, trained at the actor's lr", c.Critic.ValueClip)})
	}
	return append(rows, [2]string{"paper", c.Paper})
}

// WritePresetTable writes a summary table of every preset followed by each preset's full settings.
func WritePresetTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PRESET\tADVANTAGE\tLOSS\tAGGREGATION\tSUMMARY")
	for _, c := range Presets() {
		s := c.Settings()
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Name, c.Advantage.Estimator, c.Loss.Name, strings.SplitN(s[2][1], " ", 2)[0], c.Summary)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write preset table: %w", err)
	}
	for _, c := range Presets() {
		fmt.Fprintf(tw, "\n%s\t\n", c.Name)
		for _, kv := range c.Settings() {
			fmt.Fprintf(tw, "  %s\t%s\n", kv[0], kv[1])
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write preset table: %w", err)
	}
	return nil
}
