package env

import (
	"context"
	"fmt"
)

// Demonstrations for the SFT cold start: SimpleVLA-RL's one-trajectory-per-task setting. Trials
// below HeldOutTrial are for training and demonstrations; HeldOutTrial and above are held out for
// evaluation (ascent sim eval --trials 5000-5199).

// HeldOutTrial is the first held-out trial id.
const HeldOutTrial = 5000

// DemoStep is one decision of a demonstration: what the policy saw and the chunk the expert sent.
type DemoStep struct {
	// Obs is the observation before the chunk.
	Obs *Observation
	// Chunk is the expert's action chunk [K][D].
	Chunk [][]float32
}

// Demo is one scripted demonstration episode.
type Demo struct {
	// Episode is the episode demonstrated.
	Episode Episode
	// Instruction is the task's instruction.
	Instruction string
	// Steps holds the decisions in order.
	Steps []DemoStep
	// FinishStep is the number of low-level steps the demonstration took.
	FinishStep int
}

// RecordDemo plays ep with the grasping expert and returns its decisions; an episode the expert
// does not solve is an error (pick a trial from FeasibleTrials).
func RecordDemo(ctx context.Context, ep Episode) (*Demo, error) {
	s := NewSim()
	obs, err := s.Reset(ctx, ep)
	if err != nil {
		return nil, err
	}
	d := &Demo{Episode: ep, Instruction: obs.Instruction}
	k, _ := s.Shape()
	for {
		chunk := s.ExpertChunk(k)
		d.Steps = append(d.Steps, DemoStep{Obs: obs, Chunk: chunk})
		r, err := s.Step(ctx, chunk, StepOptions{})
		if err != nil {
			return nil, err
		}
		obs = r.Obs
		if r.Done {
			if !r.Success {
				return nil, fmt.Errorf("env %s: the expert did not solve it in %d steps", s.Name(), r.FinishStep)
			}
			d.FinishStep = r.FinishStep
			return d, nil
		}
	}
}

// OneDemoPerTask records one demonstration for every task of suite, on the first trial at or
// after from (below HeldOutTrial) that passes the seed screen.
func OneDemoPerTask(ctx context.Context, suite string, from int) ([]*Demo, error) {
	s, ok := simSuites[suite]
	if !ok {
		_, _, err := lookupTask(suite, 0)
		return nil, err
	}
	var out []*Demo
	for task := range s.Tasks {
		trial := from
		for ; trial < HeldOutTrial; trial++ {
			if ok, _ := s.Tasks[task].feasible(layout(suite, &s.Tasks[task], task, trial)); ok {
				break
			}
		}
		if trial >= HeldOutTrial {
			return nil, fmt.Errorf("env: suite %q task %d: no feasible trial in [%d, %d)", suite, task, from, HeldOutTrial)
		}
		d, err := RecordDemo(ctx, Episode{Suite: suite, Task: task, Trial: trial})
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
