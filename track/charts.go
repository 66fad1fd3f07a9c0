package track

// ChartSpec is one chart of a run: a title and the metrics it overlays. The dashboard and the
// static report draw the same charts.
type ChartSpec struct {
	// ID is a short identifier (letters, digits, '_'), used in element ids and file names.
	ID string
	// Title is the chart heading.
	Title string
	// Keys are the metric names drawn as series.
	Keys []string
}

// RunCharts are the charts of the run view, in display order.
var RunCharts = []ChartSpec{
	{"reward", "Reward / accuracy", []string{MetricScoreMean, MetricRewardsMean, MetricAccuracy, MetricValAccuracy}},
	{"entropy", "Policy entropy", []string{MetricEntropy}},
	{"pass_k", "Held-out pass@k (sampled) and distinct correct answers", []string{MetricValPass1, MetricValPass16, MetricValDistinct}},
	{"cov", "Cov(log π, A) of the batch", []string{MetricLogpAdvCov}},
	{"resp_len", "Response length", []string{MetricRespLenMean}},
	{"clip", "Clip fractions", []string{MetricPGClipfrac, MetricPGClipfracLow, MetricRespClipRatio}},
	{"kl", "KL", []string{MetricPPOKL, MetricKLLoss}},
	{"grad_norm", "Gradient norm", []string{MetricGradNorm}},
	{"loss", "Loss and advantages", []string{MetricPGLoss, MetricAdvantagesMean}},
	{"throughput", "Throughput (tokens/s/device)", []string{MetricThroughput}},
	{"timing", "Step timing (s)", []string{MetricTimeStep, MetricTimeGen, MetricTimeUpdate}},
	{"reward_fail", "Reward failures", []string{MetricTimeoutRatio, MetricErrorRatio, MetricUnparsable}},
	{"lr", "Learning rate", []string{MetricLR}},
}

// CompareMetrics are the metrics the comparison view overlays across runs.
var CompareMetrics = []string{MetricScoreMean, MetricAccuracy, MetricValAccuracy, MetricValPass1, MetricValPass16, MetricEntropy, MetricRespLenMean,
	MetricPGClipfrac, MetricPPOKL, MetricGradNorm, MetricThroughput}

// HasAny reports whether rows hold at least one of keys.
func HasAny(rows []Row, keys []string) bool {
	for _, r := range rows {
		for _, k := range keys {
			if _, ok := r.Values[k]; ok {
				return true
			}
		}
	}
	return false
}
