package data

import (
	"fmt"
	"testing"
)

// BenchmarkGenerate measures one Generate call per task and level (train split).
func BenchmarkGenerate(b *testing.B) {
	for _, c := range []struct {
		task  string
		level int
	}{{"arith", 1}, {"arith", 5}, {"countdown", 1}, {"countdown", 3}, {"countdown", 5}} {
		b.Run(fmt.Sprintf("%s/level%d", c.task, c.level), func(b *testing.B) {
			task, err := NewTask(c.task, c.level, nil)
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; b.Loop(); i++ {
				if _, err := task.Generate(1, SplitTrain, i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
