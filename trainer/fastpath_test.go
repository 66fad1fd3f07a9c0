package trainer

import "testing"

// The preset and SIGKILL-resume tests again on the hand-written training path (engine/local's
// Config.TrainPath "fast", chosen here through ASCENT_TRAIN_PATH, which the resume test's child
// processes inherit): every preset trains through it and a killed run resumes exactly.

func TestEveryPresetRunsOnTheFastPath(t *testing.T) {
	t.Setenv("ASCENT_TRAIN_PATH", "fast")
	TestEveryPresetRunsAndItsMetricsAreFinite(t)
}

func TestKilledRunResumesExactlyOnTheFastPath(t *testing.T) {
	t.Setenv("ASCENT_TRAIN_PATH", "fast")
	TestKilledRunResumesExactly(t)
}
