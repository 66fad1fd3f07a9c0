package local

import "testing"

// TestTheEngineTestsPassOnTheGraphPath runs the engine's Update tests again on the GoMLX graph
// path (the default is the fast path): both paths keep the engine's contract.
func TestTheEngineTestsPassOnTheGraphPath(t *testing.T) {
	t.Setenv("ASCENT_TRAIN_PATH", "graph")
	for name, f := range map[string]func(*testing.T){
		"update raises a supervised target":   TestUpdateRaisesTheLogProbOfASupervisedTarget,
		"micro-batches equal the whole batch": TestMicroBatchAccumulationEqualsTheWholeBatchStep,
		"save then load is bit-identical":     TestSaveThenLoadResumesBitIdentically,
		"heads are trained and checkpointed":  TestValueAndLogZHeadsAreTrainedAndCheckpointed,
		"vanilla splits into micro-batches":   TestTheAlgoVanillaLossSplitsIntoMicroBatchesExactly,
		"totals equal the whole mini-batch":   TestUpdateOnNonZeroRowsWithTotalsEqualsTheWholeMiniBatch,
		"loss terms are not inert":            TestLossesWithEntropyKLOrBatchTermsAreNotInert,
		"shape buckets stay few":              TestBucketsKeepTheNumberOfGraphShapesSmall,
	} {
		t.Run(name, f)
	}
}
