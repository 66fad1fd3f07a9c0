package trainer

import "testing"

// The preset and SIGKILL-resume tests again on the GoMLX graph training path (engine/local's
// Config.TrainPath "graph"; the other tests run on the default, the fast path), chosen here
// through ASCENT_TRAIN_PATH, which the resume test's child processes inherit: every preset trains
// through both paths and a killed run resumes exactly on both.

func TestEveryPresetRunsOnTheGraphPath(t *testing.T) {
	t.Setenv("ASCENT_TRAIN_PATH", "graph")
	TestEveryPresetRunsAndItsMetricsAreFinite(t)
}

func TestKilledRunResumesExactlyOnTheGraphPath(t *testing.T) {
	t.Setenv("ASCENT_TRAIN_PATH", "graph")
	TestKilledRunResumesExactly(t)
}
